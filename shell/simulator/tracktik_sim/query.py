"""Query-string rules of the simulated TrackTik list endpoints: parsing, validation, matching.

What a path accepts comes from :mod:`tracktik_sim.spec` (the OpenAPI description): its named
parameters (``limit``, ``offset``, ``sort``, ``include``, ``fields``, ``q``, ``includeInactive``,
``scope`` and its custom filters) and ``[att]``/``[att]:<op>`` filters on the item's documented
properties (a relation also as ``<rel>.id``). Anything else is a 400, as on the portal: an
undocumented parameter (``page=`` included), a filter on a field that is not a property of the
item, an unknown ``include`` name (nested ones too), more than 100 values in ``:in``, a
``:between`` of more than one month on a date-time, a ``/shifts`` request without a filter on
one of the documented required-filter properties. ``:gt/:gte/:lt/:lte`` on a date-time are
accepted and silently ignored, as seen on a real portal (they then satisfy no required filter).

What the portal documents but the simulator does not model (a custom filter such as
``byCoordinates``, a filter on a property it holds no value for) answers 501, so a test never
mistakes it for the portal's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tracktik_sim.spec import (
    PATH_PARAMETERS,
    PROPERTIES,
    RESOURCE_SCHEMA,
    SCOPES,
    SHIFT_REQUIRED_FILTERS,
    on_demand,
    target_of,
)

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_IN_VALUES = 100
MAX_BETWEEN_SECONDS = 31 * 86_400
RESOURCES = tuple(RESOURCE_SCHEMA)

HELD: dict[str, frozenset[str]] = {
    "regions": frozenset({"id", "customId", "name", "company", "parentRegion", "status",
                          "timeZone", "createdOn", "updatedOn"}),
    "clients": frozenset({"id", "customId", "company", "name", "type", "status", "region",
                          "parentClient", "address", "timeZone", "closedDate", "createdOn",
                          "updatedOn"}),
    "positions": frozenset({"id", "customId", "name", "status", "account", "nonBillable",
                            "billingSetting", "createdOn", "updatedOn"}),
    "employees": frozenset({"id", "customId", "firstName", "lastName", "name", "email",
                            "primaryPhone", "status", "region", "jobTitle", "createdOn",
                            "updatedOn"}),
    "shifts": frozenset({"id", "status", "customId", "billable", "payable", "paidTimeOff",
                         "vacant", "startDateTime", "startsOn", "startTimestamp", "endDateTime",
                         "endsOn", "endTimestamp", "breakInMinutes", "published", "employee",
                         "position", "modifiedOn", "lastModified", "plannedDurationHours",
                         "plannedPayableHours", "clockedHours", "approvedHours",
                         "billableHours", "payableHours", "attendanceStatus", "createdOn",
                         "updatedOn", "timeZone"}),
    "shift-logs": frozenset({"id", "changeType", "shiftId", "shift", "employee", "createdOn",
                             "note", "shiftDetails", "isValid"}),
    "position-bill-settings": frozenset({
        "id", "positionBilling", "billingType", "rate", "effectiveDate", "overtimeRateType",
        "customOvertimeRate1", "customOvertimeRate2", "customOvertimeMultiplier1",
        "customOvertimeMultiplier2", "createdOn", "updatedOn"}),
    "overtime-rules": frozenset({"id", "name", "periodLength", "billingRuleItems", "ruleType",
                                 "method"}),
    "overtime-rule-items": frozenset({"id", "ruleType", "rateType", "threshold", "rateMultiplier",
                                      "rateAmount", "overtimeRule"}),
    "holiday-groups": frozenset({"id", "name", "holidays", "isGlobal", "region"}),
    "holidays": frozenset({"id", "label", "region", "code", "dates", "groups"}),
    "holiday-dates": frozenset({"id", "name", "region", "holidayDate", "holidayStartDateTime",
                                "holidayEndDateTime", "holiday", "timeZone"}),
    "billable-items": frozenset({"id", "type", "serviceModelShifts", "quantity", "rate", "price",
                                 "serviceLocation", "clientAccount", "region", "statType",
                                 "serviceDate", "servicedOn", "billingNotes", "subType",
                                 "createdOn", "updatedOn"}),
}
"""Per resource: the documented properties the simulator holds values for (filterable)."""

SHIFT_ALIASES: dict[str, str] = {
    "startsOn": "startDateTime", "startTimestamp": "startDateTime", "endsOn": "endDateTime",
    "endTimestamp": "endDateTime", "lastModified": "modifiedOn",
}
"""Shift properties that are another view of a held instant: a filter on them is a filter on
the instant (``startTimestamp``/``endTimestamp`` take epoch seconds)."""

STATUS_FILTERED = frozenset({"regions", "clients", "positions", "employees"})
"""Resources that return only ACTIVE objects unless ``includeInactive=true``.

