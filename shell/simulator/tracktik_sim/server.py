"""HTTP front of the simulator: OAuth2 tokens, list endpoints, fault injection, statistics.

Control endpoints (no token needed; never subject to faults):

- ``GET /_sim/stats`` (``DELETE`` resets): request counts per path and status, logins.
- ``GET|POST|DELETE /_sim/faults``: show, add (JSON ``{"kind": ..., ...}`` or a list of
  them; see :meth:`FaultState.set`), clear.
- ``POST /_sim/mutate`` (JSON ``{"step": n}``, optional): see :meth:`Simulator.mutate`.
- ``POST /_sim/delete-shifts`` (JSON ``{"ids": [...]}``): see :meth:`Simulator.delete_shifts`.
- ``POST /_sim/change`` (JSON ``{"change": <name>, ...its arguments}``): one portal change,
  a method of :class:`Simulator` named in :data:`CHANGES` (``add_shift``, ``edit_shift``,
  ``cancel_shift``, ``delete_shifts``, ``add_bill_setting``, ``delete_bill_setting``,
  ``set_billing``, ``move_post``, ``set_non_billable``, ``stamp_record``); instants and dates
  as ISO text.
- ``GET /_sim/truth?start=YYYY-MM-DD&end=YYYY-MM-DD``: see :meth:`Simulator.truth`.
- ``GET|PUT /_sim/clock`` (JSON ``{"clock": "<iso>"}``): the simulator's "now".
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tracktik_sim.core import Simulator
from tracktik_sim.data import CYCLE, SimulatorConfig
from tracktik_sim.query import HELD, RESOURCES, ApiProblem, on_demand_fields

logger = logging.getLogger(__name__)

TOKEN_PATH = "/rest/oauth2/access_token"
DATA_PREFIX = "/rest/v1/"
JSON_HEADERS = {"Content-Type": "application/json"}

Response = tuple[int, Any, dict[str, str]]


@dataclass(frozen=True)
class Exchange:
    """One API request the simulator answered (control requests under ``/_sim/`` excluded):
    what an observer in :data:`OBSERVERS` is given."""

    method: str
    path: str
    query: str
    """The raw query string, percent-encoded as the client sent it."""
    status: int
    body: Any
    """The JSON payload answered."""
    faults: tuple[str, ...] = ()
    """The injected faults (kinds of :class:`FaultState`) that shaped this answer, sorted:
    "malformed" when a served record was broken on purpose, "truncated", "omit_field" when
    an included field was withheld, "churn" when records were deleted and added after this
    page, "billing_discrepancy" when a billable item served is off on purpose, and the kinds
    that replaced the answer with an error ("rate_limit", "error",
    "forbidden"). A contract check skips what a test broke on
    purpose. ("slow" only delays a normal answer and is not listed.)"""


OBSERVERS: list[Callable[[Exchange], None]] = []
"""Callables given every :class:`Exchange` of every simulator served in this process, in the
server's thread, after the answer is made (the contract tests validate requests and responses
against the OpenAPI description with one). An observer that raises is logged, not fatal."""


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return status, {"status": status, "error": message}, dict(headers or {})


# --------------------------------------------------------------------------- statistics

class Stats:
    """What the server saw. Thread-safe; read :meth:`snapshot` or the attributes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: Counter[tuple[str, int]] = Counter()
            self.password_logins = 0
            self.refresh_grants = 0
            self.failed_logins = 0
            self.failed_refreshes = 0

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests[(f"{method} {path}", status)] += 1

    def count(self, path: str | None = None, status: int | None = None,
              method: str | None = None) -> int:
        """Requests matching a path (exact, or a prefix ending in '/'), status and method."""
        with self._lock:
            items = list(self.requests.items())
        total = 0
        for (key, st), n in items:
            m, _, p = key.partition(" ")
            if method is not None and m != method:
                continue
            if path is not None and p != path and not (path.endswith("/")
                                                       and p.startswith(path)):
                continue
            if status is not None and st != status:
                continue
            total += n
        return total

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            per_path: dict[str, dict[str, int]] = {}
            for (key, status), n in sorted(self.requests.items()):
                per_path.setdefault(key, {})[str(status)] = n
            return {
                "requests": per_path,
                "totalRequests": sum(self.requests.values()),
                "logins": {"password": self.password_logins, "refresh": self.refresh_grants,
                           "failed": self.failed_logins,
                           "failedRefresh": self.failed_refreshes},
            }


