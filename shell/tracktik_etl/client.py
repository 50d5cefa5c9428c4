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
import math
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import requests
from pydantic import SecretStr
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from .errors import redact

logger = logging.getLogger(__name__)

MAX_PASSWORD_LOGINS = 3
"""Password logins one client may make. The portal blocks an IP after 40 failed logins in two
minutes; a client never comes near that."""
REFRESH_MARGIN_SECONDS = 60.0
"""Refresh the access token this long before it expires (at most a quarter of its life)."""
MAX_PAGE_SIZE = 1000
MAX_IN_VALUES = 100
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_CONNECT_RETRIES = 2
"""Retries of a call whose connection could not be made (refused, no such host): an
unreachable portal is reported within a second or so, not after the whole retry budget."""
TOKEN_PATH = "rest/oauth2/access_token"
DATA_PATH = "rest/v1/"


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

def portal_base_url(url: str) -> str:
    """``url`` with a trailing slash, if it is https (plain http only to loopback: the simulator)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError(f"must be an http(s) URL, got {url!r}")
    if parts.scheme == "http" and not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ValueError(f"must use https (plain http only to a loopback address, e.g. the simulator), "
                         f"got {url!r}")
    return url if url.endswith("/") else url + "/"


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
    unique = list(dict.fromkeys(int(i) for i in ids))
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

class _CallRetry(Retry):
    """urllib3's ``Retry`` (the requests adapter retries 429, 5xx, timeouts and connection
    errors, honouring ``Retry-After``) plus what urllib3 lacks: a time budget for one call,
    a log line per retry, and the causes of its failures, shared by the ``Retry`` objects
    urllib3 derives from this one during the call."""

    deadline: float = math.inf

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures: list[str] = []

    def new(self, **kw: Any) -> Self:
        derived = super().new(**kw)
        derived.deadline, derived.failures = self.deadline, self.failures
        return derived

    def increment(self, method: str | None = None, url: str | None = None,
                  response: BaseHTTPResponse | None = None, error: Exception | None = None,
                  *args: Any, **kwargs: Any) -> Self:
        self.failures.append(str(response.status) if response is not None else type(error).__name__)
        return super().increment(method, url, response, error, *args, **kwargs)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        try:
            delay = self.get_retry_after(response) if response is not None else None
        except InvalidHeader:
            delay = None
        delay = self.get_backoff_time() if delay is None else delay
        last = self.history[-1]
        if time.monotonic() + delay > self.deadline:
            raise _OutOfTime(delay)
        logger.info("%s %s: %s; retry %d in %.2f s", last.method, urlsplit(last.url or "").path,
                    self.failures[-1], len(self.history), delay)
        time.sleep(delay)


class _OutOfTime(Exception):
    def __init__(self, delay: float) -> None:
        self.delay = delay


def _network_reason(exc: BaseException, netloc: str, timeout: float) -> str:
    """One readable phrase for a failed connection or a timeout (never urllib3's repr)."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 12:
        chain.append(cause)
        nested = getattr(cause, "reason", None)
        cause = nested if isinstance(nested, BaseException) else (
            cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else cause.__cause__)
    timeouts = [type(e).__name__.removesuffix("Error") for e in chain if "Timeout" in type(e).__name__]
    if timeouts:
        return f"no answer from {netloc} within {timeout:g} s ({timeouts[0]})"
    text = getattr(chain[-1], "strerror", None) or str(chain[-1])
    return f"{netloc} unreachable: " + (text.strip().splitlines() or [type(chain[-1]).__name__])[0][:160]


class TrackTikClient:
    """A TrackTik REST API client (see the module docstring).

    ``max_retries`` is the number of retries after the first attempt of a call, for 429,
    500/502/503/504, timeouts and connection errors (at most :data:`MAX_CONNECT_RETRIES`
    for a connection that could not be made); ``max_retry_seconds`` bounds the time a call
    may spend waiting between its attempts. urllib3's ``Retry`` does the waiting: the first
    retry at once, then ``backoff_base * 2**n`` plus up to ``backoff_base`` of jitter,
    capped at ``backoff_cap``; a ``Retry-After`` is honoured. TLS certificates are always
    verified (``ca_bundle`` names a CA file); plain ``http://`` is refused except to
    loopback (the simulator).
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
        backoff_base: float = 0.25,
        backoff_cap: float = 30.0,
    ) -> None:
        self.base_url = portal_base_url(base_url)
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        if max_retries < 0 or max_retry_seconds < 0 or timeout <= 0:
            raise ValueError("timeout must be positive, retry limits not negative")
        if session is not None and session.verify is False and ca_bundle is None:
            raise ValueError("TLS verification cannot be disabled for TrackTik")
        self.client_id = client_id
        self.username = username
        self._client_secret = SecretStr(client_secret)
        self._password = SecretStr(password)
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_seconds = max_retry_seconds
        self.page_size = page_size
        self._retry = _CallRetry(
            total=max_retries, connect=min(max_retries, MAX_CONNECT_RETRIES), redirect=False,
            status_forcelist=RETRY_STATUSES, allowed_methods=None, raise_on_status=False,
            backoff_factor=backoff_base, backoff_jitter=backoff_base, backoff_max=backoff_cap)
        self._adapter = HTTPAdapter(max_retries=self._retry)
        self._session = session or requests.Session()
        self._session.mount("https://", self._adapter)
        self._session.mount("http://", self._adapter)
        self._session.verify = ca_bundle if ca_bundle else True
        self._session.headers["Accept"] = "application/json"
        self._access: SecretStr | None = None
        self._refresh: SecretStr | None = None
        self._old_tokens: deque[SecretStr] = deque(maxlen=16)  # still redacted from messages
        self._refresh_at = 0.0
        self.password_logins = 0
        """Password logins made so far (at most :data:`MAX_PASSWORD_LOGINS`)."""
        self.token_refreshes = 0

    def __repr__(self) -> str:
        return (f"TrackTikClient(base_url={self.base_url!r}, client_id={self.client_id!r}, "
                f"username={self.username!r})")

    def close(self) -> None:
        self._session.close()

    def _redact(self, text: str) -> str:
        secrets = (self._password, self._client_secret, self._access, self._refresh, *self._old_tokens)
        return redact(text, (s.get_secret_value() for s in secrets if s is not None))

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
            "client_secret": self._client_secret.get_secret_value(),
            "username": self.username,
            "password": self._password.get_secret_value(),
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
                "refresh_token": refresh.get_secret_value(),
                "client_id": self.client_id,
                "client_secret": self._client_secret.get_secret_value(),
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
        self._access = SecretStr(str(access))
        new_refresh = body.get("refresh_token")
        self._refresh = SecretStr(str(new_refresh)) if new_refresh else None
        margin = min(REFRESH_MARGIN_SECONDS, expires_in / 4)
        self._refresh_at = time.monotonic() + expires_in - margin

    def _forget_tokens(self, *, refresh: bool) -> None:
        self._old_tokens.extend(t for t in (self._access, self._refresh if refresh else None) if t)
        self._access = None
        if refresh:
            self._refresh = None

    def _ensure_token(self) -> str:
        if self._access is None:
            self._refresh_or_login()
        elif time.monotonic() >= self._refresh_at:
            logger.debug("access token about to expire; refreshing")
            self._refresh_or_login()
        if self._access is None:  # pragma: no cover - _login/_refresh set it or raise
            raise AuthError("no access token after logging in")
        return self._access.get_secret_value()

    # ----------------------------------------------------------------- HTTP

    def _error_text(self, resp: requests.Response) -> str:
        try:
            body = resp.json()
        except ValueError:
            text = resp.text[:300]
        else:
            text = str(body)[:300]
            if isinstance(body, dict):
                text = ": ".join(str(body[k]) for k in ("error", "message") if body.get(k)) or text
        return self._redact(text or resp.reason or "no detail")

    def _call(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
              data: Mapping[str, str] | None = None,
              authenticated: bool = True) -> requests.Response:
        """One API call: retries by the adapter (bounded in number and time), then recovery
        from a 401 (first a token refresh, then a new login); returns a 2xx response."""
        what = f"{method} {urlsplit(url).path}"
        for recovery in range(3):
            headers = {"Authorization": "Bearer " + self._ensure_token()} if authenticated else {}
            retry = self._adapter.max_retries = self._retry.new()
            retry.deadline, retry.failures = time.monotonic() + self.max_retry_seconds, []
            try:
                resp = self._session.request(method, url, params=params, data=data,
                                             headers=headers, timeout=self.timeout)
            except _OutOfTime as e:
                status = int(retry.failures[-1]) if retry.failures[-1].isdigit() else None
                raise (RateLimited if status == 429 else ApiError)(
                    status, f"{what}: {retry.failures[-1]}; gave up after {len(retry.failures)} "
                            f"attempts: waiting {e.delay:.1f} s more would exceed "
                            f"max_retry_seconds={self.max_retry_seconds:g}") from None
            except requests.RequestException as e:
                raise ApiError(None, self._redact(
                    f"{what}: {_network_reason(e, urlsplit(url).netloc, self.timeout)}; "
                    f"gave up after {len(retry.failures) or 1} attempts")) from None
            if resp.status_code < 400:
                return resp
            status, reason = resp.status_code, self._error_text(resp)
            if status == 401 and authenticated and recovery < 2:
                refresh = recovery == 0 and self._refresh is not None
                logger.info("%s: 401 (%s); %s", what, reason,
                            "refreshing the access token" if refresh else "logging in again")
                self._forget_tokens(refresh=not refresh)
                self._refresh_or_login() if refresh else self._login()
            elif status == 401 and authenticated:
                raise AuthError(f"{what}: still 401 after refreshing the token and "
                                f"logging in again: {reason}")
            elif status in RETRY_STATUSES:
                raise (RateLimited if status == 429 else ApiError)(
                    status, f"{what}: {reason}; gave up after {len(retry.failures)} attempts "
                            f"(max_retries={self.max_retries})")
            else:
                raise NotRetryable(status, f"{what}: {reason}")
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    # ----------------------------------------------------------------- lists

    def iter_pages(self, resource: str,
                   params: Mapping[str, Any] | None = None) -> Generator[Page, None, None]:
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