Shifts are not among them here: a CANCELLED shift is a state of the shift, always returned."""

CUSTOM_FILTERS: dict[str, frozenset[str]] = {
    "regions": frozenset({"id", "idIn", "subRegionTreeOfRegionId"}),
    "clients": frozenset({"id", "idIn", "isChildOf"}),
    "holiday-dates": frozenset({"id", "idIn", "byHolidayGroupId"}),
}
"""Custom filters (documented path parameters) the simulator implements; ``id`` and
``idIn`` everywhere."""

SIMULATED_SCOPES: dict[str, frozenset[str]] = {"shifts": frozenset({"VACANT", "NOT_VACANT"})}

_OPS = {
    "int": {"eq", "in", "not", "gt", "gte", "lt", "lte", "isnull", "isnotnull"},
    "num": {"eq", "in", "not", "gt", "gte", "lt", "lte", "isnull", "isnotnull"},
    "str": {"eq", "in", "not", "contains", "startswith", "endswith", "isnull", "isnotnull"},
    "bool": {"eq", "not", "isnull", "isnotnull"},
    "rel": {"eq", "in", "not", "isnull", "isnotnull"},
    "date": {"eq", "in", "gt", "gte", "lt", "lte", "after", "before", "between", "isnull",
             "isnotnull"},
    "dt": {"eq", "after", "before", "between", "isnull", "isnotnull"},
}
IGNORED_DT_OPS = frozenset({"gt", "gte", "lt", "lte"})
"""On date-time fields these are accepted and silently ignored, as seen on a real portal
(DESIGN.md §9). A client must use ``:after``/``:before``/``:between``."""
_KNOWN_OPS = frozenset().union(*_OPS.values(), IGNORED_DT_OPS, {"inset"})


class ApiProblem(Exception):
    """An error response of the simulated API."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _not_simulated(what: str) -> ApiProblem:
    return ApiProblem(501, f"The simulator does not model {what} (documented by the portal)")


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


def _parse_value(kind: str, text: str, name: str) -> Any:
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
    """One filter condition on a held field; values are typed like the internal state."""

    field: str
    op: str
    values: tuple[Any, ...]
    kind: str

    def test(self, v: Any) -> bool:
        op = self.op
        if op == "isnull":
            return v is None
        if op == "isnotnull":
            return v is not None
        if v is None:
            return False
        if self.kind == "date" and isinstance(v, str):
            v = date.fromisoformat(v).toordinal()
        a = self.values[0]
        if op == "eq":
            return v == a
        if op == "in":
            return v in self.values
        if op == "not":
            return v != a
        if op == "contains":
            return a.lower() in str(v).lower()
        if op == "startswith":
            return str(v).lower().startswith(a.lower())
        if op == "endswith":
            return str(v).lower().endswith(a.lower())
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
        if op in ("isnull", "not", "contains", "startswith", "endswith"):
            return -1
        if op == "isnotnull":
            return 1
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


IncludeTree = dict[str, "IncludeTree"]


@dataclass
class Query:
    resource: str
    conds: list[Cond] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sort: tuple[tuple[str, bool], ...] = (("id", False),)
    """(field, descending) pairs."""
    include_tree: IncludeTree = field(default_factory=dict)
    include_inactive: bool = False
    fields: tuple[str, ...] | None = None
    search: str | None = None
    scopes: frozenset[str] = frozenset()
    custom: tuple[tuple[str, str], ...] = ()
    ignored: list[str] = field(default_factory=list)
    not_returned: list[str] = field(default_factory=list)
    required_filter: bool = False
    """Whether a filter on one of the documented required-filter properties was given."""

    @property
    def includes(self) -> frozenset[str]:
        """Top-level include names."""
        return frozenset(self.include_tree)

    @property
    def descending(self) -> bool:
        return self.sort[0] == ("id", True)

    def signature(self) -> tuple[Any, ...]:
        """Everything that decides which records match (not paging, not rendering)."""
        return (self.resource, tuple(self.conds), self.include_inactive, self.scopes,
                self.custom, self.search)