# --------------------------------------------------------------------------- auth

class AuthState:
    """Tokens and the failed-login block.

    ``fail_limit`` failed logins from one IP within ``fail_window`` seconds block that IP for
    ``block_seconds`` (every ``/rest/`` call gets 403). Refresh tokens are single-use.
    """

    def __init__(self, config: SimulatorConfig, stats: Stats) -> None:
        self.config = config
        self.stats = stats
        self.fail_limit = 40
        self.fail_window = 120.0
        self.block_seconds = 120.0
        self.expires_in = config.expires_in
        """Lifetime in seconds of newly issued access tokens (a fault can shorten it)."""
        self._lock = threading.Lock()
        self._access: dict[str, float] = {}
        self._refresh: set[str] = set()
        self._failures: dict[str, deque[float]] = {}
        self._blocked: dict[str, float] = {}
        self._issued = 0
        self.issued: list[str] = []
        """Every token issued so far (tests check that none of them leaks into logs)."""

    def blocked(self, ip: str) -> bool:
        with self._lock:
            until = self._blocked.get(ip)
            if until is None:
                return False
            if time.monotonic() >= until:
                del self._blocked[ip]
                return False
            return True

    def blocked_ips(self) -> list[str]:
        now = time.monotonic()
        with self._lock:
            return sorted(ip for ip, until in self._blocked.items() if until > now)

    def unblock(self) -> None:
        with self._lock:
            self._blocked.clear()
            self._failures.clear()

    def recent_failures(self, ip: str) -> int:
        now = time.monotonic()
        with self._lock:
            return sum(1 for t in self._failures.get(ip, ()) if now - t <= self.fail_window)

    def _fail(self, ip: str) -> None:
        now = time.monotonic()
        with self._lock:
            self.stats.failed_logins += 1
            q = self._failures.setdefault(ip, deque())
            q.append(now)
            while q and now - q[0] > self.fail_window:
                q.popleft()
            if len(q) >= self.fail_limit:
                self._blocked[ip] = now + self.block_seconds
                logger.warning("simulator: blocking %s after %d failed logins", ip, len(q))

    def _issue(self) -> dict[str, Any]:
        with self._lock:
            self._issued += 1
            n = self._issued
            seed = f"{self.config.seed}:{self.config.client_id}:{n}"
            access = hashlib.sha256(f"access:{seed}".encode()).hexdigest()
            refresh = hashlib.sha256(f"refresh:{seed}".encode()).hexdigest()
            now = time.monotonic()
            for tok, exp in list(self._access.items()):
                if exp <= now:
                    del self._access[tok]
            self._access[access] = now + self.expires_in
            self._refresh.add(refresh)
            self.issued += [access, refresh]
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                "expires_in": self.expires_in}

    def expire_all(self, refresh_too: bool = False) -> None:
        with self._lock:
            self._access.clear()
            if refresh_too:
                self._refresh.clear()

    def check_bearer(self, header: str | None) -> str | None:
        """None when the Authorization header carries a live token, else the reason."""
        if not header or not header.startswith("Bearer "):
            return "Missing bearer token"
        token = header[7:].strip()
        with self._lock:
            exp = self._access.get(token)
            if exp is None:
                return "Invalid access token"
            if time.monotonic() >= exp:
                del self._access[token]
                return "The access token has expired"
        return None

    def grant(self, form: Mapping[str, str], ip: str) -> Response:
        cfg = self.config
        grant = form.get("grant_type", "")

        def same(a: str | None, b: str) -> bool:
            return a is not None and hmac.compare_digest(a.encode(), b.encode())

        if grant not in ("password", "refresh_token"):
            return 400, {"error": "unsupported_grant_type",
                         "message": f"Unsupported grant type {grant!r}"}, {}
        if not (same(form.get("client_id"), cfg.client_id)
                and same(form.get("client_secret"), cfg.client_secret)):
            self._fail(ip)
            return 401, {"error": "invalid_client",
                         "message": "Client authentication failed"}, {}
        if grant == "password":
            if not (same(form.get("username"), cfg.username)
                    and same(form.get("password"), cfg.password)):
                self._fail(ip)
                return 400, {"error": "invalid_grant",
                             "message": "Invalid username and password combination"}, {}
            with self._lock:
                self.stats.password_logins += 1
            return 200, self._issue(), {"Cache-Control": "no-store"}
        token = form.get("refresh_token", "")
        with self._lock:
            known = token in self._refresh
            if known:
                self._refresh.discard(token)  # single use
                self.stats.refresh_grants += 1
            else:
                self.stats.failed_refreshes += 1
        if not known:
            return 400, {"error": "invalid_grant",
                         "message": "Invalid refresh token (unknown or already used)"}, {}
        return 200, self._issue(), {"Cache-Control": "no-store"}


