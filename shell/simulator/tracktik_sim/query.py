"""Query-string rules of the simulated TrackTik list endpoints: parsing, validation, matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_IN_VALUES = 100
MAX_BETWEEN_SECONDS = 31 * 86_400
RESERVED = frozenset({"limit", "offset", "sort", "include", "includeInactive"})

# Field types: int, num, str, bool, dt (date-time), date, rel:<resource> (id or object), obj.
SCHEMAS: dict[str, dict[str, str]] = {
    "regions": {
        "id": "int", "customId": "str", "name": "str", "parentRegion": "rel:regions",
        "status": "str", "timeZone": "str",
    },
    "clients": {
        "id": "int", "customId": "str", "company": "str", "name": "str", "type": "str",
        "status": "str", "region": "rel:regions", "parentClient": "rel:clients",
        "address": "obj", "timeZone": "str",
    },
    "positions": {
        "id": "int", "customId": "str", "name": "str", "status": "str",
        "account": "rel:clients", "nonBillable": "bool",
    },
    "employees": {
        "id": "int", "customId": "str", "firstName": "str", "lastName": "str", "email": "str",
        "primaryPhone": "str", "status": "str", "region": "rel:regions", "jobTitle": "str",
    },
    "position-bill-settings": {
        "id": "int", "position": "rel:positions", "rate": "num", "effectiveDate": "date",
        "customOvertimeMultiplier1": "num", "customOvertimeMultiplier2": "num",
    },
    "shifts": {
        "id": "int", "status": "str", "startDateTime": "dt", "endDateTime": "dt",
        "timeZone": "str", "employee": "rel:employees", "position": "rel:positions",
        "breakInMinutes": "int", "billable": "bool", "payable": "bool", "vacant": "bool",
        "attendanceStatus": "str",
    },
}
ON_DEMAND: dict[str, dict[str, str]] = {
    name: {"createdOn": "dt", "updatedOn": "dt"} for name in SCHEMAS
}
ON_DEMAND["shifts"] = {
    "createdOn": "dt", "updatedOn": "dt", "modifiedOn": "dt", "clockedHours": "num",
    "approvedHours": "num", "billableHours": "num", "payableHours": "num",
}
STATUS_FILTERED = frozenset({"regions", "clients", "positions", "employees"})
"""Resources that return only ACTIVE objects unless ``includeInactive=true``.