def _parse_int(params: dict[str, list[str]], name: str, default: int) -> int:
    values = params.get(name)
    if not values:
        return default
    try:
        return int(values[-1])
    except ValueError:
        raise ApiProblem(400, f"Invalid value for '{name}': {values[-1]!r}") from None


def _parse_includes(q: Query, schema: str, chunks: list[str]) -> None:
    for chunk in chunks:
        for token in chunk.split(","):
            token = token.strip()
            if not token:
                continue
            node = q.include_tree
            current: str | None = schema
            for part in token.split("."):
                if current is None:  # a relation to a schema the simulator does not know
                    q.not_returned.append(f"include={token}")
                    break
                props = PROPERTIES[current]
                code = props.get(part)
                if code is None:
                    raise ApiProblem(400, f"Unknown include '{token}': '{part}' is not a "
                                          f"property of {current}")
                if target_of(code) is None and not on_demand(code):
                    raise ApiProblem(400, f"Invalid include '{token}': '{part}' of {current} "
                                          f"is not an on-demand field or a relation")
                node = node.setdefault(part, {})
                target = target_of(code)
                current = target if target in PROPERTIES else None
                if target is None:
                    break


def _check_between(key: str, kind: str, lo: Any, hi: Any) -> None:
    if lo > hi:
        raise ApiProblem(400, f"'{key}': the first value is after the second")
    if kind == "dt" and hi - lo > MAX_BETWEEN_SECONDS:
        raise ApiProblem(400, f"'{key}': a date-time range may not exceed one month (31 days)")


def _values(key: str, op: str, kind: str, raw: str, name: str) -> tuple[Any, ...]:
    if op in ("isnull", "isnotnull"):
        return ()
    if op == "in":
        parts = [p for p in raw.split(",") if p != ""]
        if not parts:
            raise ApiProblem(400, f"Empty list for '{key}'")
        if len(parts) > MAX_IN_VALUES:
            raise ApiProblem(400, f"Too many values for '{key}': {len(parts)} > {MAX_IN_VALUES}")
        return tuple(_parse_value(kind, p, name) for p in parts)
    if op == "between":
        parts = raw.split("|")
        if len(parts) != 2:
            raise ApiProblem(400, f"'{key}' needs two values separated by '|'")
        lo, hi = (_parse_value(kind, p, name) for p in parts)
        _check_between(key, kind, lo, hi)
        return (lo, hi)
    return (_parse_value(kind, raw, name),)


def _parse_sort(q: Query, schema: str, values: list[str]) -> None:
    text = ",".join(values).strip()
    if not text:
        return
    out: list[tuple[str, bool]] = []
    for part in text.split(","):
        part = part.strip()
        desc = part.startswith("-")
        name = part.lstrip("+-")
        if name not in PROPERTIES[schema]:
            raise ApiProblem(400, f"Sorting by {name!r}: not a property of {schema}")
        if q.resource in ("shifts", "shift-logs") and name != "id":
            raise _not_simulated(f"sorting {q.resource} by {name!r} (use 'id' or '-id')")
        if name not in HELD[q.resource]:
            raise _not_simulated(f"sorting by {name!r}")
        out.append((name, desc))
    if out[-1][0] != "id":
        out.append(("id", False))  # ties in id order
    q.sort = tuple(out)