# --------------------------------------------------------------------------- faults

_COUNTED = ("slow", "rate_limit", "error")
FAULT_KINDS = frozenset({"rate_limit", "error", "slow", "expire_tokens", "token_lifetime",
                         "malformed", "truncated", "forbidden", "omit_field", "churn",
                         "billing_discrepancy"})
CHANGES = frozenset({"add_shift", "edit_shift", "cancel_shift", "delete_shifts",
                     "add_bill_setting", "delete_bill_setting", "set_billing", "move_post",
                     "set_non_billable", "stamp_record"})
"""Portal changes the control route ``POST /_sim/change`` may make (methods of Simulator)."""


class FaultState:
    """Faults injected into the ``/rest/`` API, chosen per test.

    Kinds (``set(kind, **params)``; over HTTP ``POST /_sim/faults {"kind": kind, ...}``):

    - ``rate_limit``: ``count`` (1), ``retry_after`` seconds (1; null omits the header),
      ``path`` prefix ("/rest/v1/"): the next ``count`` matching requests get 429.
    - ``error``: ``count`` (1), ``status`` (500; 502/503/504 too), ``path``.
    - ``slow``: ``count`` (1), ``seconds``, ``path``: sleep before answering normally.
    - ``expire_tokens``: ``refresh`` (false): invalidate every access token now (and every
      refresh token when ``refresh`` is true).
    - ``token_lifetime``: ``expires_in``: lifetime of tokens issued from now on.
    - ``malformed``: ``resource``, ``count`` (1), ``defects`` (list; "missing_field",
      "offset_less_timestamp", "unknown_reference", and for shifts "end_before_start",
      "over_24h", "approved_gt_clocked", "unknown_employee"), optional ``field`` (for
      missing_field) and ``ids``: those records are served broken. See :attr:`malformed`.
    - ``truncated``: ``resource``, ``fraction`` (0.5): listings of the resource silently
      return only about that fraction of the matching records (and a matching count).
    - ``forbidden``: ``resource``: its list answers 403 ``{"status": 403, "error": ...}``, as
      for a user without the permission (for the ``doctor`` command).
    - ``omit_field``: ``resource``, ``field`` (an on-demand property): the portal never
      returns that field, even when included (for the ``doctor`` command). Several fields
      may be withheld at once.
    - ``churn``: ``resource`` (only "shifts"), ``delete`` (2), ``add`` (2): after each page of
      the resource served, that many records matching the request (its filters, not its
      paging) are deleted and that many added, on both sides of the last id served: after the
      1st, 3rd, ... page the deleted ones below it and the added ones above, after the 2nd,
      4th, ... the other way round (see :meth:`Simulator.churn`). Offset paging then skips
      and repeats records, and ``meta.count`` changes between pages. Each page's changes are
      appended to :attr:`churned`.
    - ``billing_discrepancy``: ``count`` (1) or ``ids`` (shift ids), ``amount`` (10.0; not 0,
      may be negative): the billable items of those shifts (by default the first ``count``
      shifts of Kaiser posts that TrackTik bills, by id) are served with ``price`` off by
      ``amount``; what TrackTik computes (and ``truth()``) is unchanged. Setting it again
      replaces the shifts. See :attr:`discrepancies`.

    Count-based kinds apply in the order slow, rate_limit, error; setting a kind again
    replaces it. Control endpoints (``/_sim/``) are never affected.
    """

    def __init__(self, sim: Simulator, auth: AuthState) -> None:
        self._sim = sim
        self._auth = auth
        self._lock = threading.Lock()
        self._counted: dict[str, dict[str, Any]] = {}
        self.malformed: dict[str, dict[int, tuple[str, str]]] = {}
        """Per resource: record id -> (defect, field) currently served broken."""
        self.truncated: dict[str, float] = {}
        self.forbidden: set[str] = set()
        """Resources whose list answers 403."""
        self.omitted: dict[str, set[str]] = {}
        """Per resource: on-demand fields never returned."""
        self.churn: dict[str, dict[str, int]] = {}
        """Per resource: records deleted and added after each page served."""
        self.churned: list[dict[str, Any]] = []
        """What churn did, one entry per page: ``{"resource", "lastId", "deleted", "added"}``."""
        self.discrepancies: dict[int, float] = {}
        """Shift id -> amount its billable items are off by (``billing_discrepancy``)."""

    def set(self, kind: str, **params: Any) -> dict[str, Any]:
        """Add a fault (see the class docstring); returns what was set."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if kind in _COUNTED:
            rule = {"count": int(params.pop("count", 1)),
                    "path": str(params.pop("path", DATA_PREFIX))}
            if kind == "rate_limit":
                ra = params.pop("retry_after", 1)
                rule["retry_after"] = None if ra is None else int(ra)
            elif kind == "error":
                rule["status"] = int(params.pop("status", 500))
                if rule["status"] < 500 or rule["status"] > 599:
                    raise ValueError("error status must be 5xx")
            else:
                rule["seconds"] = float(params.pop("seconds"))
            self._no_more(kind, params)
            with self._lock:
                self._counted[kind] = rule
            return {"kind": kind, **rule}
        if kind == "expire_tokens":
            refresh = bool(params.pop("refresh", False))
            self._no_more(kind, params)
            self._auth.expire_all(refresh_too=refresh)
            return {"kind": kind, "refresh": refresh}
        if kind == "token_lifetime":
            expires_in = int(params.pop("expires_in"))
            self._no_more(kind, params)
            if expires_in < 1:
                raise ValueError("expires_in must be at least 1")
            self._auth.expires_in = expires_in
            return {"kind": kind, "expires_in": expires_in}
        if kind == "billing_discrepancy":
            amount = float(params.pop("amount", 10.0))
            ids = params.pop("ids", None)
            count = int(params.pop("count", 1))
            self._no_more(kind, params)
            if amount == 0 or amount != amount:
                raise ValueError("amount must be a non-zero number")
            targets = [int(i) for i in ids] if ids is not None \
                else self._sim.pick_billing_discrepancies(count)
            with self._lock:
                self.discrepancies = {sid: amount for sid in targets}
            return {"kind": kind, "ids": targets, "amount": amount}
        resource = str(params.pop("resource"))
        if resource not in RESOURCES:
            raise ValueError(f"unknown resource {resource!r}; use one of {sorted(RESOURCES)}")
        if kind == "forbidden":
            self._no_more(kind, params)
            with self._lock:
                self.forbidden.add(resource)
            return {"kind": kind, "resource": resource}
        if kind == "omit_field":
            fld = str(params.pop("field"))
            self._no_more(kind, params)
            allowed = on_demand_fields(resource) & HELD[resource]
            if fld not in allowed:
                raise ValueError(f"field of omit_field must be an on-demand field of {resource} "
                                 f"that the simulator returns: {sorted(allowed)}")
            with self._lock:
                self.omitted.setdefault(resource, set()).add(fld)
            return {"kind": kind, "resource": resource, "field": fld}
        if kind == "churn":
            delete = int(params.pop("delete", 2))
            add = int(params.pop("add", 2))
            self._no_more(kind, params)
            if resource != "shifts":
                raise ValueError("churn applies to shifts only")
            if delete < 0 or add < 0:
                raise ValueError("delete and add must not be negative")
            with self._lock:
                self.churn[resource] = {"delete": delete, "add": add}
            return {"kind": kind, "resource": resource, "delete": delete, "add": add}
        if kind == "truncated":
            fraction = float(params.pop("fraction", 0.5))
            self._no_more(kind, params)
            if not 0.0 <= fraction <= 1.0:
                raise ValueError("fraction must be within [0, 1]")
            with self._lock:
                self.truncated[resource] = fraction
            return {"kind": kind, "resource": resource, "fraction": fraction}
        defects = params.pop("defects", ["missing_field"])
        if isinstance(defects, str):
            defects = [defects]
        chosen = self._sim.pick_malformed(resource, int(params.pop("count", 1)), list(defects),
                                          field=params.pop("field", None),
                                          ids=params.pop("ids", None))
        self._no_more(kind, params)
        with self._lock:
            self.malformed[resource] = chosen
        return {"kind": kind, "resource": resource,
                "records": {str(k): v[0] for k, v in chosen.items()}}

    @staticmethod
    def _no_more(kind: str, params: Mapping[str, Any]) -> None:
        if params:
            raise ValueError(f"unknown parameter(s) for {kind}: {sorted(params)}")

    def clear(self, kind: str | None = None) -> None:
        """Remove every fault (or those of one kind); token lifetime returns to the config."""
        with self._lock:
            if kind in (None, *_COUNTED):
                if kind is None:
                    self._counted.clear()
                else:
                    self._counted.pop(kind, None)
            if kind in (None, "malformed"):
                self.malformed.clear()
            if kind in (None, "truncated"):
                self.truncated.clear()
            if kind in (None, "forbidden"):
                self.forbidden.clear()
            if kind in (None, "omit_field"):
                self.omitted.clear()
            if kind in (None, "churn"):
                self.churn.clear()
            if kind in (None, "billing_discrepancy"):
                self.discrepancies = {}
            if kind in (None, "token_lifetime"):
                self._auth.expires_in = self._sim.config.expires_in

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "counted": {k: dict(v) for k, v in self._counted.items()},
                "malformed": {res: {str(i): list(d) for i, d in m.items()}
                              for res, m in self.malformed.items()},
                "truncated": dict(self.truncated),
                "forbidden": sorted(self.forbidden),
                "omitted": {res: sorted(f) for res, f in self.omitted.items()},
                "churn": {res: dict(v) for res, v in self.churn.items()},
                "churned": len(self.churned),
                "billingDiscrepancy": {str(k): v for k, v in self.discrepancies.items()},
                "tokenLifetime": self._auth.expires_in,
            }

    def after_page(self, resource: str, params: Mapping[str, Any],
                   data: Sequence[Any]) -> bool:
        """Apply churn after a page of ``resource`` was made; whether it did anything."""
        with self._lock:
            rule = self.churn.get(resource)
        ids = [r["id"] for r in data if isinstance(r, dict) and type(r.get("id")) is int]
        if rule is None or not ids:
            return False
        with self._lock:
            phase = sum(1 for c in self.churned if c["resource"] == resource)
        done = self._sim.churn(resource, params, ids[-1], rule["delete"], rule["add"], phase)
        with self._lock:
            self.churned.append({"resource": resource, **done})
        return bool(done["deleted"] or done["added"])

    def _take(self, kind: str, path: str) -> dict[str, Any] | None:
        with self._lock:
            rule = self._counted.get(kind)
            if rule is None or not path.startswith(rule["path"]):
                return None
            rule["count"] -= 1
            if rule["count"] <= 0:
                del self._counted[kind]
            return dict(rule)

    def before(self, path: str) -> Response | None:
        """Apply count-based faults to a request; a response replaces the normal one."""
        return self.before_with_kind(path)[0]

    def before_with_kind(self, path: str) -> tuple[Response | None, str | None]:
        """:meth:`before`, and the kind of the fault whose error replaced the answer."""
        slow = self._take("slow", path)
        if slow is not None:
            time.sleep(slow["seconds"])
        limited = self._take("rate_limit", path)
        if limited is not None:
            headers = {} if limited["retry_after"] is None else \
                {"Retry-After": str(limited["retry_after"])}
            return _error(429, "Too many requests", headers), "rate_limit"
        failed = self._take("error", path)
        if failed is not None:
            return _error(failed["status"], "Simulated server error"), "error"
        return None, None


# --------------------------------------------------------------------------- HTTP

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: RunningSimulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TrackTikSimulator/1.0"
    sys_version = ""
    timeout = 30  # idle keep-alive connections close after this
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("simulator: " + format, *args)

    def _dispatch(self, method: str) -> None:
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        faults: tuple[str, ...] = ()
        try:
            (status, payload, headers), faults = app.handle_exchange(
                method, parts.path, parts.query, body, self.client_address[0],
                self.headers.get("Authorization"), self.path)
        except Exception:  # a bug in the simulator must still answer
            logger.exception("simulator: unhandled error on %s %s", method, parts.path)
            status, payload, headers = _error(500, "Internal simulator error")
        if not parts.path.startswith("/_sim/"):  # control requests are not counted
            app.stats.record(method, parts.path, status)
            exchange = Exchange(method, parts.path, parts.query, status, payload, faults)
            for observer in list(OBSERVERS):
                try:
                    observer(exchange)
                except Exception:
                    logger.exception("simulator: observer %r failed", observer)
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            for k, v in {**JSON_HEADERS, **headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")


class RunningSimulator:
    """A simulator served over HTTP on a daemon thread; a context manager."""

    def __init__(self, sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sim = sim
        self.stats = Stats()
        self.auth = AuthState(sim.config, self.stats)
        self.faults = FaultState(sim, self.auth)
        self._server = _Server((host, port), _Handler)
        self._server.app = self
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.02},
                                        name=f"tracktik-sim-{self.port}", daemon=True)
        self._thread.start()
        self._stopped = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def config(self) -> SimulatorConfig:
        return self.sim.config

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningSimulator(url={self.url!r}, seed={self.sim.config.seed})"

    # Conveniences for tests.
    def truth(self, start: date | str | None = None,
              end: date | str | None = None) -> dict[str, Any]:
        return self.sim.truth(start, end)

    def mutate(self, step: int = 1) -> dict[str, Any]:
        return self.sim.mutate(step)

    # ----------------------------------------------------------------- request handling

    def handle(self, method: str, path: str, query: str, body: bytes, ip: str,
               authorization: str | None, raw_target: str = "") -> Response:
        """Answer one request: (status, JSON payload, extra headers)."""
        return self.handle_exchange(method, path, query, body, ip, authorization,
                                    raw_target)[0]

    def handle_exchange(self, method: str, path: str, query: str, body: bytes, ip: str,
                        authorization: str | None,
                        raw_target: str = "") -> tuple[Response, tuple[str, ...]]:
        """:meth:`handle`, and the kinds of injected faults that shaped the answer."""
        if path.startswith("/_sim/"):
            return self._control(method, path, query, body), ()
        if not path.startswith("/rest/"):
            return _error(404, f"No route for {path}"), ()
        if self.auth.blocked(ip):
            return _error(403, "Too many failed login attempts; this IP address is blocked"), ()
        fault, kind = self.faults.before_with_kind(path)
        if fault is not None:
            return fault, (kind,) if kind else ()
        if path == TOKEN_PATH:
            if method != "POST":
                return _error(405, "Use POST"), ()
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"),
                                                   keep_blank_values=True).items()}
            return self.auth.grant(form, ip), ()
        if not path.startswith(DATA_PREFIX):
            return _error(404, f"No route for {path}"), ()
        resource = path[len(DATA_PREFIX):].strip("/")
        if resource not in RESOURCES:
            return _error(404, f"Unknown resource '{resource}'"), ()
        if method != "GET":
            return _error(405, "Use GET"), ()
        reason = self.auth.check_bearer(authorization)
        if reason is not None:
            return _error(401, reason), ()
        if resource in self.faults.forbidden:
            return _error(403, f"You do not have the permission to list {resource}"), \
                ("forbidden",)
        params = parse_qs(query, keep_blank_values=True)
        try:
            body_out, applied = self.sim.list_with_faults(
                resource, params, request=query,
                defects=self.faults.malformed.get(resource),
                truncate=self.faults.truncated.get(resource),
                omit=self.faults.omitted.get(resource, ()),
                discrepancies=self.faults.discrepancies if resource == "billable-items" else None)
        except ApiProblem as e:
            return _error(e.status, e.message), ()
        if self.faults.after_page(resource, params, body_out["data"]):
            applied = applied | {"churn"}
        return (200, body_out, {}), tuple(sorted(applied))

    def _control(self, method: str, path: str, query: str, body: bytes) -> Response:
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return _error(400, "Body must be JSON")
        try:
            if path == "/_sim/stats":
                if method == "DELETE":
                    self.stats.reset()
                snap = self.stats.snapshot()
                snap["blockedIps"] = self.auth.blocked_ips()
                return 200, snap, {}
            if path == "/_sim/faults":
                if method == "DELETE":
                    self.faults.clear()
                elif method == "POST":
                    items = payload if isinstance(payload, list) else [payload]
                    set_ = [self.faults.set(**dict(item)) for item in items]
                    return 200, {"set": set_, "faults": self.faults.snapshot()}, {}
                return 200, self.faults.snapshot(), {}
            if path == "/_sim/mutate" and method == "POST":
                return 200, self.sim.mutate(int(payload.get("step", 1))), {}
            if path == "/_sim/delete-shifts" and method == "POST":
                return 200, self.sim.delete_shifts(payload["ids"],
                                                   log=bool(payload.get("log", True))), {}
            if path == "/_sim/change" and method == "POST":
                args = dict(payload)
                change = str(args.pop("change", ""))
                if change not in CHANGES:
                    raise ValueError(f"unknown change {change!r}; use one of {sorted(CHANGES)}")
                return 200, getattr(self.sim, change)(**args), {}
            if path == "/_sim/truth" and method == "GET":
                args = {k: v[-1] for k, v in parse_qs(query).items()}
                return 200, self.sim.truth(args.get("start"), args.get("end")), {}
            if path == "/_sim/clock":
                if method in ("PUT", "POST"):
                    self.sim.clock = payload["clock"]
                return 200, {"clock": self.sim.clock.isoformat()}, {}
        except (TypeError, ValueError, KeyError, ApiProblem) as e:
            return _error(400, f"Bad control request: {e}")
        return _error(404, f"No control route {method} {path}")


def serve(sim: Simulator | SimulatorConfig | None = None, host: str = "127.0.0.1",
          port: int = 0) -> RunningSimulator:
    """Start a simulator (made from a config, or the default one) on a daemon thread."""
    if not isinstance(sim, Simulator):
        sim = Simulator(sim)
    return RunningSimulator(sim, host, port)


# --------------------------------------------------------------------------- command line

def _env(name: str, default: str) -> str:
    return os.environ.get(f"TRACKTIK_SIM_{name}", default)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tracktik_sim``: serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m tracktik_sim",
        description="Serve a deterministic simulated TrackTik REST API on loopback.")
    parser.add_argument("--host", default=_env("HOST", "127.0.0.1"),
                        help="address to bind (env TRACKTIK_SIM_HOST; default %(default)s)")
    parser.add_argument("--port", type=int, default=int(_env("PORT", "8765")),
                        help="port, 0 for any free one (env TRACKTIK_SIM_PORT; "
                             "default %(default)s)")
    parser.add_argument("--seed", type=int, default=int(_env("SEED", "42")),
                        help="data seed (env TRACKTIK_SIM_SEED; default %(default)s)")
    parser.add_argument("--employees", type=int, default=int(_env("EMPLOYEES", "200")),
                        help="number of guards (env TRACKTIK_SIM_EMPLOYEES; "
                             "default %(default)s)")
    parser.add_argument("--weeks", type=int, default=int(_env("WEEKS", "8")),
                        help="weeks of shifts (env TRACKTIK_SIM_WEEKS; default %(default)s)")
    parser.add_argument("--start-date", type=date.fromisoformat,
                        default=date.fromisoformat(_env("START_DATE", "2025-01-06")),
                        help="first day of shifts (env TRACKTIK_SIM_START_DATE; "
                             "default %(default)s)")
    parser.add_argument("--expires-in", type=int, default=int(_env("EXPIRES_IN", "3600")),
                        help="access token lifetime in seconds (env TRACKTIK_SIM_EXPIRES_IN; "
                             "default %(default)s)")
    args = parser.parse_args(argv)
    config = SimulatorConfig(seed=args.seed, employees=args.employees, weeks=args.weeks,
                             start_date=args.start_date, expires_in=args.expires_in)
    started = time.monotonic()
    running = serve(Simulator(config), args.host, args.port)
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    world = running.sim.world
    shifts = sum(len(world.working[d % CYCLE]) for d in range(world.days))
    print(f"TrackTik simulator listening on {running.url}", flush=True)
    print(f"  data: {config.employees} employees, {config.weeks} weeks from "
          f"{config.start_date}, {shifts} shifts of all customers "
          f"(built in {time.monotonic() - started:.1f} s)", flush=True)
    print("  simulator credentials (fake):", flush=True)
    print(f"    client_id={config.client_id} client_secret={config.client_secret}", flush=True)
    print(f"    username={config.username} password={config.password}", flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        running.stop()
    print("TrackTik simulator stopped", file=sys.stderr, flush=True)
    return 0
