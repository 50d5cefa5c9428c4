"""What the real API refuses, the simulator refuses: 400 with the portal's error body."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.invalid_requests  # these requests are refused on purpose

WINDOW = {"startDateTime:between": "2025-02-03T00:00:00+00:00|2025-02-10T00:00:00+00:00"}


@pytest.mark.parametrize(("resource", "params", "needle"), [
    ("employees", {"limit": 1001}, "limit"),
    ("employees", {"limit": 0}, "limit"),
    ("employees", {"offset": -1}, "offset"),
    ("employees", {"includeInactive": "maybe"}, "includeInactive"),
    ("employees", {"id:in": ""}, "Empty"),
    ("employees", {"updatedOn:after": "yesterday"}, "Invalid date-time"),
    ("employees", {"updatedOn:between": "2025-01-01T00:00:00+00:00|2025-02-01T00:00:01+00:00"},
     "one month"),
    ("employees", {"updatedOn:between": "2025-02-01T00:00:00+00:00|2025-01-01T00:00:00+00:00"},
     "after"),
    ("employees", {"updatedOn:between": "2025-01-01T00:00:00+00:00"}, "two values"),
    ("employees", {"status:like": "A"}, "Operator"),
])
def test_invalid_values_are_400_with_a_reason(api, resource, params, needle):
    assert needle in api.error(resource, params, 400)


@pytest.mark.parametrize(("resource", "params"), [
    ("employees", {"page": 2}),
    ("shifts", {**WINDOW, "page": 1}),
    ("regions", {"nonsense": 1}),
    ("clients", {"pageSize": 10}),
])
def test_an_undocumented_parameter_is_refused(api, resource, params):
    assert "not a documented parameter" in api.error(resource, params, 400)


@pytest.mark.parametrize(("resource", "params"), [
    ("position-bill-settings", {"position:in": "1001,1002"}),
    ("position-bill-settings", {"position": 1001}),
    ("clients", {"account": 1}),
    ("shift-logs", {"position": 1001}),
    ("employees", {"bogus:after": "2025-01-01T00:00:00+00:00"}),
])
def test_a_filter_on_a_field_that_is_not_a_property_of_the_item_is_refused(api, resource,
                                                                           params):
    assert "not a documented parameter or a property" in api.error(resource, params, 400)


def test_updated_on_is_a_property_of_shifts_but_not_a_required_filter(api):
    error = api.error("shifts", {"updatedOn:after": "2025-02-08T00:00:00+00:00"}, 400)
    assert "filter is required" in error
    body = api.ok("shifts", {"updatedOn:after": "2025-02-08T00:00:00+00:00", **WINDOW})
    assert 0 < body["meta"]["count"] < api.ok("shifts", WINDOW)["meta"]["count"]


def test_id_in_is_a_custom_filter_that_is_not_a_required_filter(api):
    assert "filter is required" in api.error("shifts", {"idIn": "1000001,1000002"}, 400)
    some = [r["id"] for r in api.ok("shifts", {"id:gt": 0, "limit": 3})["data"]]
    rows = api.ok("shifts", {"idIn": f"{some[0]},{some[2]}", "id:gt": 0})["data"]
    assert [r["id"] for r in rows] == [some[0], some[2]]


@pytest.mark.parametrize("params", [
    {"limit": 10},
    {"include": "employee", "sort": "id"},
    {"position:in": "1001,1002"},
    {"status": "ACTIVE", "includeInactive": "true"},
    # ignored, so they satisfy nothing:
    {"startDateTime:gte": "2025-03-01T00:00:00+00:00"},
    {"modifiedOn:lte": "2025-03-01T00:00:00+00:00", "endDateTime:gt": "2025-03-01T00:00:00+00:00"},
])
def test_shifts_without_a_required_filter_are_refused(api, params):
    assert "filter is required" in api.error("shifts", params, 400)


@pytest.mark.parametrize("params", [
    {"id:gt": 0}, {"id:in": "1000001,1000002"}, {"employee": 10001}, {"employee.id": 10001},
    {"modifiedOn:after": "2025-03-01T00:00:00+00:00"},
    {"endDateTime:before": "2025-01-09T00:00:00+00:00"}, {"customId": "SH-1000001"},
    {"startsOn:after": "2025-03-20T00:00:00+00:00"}, {"endTimestamp:lt": 1736500000},
    {"lastModified:after": "2025-03-20T00:00:00+00:00"}, {"scope": "VACANT"},
])
def test_each_documented_required_filter_is_enough(api, params):
    assert api.ok("shifts", {**params, "limit": 1})["meta"]["count"] >= 0


def test_between_over_one_month_on_a_date_time_is_refused(api):
    too_long = "2025-01-06T00:00:00+00:00|2025-02-06T00:00:01+00:00"
    assert "one month" in api.error("shifts", {"startDateTime:between": too_long}, 400)
    assert "one month" in api.error("shift-logs", {"createdOn:between": too_long}, 400)


def test_between_on_a_number_is_refused(api):
    assert "date filter" in api.error("shifts", {"id:between": "1000001|1000500"}, 400)


def test_more_than_100_values_in_in_are_refused(api):
    values = ",".join(str(i) for i in range(1, 102))
    assert "Too many values" in api.error("employees", {"region:in": values}, 400)
    assert "Too many values" in api.error("shifts", {"id:in": values}, 400)
    assert api.ok("employees", {"region:in": ",".join(str(i) for i in range(1, 101))})


@pytest.mark.parametrize(("resource", "include"), [
    ("regions", "bogus"),
    ("regions", "updatedOn,bogus"),
    ("positions", "billingSetting.bogus"),
    ("positions", "billingSetting.billSettings.bogus"),
    ("positions", "billSettings"),
    ("shifts", "position.bogus"),
    ("regions", "name"),  # a default field is not an on-demand field
    ("shifts", "startDateTime"),
])
def test_an_unknown_include_is_refused(api, resource, include):
    params = {"include": include, **(WINDOW if resource == "shifts" else {})}
    assert "nclude" in api.error(resource, params, 400)


def test_sort_on_a_field_that_is_not_a_property_is_refused(api):
    assert "not a property" in api.error("employees", {"sort": "salary"}, 400)


def test_an_unknown_scope_is_refused(api):
    assert "scope" in api.error("shifts", {"scope": "EVERYTHING"}, 400)


def test_unencoded_plus_in_an_offset_is_reported(api):
    resp = api.http.get(
        api.url + "rest/v1/shifts?modifiedOn:after=2025-01-06T00:00:00+00:00",
        headers={"Authorization": "Bearer " + api.token()}, timeout=10)
    assert resp.status_code == 400 and "%2B" in resp.json()["error"]


def test_documented_but_unsimulated_parameters_answer_501_not_400(api):
    resp = api.get("regions", {"byCoordinates": "45.5,-73.6"})
    assert resp.status_code == 501 and resp.json()["status"] == 501
    assert "does not model" in resp.json()["error"]