def parse_query(resource: str, params: dict[str, list[str]]) -> Query:
    """Validate a list request's parameters the way the portal does."""
    if resource not in RESOURCE_SCHEMA:
        raise ApiProblem(404, f"Unknown resource '{resource}'")
    schema = RESOURCE_SCHEMA[resource]
    props = PROPERTIES[schema]
    documented = PATH_PARAMETERS[resource]
    q = Query(resource)
    q.limit = _parse_int(params, "limit", DEFAULT_LIMIT)
    if q.limit < 1 or q.limit > MAX_LIMIT:
        raise ApiProblem(400, f"'limit' must be between 1 and {MAX_LIMIT}, got {q.limit}")
    q.offset = _parse_int(params, "offset", 0)
    if q.offset < 0:
        raise ApiProblem(400, f"'offset' must not be negative, got {q.offset}")
    _parse_sort(q, schema, params.get("sort", []))
    _parse_includes(q, schema, params.get("include", []))
    if params.get("fields"):
        names = tuple(n.strip() for n in ",".join(params["fields"]).split(",") if n.strip())
        for n in names:
            if n not in props:
                raise ApiProblem(400, f"Unknown field '{n}' in 'fields': not a property of "
                                      f"{schema}")
        q.fields = names
    if params.get("q"):
        if resource in ("shifts", "shift-logs"):
            raise _not_simulated(f"'q' on {resource}")
        q.search = params["q"][-1]
    inactive = (params.get("includeInactive") or ["false"])[-1].lower()
    if inactive not in ("true", "false", "1", "0"):
        raise ApiProblem(400, f"Invalid value for 'includeInactive': {inactive!r}")
    q.include_inactive = inactive in ("true", "1")
    custom: list[tuple[str, str]] = []
    held = HELD[resource]
    for raw_key in sorted(params):
        key = raw_key
        if key in ("limit", "offset", "sort", "include", "fields", "q", "includeInactive"):
            continue
        name, _, op = key.partition(":")
        op = op.lower() or "eq"
        if key == "scope":
            scopes = {s.strip() for raw in params[key] for s in raw.split(",") if s.strip()}
            for s in sorted(scopes):
                if s not in SCOPES.get(resource, ()):
                    raise ApiProblem(400, f"Unknown scope {s!r} on {resource}")
                if s not in SIMULATED_SCOPES.get(resource, frozenset()):
                    raise _not_simulated(f"scope {s!r}")
            q.scopes = frozenset(scopes)
            q.required_filter = True
            continue
        counts = True
        if key == "idIn":  # a custom filter: not one on a property, so not a required one
            key, name, op, counts = "id:in", "id", "in", False
        elif key in documented and key != "id":
            if key not in CUSTOM_FILTERS.get(resource, frozenset()):
                raise _not_simulated(f"the custom filter '{key}'")
            for raw in params[key]:
                try:
                    custom.append((key, str(int(raw))))
                except ValueError:
                    raise ApiProblem(400, f"Invalid value {raw!r} for '{key}'") from None
            continue
        if name.endswith(".id"):
            base = name[:-3]
            if base in props and props[base].startswith("rel:"):
                name = base
        if name not in props:
            if "." in name and name.split(".", 1)[0] in props:
                raise _not_simulated(f"filters through relations other than '<relation>.id' "
                                     f"({key})")
            raise ApiProblem(400, f"Unknown parameter '{key}': '{name}' is not a documented "
                                  f"parameter or a property of {schema}")
        if op not in _KNOWN_OPS:
            raise ApiProblem(400, f"Operator '{op}' is not supported on '{name}'")
        if name not in held:
            raise _not_simulated(f"filters on '{name}' of {resource}")
        code = props[name]
        kind = "rel" if code.startswith("rel:") else code.rstrip("*")
        if resource == "shifts" and name in SHIFT_ALIASES:
            name = SHIFT_ALIASES[name]
        for raw in params[raw_key]:
            if kind == "dt" and op in IGNORED_DT_OPS:
                q.ignored.append(f"{key}={raw}")
                continue
            if op not in _OPS.get(kind, set()):
                what = "a date filter" if op in ("after", "before", "between") else "not valid"
                raise ApiProblem(400, f"Operator '{op}' is {what}: not supported on '{name}' "
                                      f"({kind})")
            if counts and resource == "shifts" and \
                    key.partition(":")[0].removesuffix(".id") in SHIFT_REQUIRED_FILTERS:
                q.required_filter = True
            q.conds.append(Cond(name, op, _values(key, op, kind, raw, name), kind))
    q.custom = tuple(custom)
    if resource == "shifts" and not q.required_filter:
        raise ApiProblem(400, "A filter is required when listing shifts: filter on one of "
                              + ", ".join(sorted(SHIFT_REQUIRED_FILTERS)))
    return q


def on_demand_fields(resource: str) -> frozenset[str]:
    """The plain on-demand properties of a resource's items."""
    props = PROPERTIES[RESOURCE_SCHEMA[resource]]
    return frozenset(p for p, code in props.items() if on_demand(code))
