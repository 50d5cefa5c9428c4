"""between_windows, between_param, chunk_ids, in_param: the API's limits, respected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracktik_etl.client import (
    MAX_IN_VALUES,
    NotRetryable,
    between_param,
    between_windows,
    chunk_ids,
    in_param,
)

LA = ZoneInfo("America/Los_Angeles")
SECOND = timedelta(seconds=1)


def _check_contiguous(windows, start, end):
    assert windows[0][0] == start and windows[-1][1] == end
    for (_, b), (c, _) in zip(windows, windows[1:], strict=False):
        assert c - b == SECOND
    for a, b in windows:
        assert a <= b and b - a <= timedelta(days=31)


def test_a_single_instant_is_one_window():
    t = datetime(2025, 3, 9, 10, tzinfo=UTC)
    assert between_windows(t, t) == [(t, t)]


def test_an_inverted_range_is_empty():
    t = datetime(2025, 3, 9, tzinfo=UTC)
    assert between_windows(t, t - SECOND) == []


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        between_windows(datetime(2025, 1, 1), datetime(2025, 2, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        between_param(datetime(2025, 1, 1), datetime(2025, 2, 1))


def test_exactly_one_month_is_one_window_one_second_more_is_two():
    a = datetime(2025, 1, 1, tzinfo=UTC)
    b = datetime(2025, 1, 31, 23, 59, 59, tzinfo=UTC)
    assert between_windows(a, b) == [(a, b)]
    assert between_windows(a, b + SECOND) == [(a, b), (b + SECOND, b + SECOND)]


def test_a_year_is_twelve_calendar_months():
    a = datetime(2025, 1, 1, tzinfo=UTC)
    b = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
    windows = between_windows(a, b)
    assert len(windows) == 12
    assert [w[0].month for w in windows] == list(range(1, 13))
    _check_contiguous(windows, a, b)


def test_month_end_start_is_clamped():
    a = datetime(2025, 1, 31, 12, tzinfo=UTC)
    windows = between_windows(a, datetime(2025, 4, 1, tzinfo=UTC))
    assert windows[0][1] == datetime(2025, 2, 28, 11, 59, 59, tzinfo=UTC)
    _check_contiguous(windows, a, datetime(2025, 4, 1, tzinfo=UTC))


def test_windows_across_dst_never_exceed_31_days_and_keep_the_zone():
    a = datetime(2025, 10, 3, 0, 0, tzinfo=LA)  # PDT; November 3 is PST
    b = datetime(2026, 3, 20, tzinfo=LA)
    windows = between_windows(a, b)
    _check_contiguous(windows, a, b)
    assert all(w[0].tzinfo is LA for w in windows)


@pytest.mark.invalid_requests  # the last request spans more than a month, on purpose
def test_the_simulator_accepts_every_window(sim_api, client):
    a = datetime(2025, 1, 1, tzinfo=LA)
    b = datetime(2025, 12, 31, 23, 59, 59, tzinfo=LA)
    for lo, hi in between_windows(a, b):
        list(client.iter_pages("shifts", {"startDateTime:between": between_param(lo, hi)}))
    with pytest.raises(NotRetryable, match="one month"):
        list(client.iter_pages("shifts", {
            "startDateTime:between": between_param(a, a + timedelta(days=31, seconds=1))}))


def test_chunk_ids_respects_the_in_limit():
    assert chunk_ids([]) == []
    assert chunk_ids(range(100)) == [list(range(100))]
    assert chunk_ids(range(101)) == [list(range(100)), [100]]
    assert [len(c) for c in chunk_ids(range(250))] == [100, 100, 50]
    assert chunk_ids([3, 1, 3, 2, 1], 2) == [[3, 1], [2]]
    assert chunk_ids(["7", 7, "8"]) == [[7, 8]]
    for size in (0, MAX_IN_VALUES + 1):
        with pytest.raises(ValueError):
            chunk_ids([1], size)


def test_in_param():
    assert in_param([1, 2, 3]) == "1,2,3"
    with pytest.raises(ValueError):
        in_param([])
    with pytest.raises(ValueError):
        in_param(range(101))