Shifts are not among them: a CANCELLED shift is a state of the shift, always returned."""

_OPS = {
    "int": {"eq", "in", "gt", "gte", "lt", "lte", "between"},
    "num": {"eq", "in", "gt", "gte", "lt", "lte", "between"},
    "str": {"eq", "in"},
    "bool": {"eq"},
    "rel": {"eq", "in"},
    "date": {"eq", "in", "gt", "gte", "lt", "lte", "after", "before", "between"},
    "dt": {"eq", "after", "before", "between"},
}
IGNORED_DT_OPS = frozenset({"gt", "gte", "lt", "lte"})
"""On date-time fields these are accepted and silently ignored, as seen on a real portal
(DESIGN.md §9). A client must use ``:after``/``:before``/``:between``."""


class ApiProblem(Exception):
    """An error response of the simulated API."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_datetime(text: str) -> int:
    """Epoch seconds of an ISO 8601 date-time (offset-less means UTC)."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        hint = " (a '+' in a query string must be sent as %2B)" if " " in text else ""
        raise ApiProblem(400, f"Invalid date-time value {text!r}{hint}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())


def _parse_value(ftype: str, text: str, name: str) -> Any:
    kind = ftype.split(":", 1)[0]
    try:
        if kind in ("int", "rel"):
            return int(text)
        if kind == "num":
            return float(text)
        if kind == "date":
            return date.fromisoformat(text).toordinal()
    except ValueError:
        raise ApiProblem(400, f"Invalid value {text!r} for filter on '{name}'") from None
    if kind == "bool":
        low = text.lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
        raise ApiProblem(400, f"Invalid boolean {text!r} for filter on '{name}'")
    if kind == "dt":
        return parse_datetime(text)
    return text


@dataclass(frozen=True)
class Cond:
    """One filter condition on a field; values are typed like the internal state."""

    field: str
    op: str
    values: tuple[Any, ...]
    kind: str

    def test(self, v: Any) -> bool:
        if v is None:
            return False
        if self.kind == "date" and isinstance(v, str):
            v = date.fromisoformat(v).toordinal()
        op = self.op
        a = self.values[0]
        if op == "eq":
            return v == a
        if op == "in":
            return v in self.values
        if op in ("gt", "after"):
            return v > a
        if op == "gte":
            return v >= a
        if op in ("lt", "before"):
            return v < a
        if op == "lte":
            return v <= a
        return a <= v <= self.values[1]  # between

    def classify(self, lo: int, hi: int) -> int:
        """For values known to lie in [lo, hi]: 1 all match, 0 none, -1 some may."""
        op = self.op
        a = self.values[0]
        if op == "eq":
            return -1 if lo <= a <= hi else 0
        if op == "in":
            return -1 if any(lo <= x <= hi for x in self.values) else 0
        if op in ("gt", "after"):
            return 1 if lo > a else 0 if hi <= a else -1
        if op == "gte":
            return 1 if lo >= a else 0 if hi < a else -1
        if op in ("lt", "before"):
            return 1 if hi < a else 0 if lo >= a else -1
        if op == "lte":
            return 1 if hi <= a else 0 if lo > a else -1
        b = self.values[1]
        return 1 if a <= lo and hi <= b else 0 if hi < a or lo > b else -1


@dataclass
class Query:
    resource: str
    conds: list[Cond] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    descending: bool = False
    includes: frozenset[str] = frozenset()
    include_inactive: bool = False
    ignored: list[str] = field(default_factory=list)
    has_filter: bool = False

    def signature(self) -> tuple[Any, ...]:
        """Everything that decides which records match (not paging, not rendering)."""
        return (self.resource, tuple(self.conds), self.include_inactive)


def _parse_int(params: dict[str, list[str]], name: str, default: int) -> int:
    values = params.get(name)
    if not values:
        return default
    try:
        return int(values[-1])
    except ValueError:
        raise ApiProblem(400, f"Invalid value for '{name}': {values[-1]!r}") from None


def parse_query(resource: str, params: dict[str, list[str]]) -> Query:
    """Validate a list request's parameters the way the portal does."""
    if resource not in SCHEMAS:
        raise ApiProblem(404, f"Unknown resource '{resource}'")
    if "page" in params:
        raise ApiProblem(400, "Parameter 'page' is not supported; use 'limit' and 'offset'")
    q = Query(resource)
    q.limit = _parse_int(params, "limit", DEFAULT_LIMIT)
    if q.limit < 1 or q.limit > MAX_LIMIT:
        raise ApiProblem(400, f"'limit' must be between 1 and {MAX_LIMIT}, got {q.limit}")
    q.offset = _parse_int(params, "offset", 0)
    if q.offset < 0:
        raise ApiProblem(400, f"'offset' must not be negative, got {q.offset}")
    sort = (params.get("sort") or [""])[-1]
    if sort not in ("", "id", "-id", "+id"):
        raise ApiProblem(400, f"Sorting by {sort!r} is not supported; use 'id' or '-id'")
    q.descending = sort == "-id"
    schema = SCHEMAS[resource]
    on_demand = ON_DEMAND[resource]
    includes: set[str] = set()
    for chunk in params.get("include", []):
        for token in chunk.split(","):
            token = token.strip()
            if not token:
                continue
            if token in on_demand or schema.get(token, "").startswith("rel:"):
                includes.add(token)
            else:
                q.ignored.append(f"include={token}")
    q.includes = frozenset(includes)
    inactive = (params.get("includeInactive") or ["false"])[-1].lower()
    if inactive not in ("true", "false", "1", "0"):
        raise ApiProblem(400, f"Invalid value for 'includeInactive': {inactive!r}")
    q.include_inactive = inactive in ("true", "1")
    for key in sorted(params):
        if key in RESERVED:
            continue
        name, _, op = key.partition(":")
        op = op or "eq"
        ftype = schema.get(name) or on_demand.get(name)
        if ftype is None:
            raise ApiProblem(400, f"Unknown filter field '{name}' on {resource}")
        kind = ftype.split(":", 1)[0]
        for raw in params[key]:
            q.has_filter = True
            if kind == "dt" and op in IGNORED_DT_OPS:
                q.ignored.append(f"{key}={raw}")
                continue
            if op not in _OPS.get(kind, set()):
                raise ApiProblem(400, f"Operator '{op}' is not supported on '{name}'")
            if op == "in":
                parts = [p for p in raw.split(",") if p != ""]
                if not parts:
                    raise ApiProblem(400, f"Empty list for '{key}'")
                if len(parts) > MAX_IN_VALUES:
                    raise ApiProblem(
                        400, f"Too many values for '{key}': {len(parts)} > {MAX_IN_VALUES}")
                values = tuple(_parse_value(ftype, p, name) for p in parts)
            elif op == "between":
                parts = raw.split("|")
                if len(parts) != 2:
                    raise ApiProblem(400, f"'{key}' needs two values separated by '|'")
                lo, hi = (_parse_value(ftype, p, name) for p in parts)
                if lo > hi:
                    raise ApiProblem(400, f"'{key}': the first value is after the second")
                if kind == "dt" and hi - lo > MAX_BETWEEN_SECONDS:
                    raise ApiProblem(
                        400, f"'{key}': a date-time range may not exceed one month (31 days)")
                values = (lo, hi)
            else:
                values = (_parse_value(ftype, raw, name),)
            q.conds.append(Cond(name, op, values, kind))
    return q
