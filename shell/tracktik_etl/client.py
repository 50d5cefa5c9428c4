"""TrackTik REST client: OAuth2 password grant with refresh, paging by id, bounded retries,
secrets kept out of logs and errors.

One :class:`TrackTikClient` per run; it is not thread-safe. Typical use::

    client = TrackTikClient(url, client_id, client_secret, username, password)
    for window_start, window_end in between_windows(since, until):
        params = {"startDateTime:between": between_param(window_start, window_end),
                  "include": "updatedOn,clockedHours,approvedHours"}
        for page in client.iter_pages("shifts", params):
            copy_rows(page.records)   # one JSON text per record, ready for a JSONB column

Limits of the API this client respects (DESIGN.md §7): at most 1,000 records a page (paged
by id: ``sort=id`` and ``id:gt``, see :meth:`TrackTikClient.iter_pages`), ``:in`` lists of
at most 100 values (:func:`chunk_ids`), ``:between`` date-time ranges of at most one month
(:func:`between_windows`), and a portal that blocks an IP after 40 failed logins in two
minutes (at most :data:`MAX_PASSWORD_LOGINS` password logins per client).
"""

from __future__ import annotations

import calendar
import json
import logging
import random
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

logger = logging.getLogger(__name__)

MAX_PASSWORD_LOGINS = 3
"""Password logins one client may make. The portal blocks an IP after 40 failed logins in two
minutes; a client never comes near that."""
REFRESH_MARGIN_SECONDS = 60.0
"""Refresh the access token this long before it expires (at most a quarter of its life)."""
MAX_PAGE_SIZE = 1000
MAX_IN_VALUES = 100
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TOKEN_PATH = "rest/oauth2/access_token"
DATA_PATH = "rest/v1/"
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_REDACTED = "***"


# --------------------------------------------------------------------------- errors

class TrackTikError(Exception):
    """Any failure talking to TrackTik. Messages never contain secrets."""


class AuthError(TrackTikError):
    """Credentials rejected, or the API kept refusing our tokens."""


class ApiError(TrackTikError):
    """An error answer of the API (``status`` is None when no answer came at all)."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status is not None else message)
        self.status = status
        self.message = message


class RateLimited(ApiError):
    """Still 429 Too Many Requests when the retry budget ran out."""


class NotRetryable(ApiError):
    """An answer that retrying cannot fix (400 validation, 403 permission, 404, ...)."""


# --------------------------------------------------------------------------- helpers

class _Secret:
    """A string that does not show itself in reprs, logs or tracebacks' locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return repr(_REDACTED)

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def _add_month(dt: datetime) -> datetime:
    """The same wall time one calendar month later (day clamped to the month's length)."""
    year, month = (dt.year + 1, 1) if dt.month == 12 else (dt.year, dt.month + 1)
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)


def between_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Split the inclusive range [start, end] into windows the API accepts for ``:between``.

    Each window spans less than one calendar month (counted in UTC, so never more than 31
    days whatever the time zone's DST does); windows are inclusive at both ends, do not
    overlap and leave no gap at the API's one-second resolution: the next window starts one
    second after the previous one ends. Datetimes must be timezone-aware; windows are
    returned in the time zone of ``start``. An empty list when ``end < start``.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("between_windows needs timezone-aware datetimes")
    tz = start.tzinfo
    out: list[tuple[datetime, datetime]] = []
    a = start.astimezone(UTC)
    last = end.astimezone(UTC)
    while a <= last:
        b = min(last, _add_month(a) - timedelta(seconds=1))
        out.append((a.astimezone(tz), b.astimezone(tz)))
        a = b + timedelta(seconds=1)
    return out


def between_param(start: datetime, end: datetime) -> str:
    """The value of a ``<field>:between`` filter for an inclusive date-time range."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("between_param needs timezone-aware datetimes")
    return f"{_param_value(start)}|{_param_value(end)}"


def chunk_ids(ids: Iterable[int], size: int = MAX_IN_VALUES) -> list[list[int]]:
    """Split ids into lists of at most ``size`` for ``<field>:in`` filters.

    Duplicates are dropped (they would waste the API's 100-value limit); first-seen order is
    kept. ``size`` must be between 1 and 100.
    """
    if not 1 <= size <= MAX_IN_VALUES:
        raise ValueError(f"size must be between 1 and {MAX_IN_VALUES}, got {size}")
    seen: set[int] = set()
    unique: list[int] = []
    for raw in ids:
        value = int(raw)
        if value not in seen:
            seen.add(value)
            unique.append(value)
    return [unique[i:i + size] for i in range(0, len(unique), size)]


def in_param(ids: Iterable[int]) -> str:
    """The value of a ``<field>:in`` filter (at most 100 ids; see :func:`chunk_ids`)."""
    values = [str(int(i)) for i in ids]
    if not values or len(values) > MAX_IN_VALUES:
        raise ValueError(f"an :in filter takes 1 to {MAX_IN_VALUES} values, got {len(values)}")
    return ",".join(values)


def _param_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetime filter values must be timezone-aware")
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_param_value(v) for v in value)
    return str(value)


def _query_value(key: str, value: Any) -> str:
    if key.endswith(":between") and isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{key} takes a pair (low, high), got {len(value)} values")
        return f"{_param_value(value[0])}|{_param_value(value[1])}"
    return _param_value(value)


@dataclass(frozen=True)
class Page:
    """One page of a list endpoint.

    ``records`` holds each record as compact JSON text (``ensure_ascii=False``), exactly the
    value to write into a JSONB column with COPY (psycopg's ``copy.write_row`` escapes it);
    ``items`` holds the same records parsed. ``count`` is the API's total of matching records
    (None if it did not say), ``offset`` where this page starts.
    """

    resource: str
    offset: int
    count: int | None
    limit: int
    records: list[str] = field(repr=False)
    items: list[dict[str, Any]] = field(repr=False)
    fetched_at: datetime

    def __len__(self) -> int:
        return len(self.records)


# --------------------------------------------------------------------------- client

class TrackTikClient:
    """A TrackTik REST API client (see the module docstring).

    ``max_retries`` is the number of retries after the first attempt of a call, for 429,
    500/502/503/504, timeouts and connection errors; ``max_retry_seconds`` bounds the time a
    call may spend waiting between its attempts. Backoff is exponential with full jitter
    (``backoff_base * 2**n``, capped at ``backoff_cap``); a 429's ``Retry-After`` is honoured.
    TLS certificates are always verified (``ca_bundle`` names a CA file); plain ``http://`` is
    refused except to loopback (the simulator).
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 6,
        max_retry_seconds: float = 120.0,
        page_size: int = MAX_PAGE_SIZE,
        session: requests.Session | None = None,
        ca_bundle: str | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS \
                and not parts.hostname.startswith("127."):
            raise ValueError("plain http is only allowed to a loopback address; use https")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        if max_retries < 0 or max_retry_seconds < 0 or timeout <= 0:
            raise ValueError("timeout must be positive, retry limits not negative")
        if session is not None and session.verify is False and ca_bundle is None:
            raise ValueError("TLS verification cannot be disabled for TrackTik")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.client_id = client_id
        self.username = username
        self._client_secret = _Secret(client_secret)
        self._password = _Secret(password)
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_seconds = max_retry_seconds
        self.page_size = page_size
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._verify: str | bool = ca_bundle if ca_bundle else True
        self._session = session or requests.Session()
        self._session.verify = self._verify
        self._session.headers["Accept"] = "application/json"
        self._access: _Secret | None = None
        self._refresh: _Secret | None = None
        self._old_tokens: deque[_Secret] = deque(maxlen=16)  # still redacted from messages
        self._refresh_at = 0.0
        self._random = random.Random()
        self.password_logins = 0
        """Password logins made so far (at most :data:`MAX_PASSWORD_LOGINS`)."""
        self.token_refreshes = 0

    def __repr__(self) -> str:
        return (f"TrackTikClient(base_url={self.base_url!r}, client_id={self.client_id!r}, "
                f"username={self.username!r})")

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> TrackTikClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- secrets

    def _redact(self, text: str) -> str:
        for secret in (self._password, self._client_secret, self._access, self._refresh,
                       *self._old_tokens):
            if secret:
                text = text.replace(secret.reveal(), _REDACTED)
        return text

    # ----------------------------------------------------------------- tokens

    def _login(self) -> None:
        if self.password_logins >= MAX_PASSWORD_LOGINS:
            raise AuthError(
                f"refusing another password login: {self.password_logins} already made by "
                f"this client (limit {MAX_PASSWORD_LOGINS}; the portal blocks an IP after 40 "
                f"failed logins in 2 minutes)")
        self.password_logins += 1
        logger.info("logging in to %s as %s (login %d of at most %d)", self.base_url,
                    self.username, self.password_logins, MAX_PASSWORD_LOGINS)
        self._token_grant({
            "grant_type": "password",
            "client_id": self.client_id,
            "client_secret": self._client_secret.reveal(),
            "username": self.username,
            "password": self._password.reveal(),
        })

    def _refresh_or_login(self) -> None:
        if self._refresh is None:
            self._login()
            return
        refresh, self._refresh = self._refresh, None  # single-use whatever happens next
        self._old_tokens.append(refresh)
        try:
            self._token_grant({
                "grant_type": "refresh_token",
                "refresh_token": refresh.reveal(),
                "client_id": self.client_id,
                "client_secret": self._client_secret.reveal(),
            })
        except AuthError as e:
            logger.info("token refresh refused (%s); logging in again", e)
            self._login()
            return
        self.token_refreshes += 1
        logger.info("access token refreshed")

    def _token_grant(self, form: dict[str, str]) -> None:
        url = urljoin(self.base_url, TOKEN_PATH)
        try:
            resp = self._call("POST", url, data=form, authenticated=False)
        except NotRetryable as e:
            raise AuthError(f"{form['grant_type']} grant refused: {e}") from None
        try:
            body = resp.json()
            access = body["access_token"]
            expires_in = float(body.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise AuthError("token endpoint answered without a usable access token") from None
        self._old_tokens.extend(t for t in (self._access, self._refresh) if t is not None)
        self._access = _Secret(str(access))
        new_refresh = body.get("refresh_token")
        self._refresh = _Secret(str(new_refresh)) if new_refresh else None
        margin = min(REFRESH_MARGIN_SECONDS, expires_in / 4)
        self._refresh_at = time.monotonic() + expires_in - margin

    def _forget_tokens(self, *, refresh: bool) -> None:
        if self._access is not None:
            self._old_tokens.append(self._access)
            self._access = None
        if refresh and self._refresh is not None:
            self._old_tokens.append(self._refresh)
            self._refresh = None

    def _ensure_token(self) -> str:
        if self._access is None:
            if self._refresh is not None:
                self._refresh_or_login()
            else:
                self._login()
        elif time.monotonic() >= self._refresh_at:
            logger.debug("access token about to expire; refreshing")
            self._refresh_or_login()
        if self._access is None:  # pragma: no cover - _login/_refresh set it or raise
            raise AuthError("no access token after logging in")
        return self._access.reveal()

    # ----------------------------------------------------------------- HTTP with retries

    def _error_text(self, resp: requests.Response) -> str:
        try:
            body = resp.json()
        except ValueError:
            text = resp.text[:300]
        else:
            if isinstance(body, dict):
                error = body.get("error")
                message = body.get("message")
                text = ": ".join(str(x) for x in (error, message) if x) or str(body)[:300]
            else:
                text = str(body)[:300]
        return self._redact(text or resp.reason or "no detail")

    @staticmethod
    def _retry_after(resp: requests.Response) -> float | None:
        value = resp.headers.get("Retry-After")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def _backoff(self, retry: int) -> float:
        return self._random.uniform(0, min(self.backoff_cap,
                                           self.backoff_base * 2 ** (retry - 1)))

    def _call(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
              data: Mapping[str, str] | None = None,
              authenticated: bool = True) -> requests.Response:
        """One API call with bounded retries and 401 recovery; returns a 2xx response."""
        what = f"{method} {urlsplit(url).path}"
        started = time.monotonic()
        retries = 0
        auth_recoveries = 0
        while True:
            headers = {"Authorization": "Bearer " + self._ensure_token()} if authenticated \
                else {}
            retry_after: float | None = None
            try:
                resp = self._session.request(method, url, params=params, data=data,
                                             headers=headers, timeout=self.timeout,
                                             verify=self._verify)
            except (requests.Timeout, requests.ConnectionError) as e:
                status: int | None = None
                detail = str(e)[:200]
                reason = self._redact(
                    f"{type(e).__name__} (timeout {self.timeout:g} s): {detail}"
                    if isinstance(e, requests.Timeout) else f"{type(e).__name__}: {detail}")
            else:
                if resp.status_code < 400:
                    return resp
                status = resp.status_code
                reason = self._error_text(resp)
                if status == 401 and authenticated:
                    auth_recoveries += 1
                    if auth_recoveries == 1 and self._refresh is not None:
                        logger.info("%s: 401 (%s); refreshing the access token", what, reason)
                        self._forget_tokens(refresh=False)
                        self._refresh_or_login()
                        continue
                    if auth_recoveries <= 2:
                        logger.info("%s: 401 (%s); logging in again", what, reason)
                        self._forget_tokens(refresh=True)
                        self._login()
                        continue
                    raise AuthError(f"{what}: still 401 after refreshing the token and "
                                    f"logging in again: {reason}")
                if status not in RETRY_STATUSES:
                    raise NotRetryable(status, f"{what}: {reason}")
                if status == 429:
                    retry_after = self._retry_after(resp)
            retries += 1
            if retries > self.max_retries:
                self._give_up(status, f"{what}: {reason}; gave up after {retries} attempts "
                                      f"(max_retries={self.max_retries})")
            delay = retry_after if retry_after is not None else self._backoff(retries)
            spent = time.monotonic() - started
            if spent + delay > self.max_retry_seconds:
                self._give_up(status, f"{what}: {reason}; gave up after {retries} attempts: "
                                      f"waiting {delay:.1f} s more would exceed "
                                      f"max_retry_seconds={self.max_retry_seconds:g}")
            logger.warning("%s: %s; retry %d of %d in %.2f s", what,
                           status if status is not None else reason, retries,
                           self.max_retries, delay)
            time.sleep(delay)

    @staticmethod
    def _give_up(status: int | None, message: str) -> None:
        if status == 429:
            raise RateLimited(status, message)
        raise ApiError(status, message)

    # ----------------------------------------------------------------- lists

    def iter_pages(self, resource: str,
                   params: Mapping[str, Any] | None = None) -> Iterator[Page]:
        """All pages of ``GET /rest/v1/<resource>`` for the given filters, paged by id.

        Each request asks for ``page_size`` records sorted by id (``sort=id``); the next page
        asks for the same filters plus ``id:gt=<the largest id of the page before>``. Paging
        stops only on a page shorter than ``page_size`` — never on ``meta.count`` — so records
        added or deleted in TrackTik between two pages cannot make the run skip or repeat one
        (offset paging over changing data does both; ``DESIGN.md`` §7). ``Page.offset`` counts
        the records before the page. Values may be str, int, bool, date, aware datetime
        (sent as ``YYYY-MM-DDThh:mm:ss±hh:mm``), or a list (joined with commas:
        ``{"position:in": [1, 2]}``); a ``:between`` filter also takes a pair
        (``{"startDateTime:between": (lo, hi)}``); an ``id:gt`` filter is where paging starts.
        ``limit``, ``offset``, ``page`` and ``sort`` are the client's business and refused here.
        """
        if not resource or not all(ch.isalnum() or ch in "-_" for ch in resource):
            raise ValueError(f"invalid resource name {resource!r}")
        query = {k: _query_value(k, v) for k, v in (params or {}).items()}
        for reserved in ("limit", "offset", "page", "sort"):
            if reserved in query:
                raise ValueError(f"{reserved!r} is managed by the client; do not pass it")
        query["sort"] = "id"
        after = int(query.pop("id:gt")) if "id:gt" in query else None
        url = urljoin(self.base_url, DATA_PATH + resource)
        offset = 0
        while True:
            page_query = {**query, "limit": str(self.page_size)}
            if after is not None:
                page_query["id:gt"] = str(after)
            resp = self._call("GET", url, params=page_query)
            try:
                body = resp.json()
                data = body["data"]
                meta = body.get("meta") or {}
            except (ValueError, KeyError, TypeError, AttributeError):
                raise ApiError(resp.status_code,
                               f"GET {resource}: the answer is not a TrackTik list") from None
            if not isinstance(data, list):
                raise ApiError(resp.status_code, f"GET {resource}: 'data' is not a list")
            count = meta.get("count") if isinstance(meta, dict) else None
            page = Page(
                resource=resource,
                offset=offset,
                count=count if isinstance(count, int) else None,
                limit=self.page_size,
                records=[json.dumps(r, ensure_ascii=False, separators=(",", ":"))
                         for r in data],
                items=data,
                fetched_at=datetime.now(UTC),
            )
            logger.debug("%s: %d records after id %s (%s matching)", resource, len(data),
                         after, page.count)
            yield page
            offset += len(data)
            if len(data) < self.page_size:
                return
            ids = [r["id"] for r in data if isinstance(r, dict) and type(r.get("id")) is int]
            if not ids or (after is not None and max(ids) <= after):
                raise ApiError(resp.status_code,
                               f"GET {resource}: a full page without a larger integer id; "
                               "cannot page further by id")
            after = max(ids)

    def iter_records(self, resource: str,
                     params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every record (parsed) of ``GET /rest/v1/<resource>``; see :meth:`iter_pages`."""
        for page in self.iter_pages(resource, params):
            yield from page.items
