"""The simulator's state: generated data, the overlay of changed and deleted shifts, the shift
log, queries, rendering as the OpenAPI description documents, changes, ground truth. HTTP lives
in :mod:`tracktik_sim.server`.

Rendering follows ``components.schemas.<Resource>Item`` (:mod:`tracktik_sim.spec`): only
documented properties; a property without a value is omitted (none is nullable); *On demand*
properties only when named in ``include=``; relations as ids unless included, then as objects
of the related resource (its default properties, and what a nested include such as
``billingSetting.billSettings`` asks for). Instants are ISO 8601 in UTC (``+00:00``); a shift's
``timeZone`` gives its local day.
"""

from __future__ import annotations

import random
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tracktik_sim import billing
from tracktik_sim.data import (
    BILLING_ID0,
    CYCLE,
    FIELD_BOUNDS,
    HOUR,
    SHIFT_ID0,
    SimulatorConfig,
    World,
    mix64,
)
from tracktik_sim.query import (
    HELD,
    STATUS_FILTERED,
    Cond,
    IncludeTree,
    Query,
    on_demand_fields,
    parse_datetime,
    parse_query,
)
from tracktik_sim.spec import PROPERTIES, RESOURCE_SCHEMA

if TYPE_CHECKING:
    from tracktik_sim.server import RunningSimulator

UNKNOWN_ID = 99_999_999
"""The id a malformed record points at when it must reference something that does not exist."""

DEFECTS_COMMON = frozenset({"missing_field", "offset_less_timestamp", "unknown_reference",
                            "wrong_type", "nan_number", "nul_character", "lone_surrogate"})
"""What a malformed record can be made to carry. ``wrong_type`` gives the field a value of
another JSON type; the last three put in what JSON allows but PostgreSQL's jsonb cannot store
(a NaN number, sent as the bare word like some JSON encoders do; a ``\\u0000``; a lone
surrogate ``\\ud800``) — in the field, or added as ``customId`` when the field is absent."""
DEFECTS_SHIFTS = DEFECTS_COMMON | {"end_before_start", "over_24h", "approved_gt_clocked",
                                   "unknown_employee"}
DEFAULT_MISSING_FIELD = {
    "regions": "name", "clients": "name", "positions": "name", "employees": "lastName",
    "position-bill-settings": "rate", "shifts": "startDateTime",
}
_REFERENCE_FIELD = {
    "regions": "parentRegion", "clients": "region", "positions": "account",
    "employees": "region", "position-bill-settings": "positionBilling", "shifts": "employee",
}
_TRUTH_RESOURCES = ("regions", "clients", "positions", "employees", "position-bill-settings")
_STORE = {
    "Regions": "regions", "Clients": "clients", "Accounts": "clients", "Positions": "positions",
    "Employees": "employees", "PositionBillSettings": "position-bill-settings",
    "PositionBillingSettings": "position-billing-settings", "Addresses": "addresses",
    "OvertimeRules": "overtime-rules", "OvertimeRuleItems": "overtime-rule-items",
    "HolidayGroups": "holiday-groups", "Holidays": "holidays", "HolidayDates": "holiday-dates",
}
"""Where the object of a relation to a schema lives (a post's ``account`` is one of the sites)."""
_ORDER = {schema: sorted(props.items(), key=lambda item: item[0] != "id")
          for schema, props in PROPERTIES.items()}
"""Each schema's properties, ``id`` first (the order items are rendered in)."""
_STRUCTURAL = frozenset({"employee", "position", "vacant", "timeZone"})
CLOCK_TICK_SECONDS = 60
"""After each mutation round (and each deletion) the clock moves on by this much, so changes
never share a time."""
_PLAN_CACHE_SIZE = 32
_LOG_NOTES = {"ADDED": "Shift added", "TIME": "Shift time changed",
              "CANCELLED": "Shift cancelled", "REMOVED": "Shift removed"}
BILLABLE_ITEM_ID0 = 50_000_000
"""A shift's billable item id is ``BILLABLE_ITEM_ID0 + shift id`` (one item per shift)."""
BILLING_FIELDS = frozenset({"type", "rate", "discountRate", "billBreaks", "holiday",
                            "holidayRate", "holidayMultiplier", "holidayGroup", "overtimeRule"})
"""Fields of a post's billing setting that :meth:`Simulator.set_billing` may change."""


@dataclass
class _Plan:
    """The matching shift ids of one query, as chunks: ``base + x`` for x in seq."""

    chunks: list[tuple[int, list[int]]]
    prefix: list[int]

    @property
    def total(self) -> int:
        return self.prefix[-1]

    def ids(self, start: int, stop: int) -> list[int]:
        stop = min(stop, self.total)
        out: list[int] = []
        if start >= stop:
            return out
        k = bisect_right(self.prefix, start) - 1
        pos = start - self.prefix[k]
        while len(out) < stop - start and k < len(self.chunks):
            base, seq = self.chunks[k]
            take = seq[pos:pos + (stop - start - len(out))]
            out.extend([base + x for x in take] if base else take)
            k += 1
            pos = 0
        return out


def _to_epoch(value: datetime | str | int | float) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("clock must be timezone-aware")
        return int(value.timestamp())
    if isinstance(value, str):
        return parse_datetime(value)
    return int(value)


def _fmt(code: str, value: Any) -> Any:
    return World.utc_iso(value) if code.startswith("dt") else value


def _sort_key(value: Any) -> tuple[int, Any]:
    return (1, "") if value is None else (0, value)


class Simulator:
    """Deterministic TrackTik data with changes over time. Thread-safe."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.world = World(self.config)
        self._lock = threading.RLock()
        self._overlay: dict[int, dict[str, Any]] = {}
        self._overlay_days: dict[int, list[int]] = {}
        self._extras: list[int] = []
        self._next_extra = self.world.base_id_end
        self._logs: list[dict[str, Any]] = []
        self._version = 0
        self._round = 0
        self._plans: OrderedDict[tuple[Any, ...], _Plan] = OrderedDict()
        self._clock = self.world.initial_clock
        self._bills: dict[int, dict[int, billing.ShiftBill]] = {}
        self._items: dict[int, list[dict[str, Any]]] = {}
        self._period_shifts: dict[int, list[tuple[int, int, int]]] = {}
        """Per billing period: (shift id, post, local date ordinal) of its shifts."""
        self._posts_billing: dict[int, billing.PostBilling | None] = {}
        self._bills_version = -1
        w = self.world
        self._next_setting = max((b["id"] for b in w.bill_settings), default=0) + 1
        self.kaiser_region_ids = frozenset(w.region_subtree(w.kaiser_root_id))
        self.kaiser_client_ids = frozenset(
            c["id"] for c in w.clients if c["region"] in self.kaiser_region_ids)
        self.kaiser_position_ids = frozenset(
            p["id"] for p in w.positions if p["account"] in self.kaiser_client_ids)

    # ----------------------------------------------------------------- clock

    @property
    def clock(self) -> datetime:
        """The simulator's "now": changes made by :meth:`mutate` carry it as ``updatedOn``."""
        return datetime.fromtimestamp(self._clock, UTC)

    @clock.setter
    def clock(self, value: datetime | str) -> None:
        with self._lock:
            self._clock = _to_epoch(value)

    @property
    def initial_clock(self) -> datetime:
        return datetime.fromtimestamp(self.world.initial_clock, UTC)

    @property
    def version(self) -> int:
        """Increases with every change to the data."""
        return self._version

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> RunningSimulator:
        """Start the HTTP API on a daemon thread."""
        from tracktik_sim.server import RunningSimulator

        return RunningSimulator(self, host, port)

    # ----------------------------------------------------------------- queries

    def list_resource(
        self,
        resource: str,
        params: Mapping[str, Any],
        *,
        request: str = "",
        defects: Mapping[int, tuple[str, str]] | None = None,
        truncate: float | None = None,
        omit: Iterable[str] = (),
        discrepancies: Mapping[int, float] | None = None,
    ) -> dict[str, Any]:
        """The response body of ``GET /rest/v1/<resource>``; raises :class:`ApiProblem`.

        ``params`` as from ``urllib.parse.parse_qs`` (name -> list of values); a single
        value may be given without the list. ``request`` is the raw query string, for
        ``meta.request``.

        ``defects`` maps record ids to (defect, field) to render broken; ``truncate`` keeps
        only that fraction of the matching records; ``omit`` names on-demand fields never
        returned; ``discrepancies`` maps shift ids to an amount added to the price of their
        billable items (all four are fault injection).
        """
        return self.list_with_faults(resource, params, request=request, defects=defects,
                                     truncate=truncate, omit=omit,
                                     discrepancies=discrepancies)[0]

    def list_with_faults(
        self,
        resource: str,
        params: Mapping[str, Any],
        *,
        request: str = "",
        defects: Mapping[int, tuple[str, str]] | None = None,
        truncate: float | None = None,
        omit: Iterable[str] = (),
        discrepancies: Mapping[int, float] | None = None,
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """:meth:`list_resource`, and the kinds of injected faults that shaped the answer
        ("malformed" when a served record was broken, "truncated", "omit_field",
        "billing_discrepancy" when a served billable item was made off)."""
        norm = {k: [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]
                for k, v in params.items()}
        q = parse_query(resource, norm)
        defects = defects or {}
        omitted = frozenset(omit)
        applied: set[str] = set()
        if truncate is not None:
            applied.add("truncated")
        if omitted & q.includes:
            applied.add("omit_field")
        with self._lock:
            if resource == "shifts":
                total, recs = self._list_shifts(q, truncate)
            elif resource == "billable-items":
                total, recs = self._list_dimension(q, truncate, self._candidate_items(q))
                if discrepancies:
                    recs = [self._off(rec, discrepancies, applied) for rec in recs]
            else:
                total, recs = self._list_dimension(q, truncate)
            schema = RESOURCE_SCHEMA[resource]
            data = []
            for rec in recs:
                out = self._render(schema, rec, q.include_tree, omitted)
                defect = defects.get(rec["id"])
                if defect is not None:
                    self._break(resource, q, rec, out, defect)
                    applied.add("malformed")
                if q.fields is not None:
                    out = {k: out[k] for k in q.fields if k in out}
                data.append(out)
        debug: dict[str, Any] = {}
        if q.ignored:
            debug["ignored"] = q.ignored
        not_held = sorted(f"include={n}" for n in q.include_tree if n not in HELD[resource])
        if q.not_returned or not_held:
            debug["notSimulated"] = q.not_returned + not_held
        meta = {
            "count": total,
            "itemCount": len(data),
            "limit": q.limit,
            "offset": q.offset,
            "resource": resource,
            "request": self._request_list(norm, request),
            "security": {"granted": True},
            "debug": debug or None,
        }
        return {"meta": meta, "data": data}, frozenset(applied)

    @staticmethod
    def _request_list(params: Mapping[str, list[str]], raw: str) -> list[str]:
        """``meta.request``: the request's parameters, one ``name=value`` string each, in the
        order sent (decoded)."""
        if raw:
            from urllib.parse import parse_qsl

            return [f"{k}={v}" for k, v in parse_qsl(raw, keep_blank_values=True)]
        return [f"{k}={v}" for k, values in params.items() for v in values]

    def _records(self, resource: str) -> list[dict[str, Any]]:
        w = self.world
        return {
            "regions": w.regions, "clients": w.clients, "positions": w.positions,
            "employees": w.employees, "position-bill-settings": w.bill_settings,
            "shift-logs": self._logs, "overtime-rules": w.overtime_rules,
            "overtime-rule-items": w.overtime_rule_items, "holiday-groups": w.holiday_groups,
            "holidays": w.holidays, "holiday-dates": w.holiday_dates,
        }[resource]

    @staticmethod
    def _kept(record_id: int, truncate: float | None) -> bool:
        return truncate is None or mix64(record_id ^ 0x7A11) % 1000 < truncate * 1000

    def _custom_ok(self, q: Query, rec: dict[str, Any]) -> bool:
        for name, value in q.custom:
            arg = int(value)
            if name == "id" and rec["id"] != arg:
                return False
            if name == "subRegionTreeOfRegionId" and \
                    rec["id"] not in self.world.region_subtree(arg):
                return False
            if name == "isChildOf" and rec.get("parentClient") != arg:
                return False
            if name == "byHolidayGroupId":
                holiday = self.world.by_id["holidays"].get(rec.get("holiday") or 0)
                if holiday is None or arg not in holiday["groups"]:
                    return False
        return True

    def _searched(self, q: Query, rec: dict[str, Any]) -> bool:
        if q.search is None:
            return True
        needle = q.search.lower()
        return any(isinstance(rec.get(n), str) and needle in rec[n].lower()
                   for n in HELD[q.resource])

    def _list_dimension(self, q: Query, truncate: float | None,
                        records: Iterable[dict[str, Any]] | None = None,
                        ) -> tuple[int, list[dict[str, Any]]]:
        status_filtered = q.resource in STATUS_FILTERED and not q.include_inactive
        matched = [
            r for r in (self._records(q.resource) if records is None else records)
            if (not status_filtered or r["status"] == "ACTIVE")
            and all(c.test(r.get(c.field)) for c in q.conds)
            and self._custom_ok(q, r) and self._searched(q, r)
            and self._kept(r["id"], truncate)
        ]
        for name, desc in reversed(q.sort):
            matched.sort(key=lambda r, n=name: _sort_key(r.get(n)), reverse=desc)
        page = matched[q.offset:q.offset + q.limit]
        return len(matched), page

    # ----------------------------------------------------------------- rendering

    def _render(self, schema: str, rec: Mapping[str, Any], tree: IncludeTree,
                omit: frozenset[str] = frozenset()) -> dict[str, Any]:
        """One item as the portal returns it (see the module docstring)."""
        out: dict[str, Any] = {}
        for name, code in _ORDER[schema]:
            value = rec.get(name)
            if value is None:
                continue
            sub = tree.get(name)
            if code.startswith("rel:"):
                out[name] = value if sub is None else self._related(code[4:], value, sub)
            elif code.startswith("list:"):
                if sub is not None:
                    out[name] = [self._related(code[5:], x, sub) for x in value]
            elif code.endswith("*"):
                if sub is not None and name not in omit:
                    out[name] = _fmt(code, value)
            else:
                out[name] = _fmt(code, value)
        return out

    def _related(self, schema: str, rid: int, tree: IncludeTree) -> dict[str, Any]:
        """The object of an included relation: the related item with its default fields."""
        rec: Mapping[str, Any] | None
        if schema == "Shifts":
            st = self._overlay.get(rid)
            if st is None and self._base_exists(rid):
                st = self.world.shift_base(*self.world.shift_day_lane(rid))
            rec = None if st is None else self._shift_record(st)
        else:
            store = _STORE.get(schema)
            rec = None if store is None else self.world.by_id[store].get(rid)
            if rec is not None and schema == "Accounts":
                rec = {**rec, "type": "CLIENT"}  # Accounts know sites only as CLIENT
        if rec is None:
            return {"id": rid}
        return self._render(schema, rec, tree)

    def _shift_record(self, st: Mapping[str, Any]) -> dict[str, Any]:
        """A shift's state under the API's property names (instants as epoch seconds)."""
        start, end = st["startDateTime"], st["endDateTime"]
        scheduled = World.scheduled_hours(st)
        return {
            "id": st["id"], "status": st["status"], "customId": f"SH-{st['id']}",
            "billable": st["billable"], "payable": st["payable"], "paidTimeOff": False,
            "vacant": st["vacant"], "startDateTime": start, "startsOn": start,
            "startTimestamp": start, "endDateTime": end, "endsOn": end, "endTimestamp": end,
            "breakInMinutes": st["breakInMinutes"] or None,  # documented minimum: 1
            "published": True,
            "employee": st["employee"], "position": st["position"],
            "modifiedOn": st["modifiedOn"], "lastModified": st["modifiedOn"],
            "plannedDurationHours": round((end - start) / 3600, 2),
            "plannedPayableHours": scheduled if st["payable"] else 0.0,
            "clockedHours": st["clockedHours"], "approvedHours": st["approvedHours"],
            "billableHours": st["billableHours"], "payableHours": st["payableHours"],
            "attendanceStatus": st["attendanceStatus"], "createdOn": st["createdOn"],
            "updatedOn": st["updatedOn"], "timeZone": st["timeZone"],
        }

    def _break(self, resource: str, q: Query, rec: Mapping[str, Any], out: dict[str, Any],
               defect: tuple[str, str]) -> None:
        """Render a record broken on purpose (the ``malformed`` fault)."""
        kind, fld = defect
        if kind == "missing_field":
            out.pop(fld, None)
        elif kind == "offset_less_timestamp":
            name = "startDateTime" if resource == "shifts" else "updatedOn"
            out[name] = World.utc_iso(rec[name])[:19]
        elif kind == "end_before_start":
            out["endDateTime"] = World.utc_iso(rec["startDateTime"] - HOUR)
        elif kind == "over_24h":
            out["endDateTime"] = World.utc_iso(rec["startDateTime"] + 26 * HOUR)
        elif kind == "approved_gt_clocked":
            clocked = rec["clockedHours"] if rec["clockedHours"] is not None else 8.0
            out["clockedHours"] = clocked
            out["approvedHours"] = round(clocked + 2.0, 2)
        elif kind in ("unknown_reference", "unknown_employee"):
            ref = _REFERENCE_FIELD[resource]
            out[ref] = {"id": UNKNOWN_ID} if ref in q.include_tree else UNKNOWN_ID
        elif kind == "wrong_type":
            value = out.get(fld)
            out[fld] = "eight" if isinstance(value, int | float) and not isinstance(value, bool) \
                else {"unexpected": value}
        elif kind == "nan_number":
            out[fld] = float("nan")
        else:  # nul_character, lone_surrogate
            target = fld if isinstance(out.get(fld), str) else "customId"
            out[target] = str(out.get(target, "")) + ("\x00" if kind == "nul_character" else "\ud800")

    # ----------------------------------------------------------------- shift queries

    def _base_exists(self, shift_id: int) -> bool:
        w = self.world
        if not SHIFT_ID0 <= shift_id < w.base_id_end:
            return False
        return w.shift_exists(*w.shift_day_lane(shift_id))

    def _shift_state(self, shift_id: int) -> dict[str, Any]:
        state = self._overlay.get(shift_id)
        if state is None:
            day, lane = self.world.shift_day_lane(shift_id)
            state = self.world.shift_base(day, lane)
        return state

    def _lane_kept(self, lane: int, truncate: float | None) -> bool:
        return truncate is None or mix64(lane ^ 0x7A11) % 1000 < truncate * 1000

    def _lane_value(self, name: str, lane: int) -> Any:
        w = self.world
        if name == "employee":
            return w.lane_employee[lane]
        if name == "position":
            return w.lane_position[lane]
        if name == "vacant":
            return w.lane_employee[lane] is None
        return w.zone_names[w.lane_tz[lane]]  # timeZone

    def _state_matches(self, state: dict[str, Any], conds: Iterable[Cond],
                       truncate: float | None) -> bool:
        if state.get("_deleted"):
            return False
        if truncate is not None:
            sid = state["id"]
            if sid >= self.world.base_id_end:
                if not self._kept(sid, truncate):
                    return False
            elif not self._lane_kept(state["_lane"], truncate):
                return False
        return all(c.test(self._state_value(state, c.field)) for c in conds)

    @staticmethod
    def _state_value(state: Mapping[str, Any], name: str) -> Any:
        if name == "breakInMinutes":
            return state[name] or None  # a shift without a break has no breakInMinutes
        if name in state:
            return state[name]
        if name == "customId":
            return f"SH-{state['id']}"
        if name == "plannedDurationHours":
            return round((state["endDateTime"] - state["startDateTime"]) / 3600, 2)
        if name == "plannedPayableHours":
            return World.scheduled_hours(state) if state["payable"] else 0.0
        if name == "paidTimeOff":
            return False
        if name == "published":
            return True
        return None

    def _shift_conds(self, q: Query) -> list[Cond]:
        conds = list(q.conds)
        if "VACANT" in q.scopes:
            conds.append(Cond("vacant", "eq", (True,), "bool"))
        if "NOT_VACANT" in q.scopes:
            conds.append(Cond("vacant", "eq", (False,), "bool"))
        return conds

    def _shift_plan(self, q: Query, truncate: float | None) -> _Plan:
        key = (q.signature(), truncate, self._version)
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            return plan
        w = self.world
        lanes = w.lanes
        conds = self._shift_conds(q)
        structural = [c for c in conds if c.field in _STRUCTURAL]
        by_id = [c for c in conds if c.field == "id"]
        by_time = [c for c in conds if c.field in FIELD_BOUNDS]
        other = [c for c in conds
                 if c not in structural and c not in by_id and c not in by_time]
        if structural or truncate is not None:
            ok = [
                w.lane_pattern[lane] != 0 and self._lane_kept(lane, truncate)
                and all(c.test(self._lane_value(c.field, lane)) for c in structural)
                for lane in range(lanes)
            ]
            working = [[lane for lane in wl if ok[lane]] for wl in w.working]
        else:
            working = w.working
        overlay_hits = sorted(
            sid for sid, st in self._overlay.items()
            if self._state_matches(st, conds, truncate))
        checks = by_time + other
        chunks: list[tuple[int, list[int]]] = []
        hit_i = 0
        for day in range(w.days):
            base = SHIFT_ID0 + day * lanes
            cls_id = 1
            for c in by_id:
                r = c.classify(base, base + lanes - 1)
                cls_id = min(cls_id, r) if r != 0 else 0
                if r == 0:
                    break
            cls_t = 1
            if cls_id != 0:
                for c in by_time:
                    r = c.classify(*w.day_bounds(c.field, day))
                    if r == 0:
                        cls_t = 0
                        break
                    if r < 0:
                        cls_t = -1
            day_hits: list[int] = []
            while hit_i < len(overlay_hits) and overlay_hits[hit_i] < base + lanes:
                day_hits.append(overlay_hits[hit_i])
                hit_i += 1
            if cls_id == 0 or cls_t == 0:
                if day_hits:
                    chunks.append((0, day_hits))
                continue
            need_state = cls_t < 0 or bool(other)
            need_id = cls_id < 0
            touched = self._overlay_days.get(day)
            lanes_today = working[day % CYCLE]
            if not need_state and not need_id and not touched and not day_hits:
                if lanes_today:
                    chunks.append((base, lanes_today))
                continue
            ids: list[int] = []
            overlay = self._overlay
            for lane in lanes_today:
                sid = base + lane
                if sid in overlay:
                    continue
                if need_id and not all(c.test(sid) for c in by_id):
                    continue
                if need_state:
                    st = w.shift_base(day, lane)
                    if not all(c.test(self._state_value(st, c.field)) for c in checks):
                        continue
                ids.append(sid)
            if day_hits:
                ids = sorted(ids + day_hits)
            if ids:
                chunks.append((0, ids))
        extra_hits = [sid for sid in overlay_hits if sid >= w.base_id_end]
        if extra_hits:
            chunks.append((0, extra_hits))
        prefix = [0]
        for _, seq in chunks:
            prefix.append(prefix[-1] + len(seq))
        plan = _Plan(chunks, prefix)
        self._plans[key] = plan
        if len(self._plans) > _PLAN_CACHE_SIZE:
            self._plans.popitem(last=False)
        return plan

    def _list_shifts(self, q: Query,
                     truncate: float | None) -> tuple[int, list[dict[str, Any]]]:
        plan = self._shift_plan(q, truncate)
        total = plan.total
        if q.descending:
            start = max(0, total - q.offset - q.limit)
            stop = max(0, total - q.offset)
            ids = plan.ids(start, stop)
            ids.reverse()
        else:
            ids = plan.ids(q.offset, q.offset + q.limit)
        return total, [self._shift_record(self._shift_state(sid)) for sid in ids]

    # ----------------------------------------------------------------- faults support

    def pick_malformed(self, resource: str, count: int, defects: list[str],
                       field: str | None = None,
                       ids: list[int] | None = None) -> dict[int, tuple[str, str]]:
        """Choose which records a malformed-records fault breaks, and how.

        Unless ``ids`` are given: the first ``count`` ACTIVE Kaiser records of the resource by
        id (for shifts: non-cancelled, staffed, in the first days), defects taken in turn.
        """
        if resource not in DEFAULT_MISSING_FIELD:
            raise ValueError(f"unknown resource {resource!r} for malformed records; use one "
                             f"of {sorted(DEFAULT_MISSING_FIELD)}")
        allowed = DEFECTS_SHIFTS if resource == "shifts" else DEFECTS_COMMON
        bad = [d for d in defects if d not in allowed]
        if not defects or bad:
            raise ValueError(f"defects for {resource} must be among {sorted(allowed)}")
        if count < 0:
            raise ValueError("count must not be negative")
        fld = field or DEFAULT_MISSING_FIELD[resource]
        out: dict[int, tuple[str, str]] = {}
        with self._lock:
            if ids is not None:
                for n, rid in enumerate(ids):
                    out[int(rid)] = (defects[n % len(defects)], fld)
                return out
            targets = self._malformed_targets(resource, count)
        for n, rid in enumerate(targets):
            out[rid] = (defects[n % len(defects)], fld)
        return out

    def _malformed_targets(self, resource: str, count: int) -> list[int]:
        w = self.world
        found: list[int] = []
        if count == 0:
            return found
        if resource != "shifts":
            scope = self._kaiser_ids(resource)
            for r in self._records(resource):
                if r["id"] in scope and r.get("status", "ACTIVE") == "ACTIVE":
                    found.append(r["id"])
                    if len(found) == count:
                        break
            return found
        for day in range(w.days):
            for lane in w.working[day % CYCLE]:
                if w.lane_employee[lane] is None or \
                        w.lane_position[lane] not in self.kaiser_position_ids:
                    continue
                sid = w.shift_id(day, lane)
                if sid in self._overlay:
                    continue
                st = w.shift_base(day, lane)
                if st["status"] == "ACTIVE" and st["clockedHours"] is not None:
                    found.append(sid)
                    if len(found) == count:
                        return found
        return found

    def _kaiser_ids(self, resource: str) -> frozenset[int]:
        if resource == "regions":
            return self.kaiser_region_ids
        if resource == "clients":
            return self.kaiser_client_ids
        if resource == "positions":
            return self.kaiser_position_ids
        if resource == "employees":
            return frozenset(e["id"] for e in self.world.employees
                             if e["region"] in self.kaiser_region_ids)
        return frozenset(b["id"] for b in self.world.bill_settings
                         if b["_position"] in self.kaiser_position_ids)

    def on_demand_fields(self, resource: str) -> frozenset[str]:
        """The on-demand properties of a resource that this simulator can return."""
        return on_demand_fields(resource) & HELD[resource]

    # ----------------------------------------------------------------- changes

    def _set_overlay(self, state: dict[str, Any]) -> None:
        sid = state["id"]
        if sid >= self.world.base_id_end:
            if sid not in self._overlay:
                self._extras.append(sid)
        else:
            day, _ = self.world.shift_day_lane(sid)
            days = self._overlay_days.setdefault(day, [])
            if sid not in days:
                days.append(sid)
        self._overlay[sid] = state

    def mutate(self, step: int = 1) -> dict[str, Any]:
        """Apply ``step`` rounds of deterministic changes; each round is stamped with the
        clock (as ``updatedOn``), after which the clock moves on by a minute.

        A round renames a Kaiser region, site and post and an Acme site, transfers a Kaiser
        employee to another market, edits and cancels past shifts, adds a shift in a past
        week and terminates an employee. The shift changes are recorded in ``/shift-logs``
        (TIME, CANCELLED, ADDED). Returns what changed.
        """
        if step < 1:
            raise ValueError("step must be at least 1")
        rounds = []
        with self._lock:
            for _ in range(step):
                rounds.append(self._mutate_once())
            self._plans.clear()
        return {"rounds": rounds, "clock": World.utc_iso(self._clock)}

    def _mutate_once(self) -> dict[str, Any]:
        self._round += 1
        r = self._round
        rng = random.Random(f"{self.config.seed}-mutate-{r}")
        stamp = self._clock
        w = self.world
        kaiser = self.kaiser_region_ids
        changes: list[dict[str, Any]] = []

        def touch(resource: str, rec: dict[str, Any], kind: str, **extra: Any) -> None:
            rec["updatedOn"] = stamp
            changes.append({"resource": resource, "id": rec["id"], "change": kind, **extra})

        regions = [x for x in w.regions if x["id"] in kaiser and x["parentRegion"] is not None
                   and x["status"] == "ACTIVE"]
        if regions:
            reg = rng.choice(regions)
            reg["name"] = f"{reg['name'].split(' - Rev ')[0]} - Rev {r}"
            touch("regions", reg, "rename", name=reg["name"])
        sites = [c for c in w.clients if c["status"] == "ACTIVE"
                 and c["type"] != "MULTI_LOCATION_CLIENT"]
        for in_kaiser in (True, False):
            pool = [c for c in sites if (c["region"] in kaiser) == in_kaiser]
            if pool:
                site = rng.choice(pool)
                site["name"] = f"{site['name'].split(' - Rev ')[0]} - Rev {r}"
                touch("clients", site, "rename", name=site["name"])
        posts = [p for p in w.positions if p["status"] == "ACTIVE"
                 and p["id"] in self.kaiser_position_ids]
        if posts:
            post = rng.choice(posts)
            post["name"] = f"{post['name'].split(' - Rev ')[0]} - Rev {r}"
            touch("positions", post, "rename", name=post["name"])
        staff = [e for e in w.employees if e["status"] == "ACTIVE" and e["region"] in kaiser]
        markets = sorted(x["id"] for x in w.regions if x["id"] in kaiser
                         and x["status"] == "ACTIVE" and w.region_cities[x["id"]])
        moved: int | None = None
        if staff and len(markets) > 1:
            emp = rng.choice(staff)
            old = emp["region"]
            emp["region"] = rng.choice([m for m in markets if m != old])
            moved = emp["id"]
            touch("employees", emp, "transfer", fromRegion=old, toRegion=emp["region"])
        others = [e for e in staff if e["id"] != moved]
        if others:
            emp = rng.choice(others)
            emp["status"] = "TERMINATED"
            touch("employees", emp, "terminate")
        self._mutate_shifts(rng, stamp, changes)
        self._version += 1
        self._clock = stamp + CLOCK_TICK_SECONDS
        return {"round": r, "updatedOn": World.utc_iso(stamp), "changes": changes}

    def _mutate_shifts(self, rng: random.Random, stamp: int,
                       changes: list[dict[str, Any]]) -> None:
        w = self.world
        lanes = [lane for lane in range(w.lanes)
                 if w.lane_employee[lane] is not None and w.lane_pattern[lane]
                 and w.lane_position[lane] in self.kaiser_position_ids]
        if not lanes:
            return
        first_day = max(0, w.days - 28)

        def pick_existing() -> dict[str, Any] | None:
            for _ in range(200):
                lane = rng.choice(lanes)
                day = rng.randrange(first_day, w.days)
                sid = w.shift_id(day, lane)
                if w.shift_exists(day, lane) and sid not in self._overlay:
                    st = w.shift_base(day, lane)
                    if st["status"] == "ACTIVE":
                        return st
            return None

        st = pick_existing()
        if st is not None:
            ordinal, minute = st["_s"][0], st["_e"][1]
            st["_e"] = (st["_e"][0], minute + 60)
            st["endDateTime"], _ = w.local(st["_tz"], *st["_e"])
            base_clocked = st["clockedHours"] if st["clockedHours"] is not None \
                else World.scheduled_hours(st) - 1.0
            st["clockedHours"] = round(base_clocked + 1.0, 2)
            st["approvedHours"] = st["clockedHours"]
            st["updatedOn"] = st["modifiedOn"] = stamp
            w.settle_hours(st)
            self._set_overlay(st)
            self._log("TIME", st, stamp)
            changes.append({"resource": "shifts", "id": st["id"], "change": "late_edit",
                            "shiftDate": date.fromordinal(ordinal).isoformat()})
        st = pick_existing()
        if st is not None:
            st["status"] = "CANCELLED"
            st["clockedHours"] = st["approvedHours"] = None
            st["updatedOn"] = st["modifiedOn"] = stamp
            w.settle_hours(st)
            self._set_overlay(st)
            self._log("CANCELLED", st, stamp)
            changes.append({"resource": "shifts", "id": st["id"], "change": "cancel",
                            "shiftDate": date.fromordinal(st["_s"][0]).isoformat()})
        for _ in range(200):
            lane = rng.choice(lanes)
            day = rng.randrange(max(0, w.days - 21), max(1, w.days - 7))
            if not w.shift_exists(day, lane):
                break
        st = w.shift_base(day, lane)
        st["id"] = self._next_extra
        self._next_extra += 1
        st["status"] = "ACTIVE"
        st["billable"] = st["payable"] = True
        st["_late"] = False
        st["clockedHours"] = st["approvedHours"] = World.scheduled_hours(st)
        st["createdOn"] = st["updatedOn"] = st["modifiedOn"] = stamp
        w.settle_hours(st)
        self._set_overlay(st)
        self._log("ADDED", st, stamp)
        changes.append({"resource": "shifts", "id": st["id"], "change": "new",
                        "shiftDate": date.fromordinal(st["_s"][0]).isoformat()})

    def _log(self, change_type: str, st: Mapping[str, Any], stamp: int) -> None:
        """Record a change of a shift in ``/shift-logs``."""
        ordinal, start_min = st["_s"]
        end_min = st["_e"][1] % 1440
        details = (f"{date.fromordinal(ordinal).isoformat()} {start_min // 60:02d}:"
                   f"{start_min % 60:02d}-{end_min // 60:02d}:{end_min % 60:02d} "
                   f"{st['timeZone']}, position {st['position']}")
        self._logs.append({
            "id": len(self._logs) + 1, "changeType": change_type, "shiftId": st["id"],
            "shift": st["id"], "employee": st["employee"], "createdOn": stamp,
            "note": _LOG_NOTES[change_type], "shiftDetails": details, "isValid": True})

    def delete_shifts(self, ids: Iterable[int], *, log: bool = True) -> dict[str, Any]:
        """Delete shifts, as TrackTik can: a deleted shift is no longer listed, leaves a
        REMOVED entry in ``/shift-logs`` stamped with the clock (unless ``log`` is false: a
        deletion the shift log does not show, which only a full sync can learn), and leaves
        :meth:`truth`. The clock then moves on by a minute.

        Returns ``{"deleted": [ids], "unknown": [ids that are no (longer a) shift], "clock"}``.
        """
        deleted: list[int] = []
        unknown: list[int] = []
        with self._lock:
            stamp = self._clock
            for raw in ids:
                sid = int(raw)
                st = self._overlay.get(sid)
                if st is None and self._base_exists(sid):
                    st = self.world.shift_base(*self.world.shift_day_lane(sid))
                if st is None or st.get("_deleted"):
                    unknown.append(sid)
                    continue
                st = dict(st)
                st["_deleted"] = True
                st["updatedOn"] = st["modifiedOn"] = stamp
                self._set_overlay(st)
                if log:
                    self._log("REMOVED", st, stamp)
                deleted.append(sid)
            if deleted:
                self._version += 1
                self._plans.clear()
                self._clock = stamp + CLOCK_TICK_SECONDS
            return {"deleted": deleted, "unknown": unknown, "clock": World.utc_iso(self._clock)}

    # ----------------------------------------------------------------- portal changes
    #
    # What a portal user (or a clock-skewed portal) does between two runs. Each change is
    # stamped with the clock (``updatedOn``/``modifiedOn``; a shift-log entry where TrackTik
    # writes one), after which the clock moves on by a minute; :meth:`truth` and every listing
    # reflect it at once. Moves of posts take an explicit change time (``changed_at``), which
    # may lie in the past: a change the warehouse learns after the shifts it affects.

    def _tick(self) -> None:
        self._version += 1
        self._plans.clear()
        self._clock += CLOCK_TICK_SECONDS

    def _live_shift(self, shift_id: int) -> dict[str, Any]:
        """A copy of the current state of a shift that exists (not deleted); ValueError."""
        sid = int(shift_id)
        st = self._overlay.get(sid)
        if st is None and self._base_exists(sid):
            st = self.world.shift_base(*self.world.shift_day_lane(sid))
        if st is None or st.get("_deleted"):
            raise ValueError(f"no shift {sid}")
        return dict(st)

    def _post(self, position_id: int) -> dict[str, Any]:
        post = self.world.by_id["positions"].get(int(position_id))
        if post is None:
            raise ValueError(f"no post {position_id}")
        return post

    def _site_zone(self, post: Mapping[str, Any]) -> int:
        site = self.world.by_id["clients"][post["account"]]
        zone = site.get("timeZone") or self.world.regions[site["region"] - 1]["timeZone"]
        return self.world.zone_index(zone)

    def _free_shift_id(self, below: int | None = None, near_day: int = 0,
                       lane: int | None = None) -> int | None:
        """An unused id inside the range of base ids (a day a lane does not work), below
        ``below`` when given: new shifts then sort among existing ones, as on a portal whose
        ids are not in time order."""
        w = self.world
        lanes = [lane] if lane is not None else range(w.lanes)
        for delta in range(w.days):
            for day in (near_day - delta, near_day + delta):
                if not 0 <= day < w.days:
                    continue
                for ln in lanes:
                    sid = w.shift_id(day, ln)
                    if below is not None and sid >= below:
                        continue
                    if not w.shift_exists(day, ln) and sid not in self._overlay:
                        return sid
        return None

    def _place_shift(self, st: dict[str, Any], tz: int, local_start: datetime,
                     hours: float, break_minutes: int) -> None:
        """Set a shift state's times from a local wall-clock start and a length in hours."""
        if hours <= 0 or hours > 24:
            raise ValueError("hours must be within (0, 24]")
        if break_minutes < 0 or break_minutes >= hours * 60:
            raise ValueError("break_minutes must be within [0, the shift's length)")
        ordinal = local_start.date().toordinal()
        start_min = local_start.hour * 60 + local_start.minute
        end_min = start_min + round(hours * 60)
        st["_s"] = (ordinal, start_min)
        st["_e"] = (ordinal, end_min)
        st["_tz"] = tz
        st["timeZone"] = self.world.zone_names[tz]
        st["startDateTime"], _ = self.world.local(tz, ordinal, start_min)
        st["endDateTime"], _ = self.world.local(tz, ordinal, end_min)
        st["breakInMinutes"] = break_minutes

    def add_shift(self, position: int, employee: int | None, local_start: datetime | str,
                  hours: float, *, break_minutes: int = 0,
                  clocked_hours: float | None | str = "scheduled",
                  approved_hours: float | None | str = "scheduled",
                  shift_id: int | None = None) -> dict[str, Any]:
        """A user schedules (and the guard works) a shift: at post ``position`` for
        ``employee`` (None: a vacant shift), starting at ``local_start`` (wall clock in the
        site's time zone, naive ``datetime`` or ``"YYYY-MM-DDThh:mm"``), ``hours`` long
        (end - start), ``break_minutes`` unpaid. Clocked and approved hours default to the
        scheduled hours; None leaves them out. Logged ADDED; ``createdOn``, ``updatedOn`` and
        ``modifiedOn`` are the clock. Its id is ``shift_id`` when given (an unused id, also
        one below existing ids), else the next id after every other shift.

        Returns ``{"id", "clock"}``.
        """
        start = datetime.fromisoformat(local_start) if isinstance(local_start, str) \
            else local_start
        if start.tzinfo is not None:
            raise ValueError("local_start is a wall-clock time: give it without an offset")
        with self._lock:
            post = self._post(position)
            if employee is not None and int(employee) not in self.world.by_id["employees"]:
                raise ValueError(f"no employee {employee}")
            if shift_id is None:
                sid = self._next_extra
                self._next_extra += 1
            else:
                sid = int(shift_id)
                if sid in self._overlay or self._base_exists(sid) or sid < SHIFT_ID0:
                    raise ValueError(f"shift id {sid} is taken")
                if sid >= self._next_extra:
                    self._next_extra = sid + 1
            stamp = self._clock
            lane = self.world.shift_day_lane(sid)[1] if sid < self.world.base_id_end else -1
            st: dict[str, Any] = {
                "id": sid, "status": "ACTIVE", "employee": None if employee is None
                else int(employee), "position": post["id"], "vacant": employee is None,
                "billable": employee is not None, "payable": employee is not None,
                "createdOn": stamp, "updatedOn": stamp, "modifiedOn": stamp,
                "_lane": lane, "_late": False}
            self._place_shift(st, self._site_zone(post), start, hours, break_minutes)
            scheduled = World.scheduled_hours(st)
            st["clockedHours"] = scheduled if clocked_hours == "scheduled" else clocked_hours
            st["approvedHours"] = scheduled if approved_hours == "scheduled" else approved_hours
            self.world.settle_hours(st)
            self._set_overlay(st)
            self._log("ADDED", st, stamp)
            self._tick()
            return {"id": sid, "clock": World.utc_iso(self._clock)}

    def edit_shift(self, shift_id: int, *, local_start: datetime | str | None = None,
                   hours: float | None = None, break_minutes: int | None = None,
                   clocked_hours: float | None | str = "keep",
                   approved_hours: float | None | str = "keep") -> dict[str, Any]:
        """A user edits a shift: new times (``local_start`` and/or ``hours``, wall clock in the
        shift's time zone) and/or clocked and approved hours ("keep" leaves them, None removes
        them). Stamped with the clock; logged TIME. Returns ``{"id", "clock"}``."""
        with self._lock:
            st = self._live_shift(shift_id)
            if local_start is not None or hours is not None or break_minutes is not None:
                start = datetime.fromisoformat(local_start) if isinstance(local_start, str) \
                    else local_start
                if start is None:
                    ordinal, minute = st["_s"]
                    start = datetime.combine(date.fromordinal(ordinal), datetime.min.time()) \
                        .replace(hour=minute // 60, minute=minute % 60)
                length = hours if hours is not None else \
                    (st["endDateTime"] - st["startDateTime"]) / HOUR
                self._place_shift(st, st["_tz"], start, length,
                                  st["breakInMinutes"] if break_minutes is None
                                  else break_minutes)
            if clocked_hours != "keep":
                st["clockedHours"] = clocked_hours
            if approved_hours != "keep":
                st["approvedHours"] = approved_hours
            stamp = self._clock
            st["updatedOn"] = st["modifiedOn"] = stamp
            self.world.settle_hours(st)
            self._set_overlay(st)
            self._log("TIME", st, stamp)
            self._tick()
            return {"id": st["id"], "clock": World.utc_iso(self._clock)}

    def cancel_shift(self, shift_id: int) -> dict[str, Any]:
        """A user cancels a shift (status CANCELLED, no clock data). Stamped with the clock;
        logged CANCELLED. Returns ``{"id", "clock"}``."""
        with self._lock:
            st = self._live_shift(shift_id)
            stamp = self._clock
            st["status"] = "CANCELLED"
            st["clockedHours"] = st["approvedHours"] = None
            st["updatedOn"] = st["modifiedOn"] = stamp
            self.world.settle_hours(st)
            self._set_overlay(st)
            self._log("CANCELLED", st, stamp)
            self._tick()
            return {"id": st["id"], "clock": World.utc_iso(self._clock)}

    def stamp_record(self, resource: str, record_id: int,
                     at: datetime | str | int) -> dict[str, Any]:
        """A clock-skewed portal: the record's ``updatedOn`` (and a shift's ``modifiedOn``)
        becomes ``at``, typically ahead of the real time. Nothing else changes; no shift-log
        entry. Returns ``{"resource", "id", "stamp", "clock"}``."""
        when = _to_epoch(at)
        with self._lock:
            if resource == "shifts":
                st = self._live_shift(record_id)
                st["updatedOn"] = st["modifiedOn"] = when
                self._set_overlay(st)
            else:
                store = self.world.by_id.get(resource)
                rec = None if store is None or resource not in _TRUTH_RESOURCES \
                    else store.get(int(record_id))
                if rec is None:
                    raise ValueError(f"no {resource} record {record_id}")
                rec["updatedOn"] = when
            self._tick()
            return {"resource": resource, "id": int(record_id), "stamp": World.utc_iso(when),
                    "clock": World.utc_iso(self._clock)}

    def _settle_billing(self, billing: dict[str, Any]) -> None:
        """A post's billing setting after its history changed: the setting in force at the
        clock's date is the effective one (its rate is the setting's ``rate``)."""
        today = datetime.fromtimestamp(self._clock, UTC).date().isoformat()
        settings = [self.world.by_id["position-bill-settings"][i]
                    for i in billing["billSettings"]]
        current = [b for b in settings if b["effectiveDate"] <= today]
        chosen = max(current or settings, key=lambda b: (b["effectiveDate"], b["id"]),
                     default=None)
        billing["effectiveBillSettingId"] = None if chosen is None else chosen["id"]
        billing["rate"] = None if chosen is None else chosen["rate"]

    def add_bill_setting(self, position_id: int, rate: float, effective_date: date | str,
                         *, overtime_rate_type: str = "DEFAULT") -> dict[str, Any]:
        """A user adds a rate to a post: a bill setting (HOURLY) with ``effectiveDate``,
        listed in the post's ``billingSetting.billSettings`` (a billing setting is made for a
        post that had none). Its ``createdOn``/``updatedOn`` are the clock; the post itself is
        not touched (its ``updatedOn`` stays). Returns ``{"id", "position", "clock"}``."""
        if overtime_rate_type not in ("DEFAULT", "MULTIPLIER", "RATE"):
            raise ValueError("overtime_rate_type must be DEFAULT, MULTIPLIER or RATE")
        effective = effective_date if isinstance(effective_date, str) \
            else effective_date.isoformat()
        date.fromisoformat(effective)
        w = self.world
        with self._lock:
            post = self._post(position_id)
            stamp = self._clock
            billing_id = post.get("billingSetting")
            if billing_id is None:
                billing_id = BILLING_ID0 + post["id"]
                billing = {"id": billing_id, "position": post["id"], "type": "HOURLY",
                           "billBreaks": "NONE", "holiday": "REGULAR", "holidayMultiplier": 1.5,
                           "discountRate": 0.0, "billSettings": []}
                group = w.region_holiday_group.get(w.position_region[post["id"]])
                if group is not None:
                    billing["holidayGroup"] = group
                w.billings.append(billing)
                w.by_id["position-billing-settings"][billing_id] = billing
                post["billingSetting"] = billing_id
            billing = w.by_id["position-billing-settings"][billing_id]
            sid = self._next_setting
            self._next_setting += 1
            rec = World._bill_setting(sid, billing_id, post["id"], float(rate), effective,
                                      overtime_rate_type, stamp, stamp)
            w.bill_settings.append(rec)
            w.by_id["position-bill-settings"][sid] = rec
            billing["billSettings"] = [*billing["billSettings"], sid]
            self._settle_billing(billing)
            self._tick()
            return {"id": sid, "position": post["id"], "clock": World.utc_iso(self._clock)}

    def delete_bill_setting(self, setting_id: int) -> dict[str, Any]:
        """A user deletes a bill setting: it leaves ``/position-bill-settings`` and its post's
        ``billingSetting.billSettings`` (the post's ``updatedOn`` stays). Returns
        ``{"id", "position", "clock"}``."""
        w = self.world
        with self._lock:
            rec = w.by_id["position-bill-settings"].get(int(setting_id))
            if rec is None:
                raise ValueError(f"no bill setting {setting_id}")
            w.bill_settings.remove(rec)
            del w.by_id["position-bill-settings"][rec["id"]]
            billing = w.by_id["position-billing-settings"][rec["positionBilling"]]
            billing["billSettings"] = [i for i in billing["billSettings"] if i != rec["id"]]
            self._settle_billing(billing)
            self._tick()
            return {"id": rec["id"], "position": rec["_position"],
                    "clock": World.utc_iso(self._clock)}

    def _rescope(self) -> None:
        w = self.world
        self.kaiser_position_ids = frozenset(
            p["id"] for p in w.positions if p["account"] in self.kaiser_client_ids)

    def move_post(self, position_id: int, site_id: int,
                  changed_at: datetime | str | int | None = None) -> dict[str, Any]:
        """A user moves a post to another site. Its ``updatedOn`` is ``changed_at`` (default:
        the clock), which may lie in the past, inside a range the warehouse already loaded.
        The post's shifts keep their own time zone. Returns ``{"id", "from", "to",
        "updatedOn", "clock"}``."""
        with self._lock:
            post = self._post(position_id)
            site = self.world.by_id["clients"].get(int(site_id))
            if site is None or site["type"] == "MULTI_LOCATION_CLIENT":
                raise ValueError(f"no site {site_id} to move a post to")
            when = self._clock if changed_at is None else _to_epoch(changed_at)
            old = post["account"]
            post["account"] = site["id"]
            post["updatedOn"] = when
            self.world.position_region[post["id"]] = site["region"]
            self._rescope()
            self._tick()
            return {"id": post["id"], "from": old, "to": site["id"],
                    "updatedOn": World.utc_iso(when), "clock": World.utc_iso(self._clock)}

    def set_non_billable(self, position_id: int, non_billable: bool = True,
                         changed_at: datetime | str | int | None = None) -> dict[str, Any]:
        """A user makes a post non-billable (or billable again). Its ``updatedOn`` is
        ``changed_at`` (default: the clock), which may lie in the past. TrackTik's own
        ``billableHours`` of the post's shifts follow the flag. Returns ``{"id",
        "nonBillable", "updatedOn", "clock"}``."""
        w = self.world
        with self._lock:
            post = self._post(position_id)
            when = self._clock if changed_at is None else _to_epoch(changed_at)
            post["nonBillable"] = bool(non_billable)
            post["updatedOn"] = when
            if non_billable:
                w.nonbillable_positions.add(post["id"])
            else:
                w.nonbillable_positions.discard(post["id"])
            for st in self._overlay.values():
                if st["position"] == post["id"] and not st.get("_deleted"):
                    w.settle_hours(st)
            self._tick()
            return {"id": post["id"], "nonBillable": post["nonBillable"],
                    "updatedOn": World.utc_iso(when), "clock": World.utc_iso(self._clock)}

    def shift_ids(self, start: date | str | None = None, end: date | str | None = None,
                  *, kaiser: bool = True) -> list[int]:
        """Ids of the shifts that exist now (not deleted; cancelled ones included) whose local
        start date is in [start, end] (default: the data range), of Kaiser posts only unless
        ``kaiser`` is false; ascending."""
        w = self.world
        first, last = w.dates()
        d0 = date.fromisoformat(start) if isinstance(start, str) else start or first
        d1 = date.fromisoformat(end) if isinstance(end, str) else end or last
        with self._lock:
            posts = self.kaiser_position_ids
            out: list[int] = []
            for day in range(max(0, d0.toordinal() - w.start_ordinal),
                             min(w.days - 1, d1.toordinal() - w.start_ordinal) + 1):
                for lane in w.working[day % CYCLE]:
                    sid = w.shift_id(day, lane)
                    if sid not in self._overlay and (not kaiser or w.lane_position[lane] in posts):
                        out.append(sid)
            out += [sid for sid, st in self._overlay.items()
                    if not st.get("_deleted") and (not kaiser or st["position"] in posts)
                    and d0 <= w.local_date_of(st) <= d1]
            return sorted(out)

    def shift(self, shift_id: int) -> dict[str, Any]:
        """The current state of an existing shift as the API names its fields (instants as
        epoch seconds); ValueError when there is no such shift (or it was deleted)."""
        with self._lock:
            return self._shift_record(self._live_shift(shift_id))

    # ----------------------------------------------------------------- churn (paging fault)

    def churn(self, resource: str, params: Mapping[str, Any], last_id: int, delete: int,
              add: int, phase: int = 0) -> dict[str, Any]:
        """Change the records that a list request matches, between two of its pages: delete
        ``delete`` of them and add ``add`` new ones, on both sides of ``last_id`` (the last id
        served): in an even ``phase`` the deleted records are below it and the added ones
        above, in an odd phase the other way round. Offset paging then skips records (after
        an even phase) and repeats them (after an odd one), and the count of records after
        ``last_id`` changes. Only ``shifts`` are churned; deletions leave REMOVED shift-log
        entries, additions ADDED ones, stamped with the clock. Returns ``{"deleted",
        "added", "lastId"}`` (ids)."""
        if resource != "shifts":
            raise ValueError("churn applies to shifts only")
        norm = {k: [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]
                for k, v in params.items() if k not in ("limit", "offset", "sort")}
        q = parse_query(resource, norm)
        q.conds = [c for c in q.conds if c.field != "id"]
        w = self.world
        deleted: list[int] = []
        added: list[int] = []
        with self._lock:
            self._round += 1
            rng = random.Random(f"{self.config.seed}-churn-{self._round}")
            plan = self._shift_plan(q, None)
            matching = plan.ids(0, plan.total)
            below = [i for i in matching if i < last_id]
            above = [i for i in matching if i > last_id]
            even = phase % 2 == 0
            doomed = rng.sample(below if even else above,
                                min(delete, len(below if even else above)))
            models = below + above
            if doomed:
                deleted = self.delete_shifts(sorted(doomed))["deleted"]
            for _ in range(add):
                want_below = not even
                pool = [i for i in (below if want_below else above) if i not in doomed] \
                    or [i for i in models if i not in doomed]
                if not pool:
                    break
                model = self._live_shift(rng.choice(pool))
                new_id: int | None
                if want_below:
                    lane = model["_lane"] if model["_lane"] >= 0 else None
                    new_id = self._free_shift_id(below=last_id,
                                                 near_day=model["_s"][0] - w.start_ordinal,
                                                 lane=lane)
                else:
                    new_id = None
                ordinal, minute = model["_s"]
                start = datetime.combine(date.fromordinal(ordinal), datetime.min.time()) \
                    .replace(hour=minute // 60, minute=minute % 60)
                made = self.add_shift(model["position"], model["employee"], start,
                                      (model["endDateTime"] - model["startDateTime"]) / HOUR,
                                      break_minutes=model["breakInMinutes"], shift_id=new_id)
                added.append(made["id"])
            return {"deleted": deleted, "added": added, "lastId": last_id}

    # ----------------------------------------------------------------- billing

    def _fresh_bills(self) -> None:
        """Forget computed billing when anything changed since (the data's version)."""
        if self._bills_version != self._version:
            self._bills.clear()
            self._items.clear()
            self._period_shifts.clear()
            self._posts_billing.clear()
            self._bills_version = self._version

    def post_billing(self, position_id: int) -> billing.PostBilling | None:
        """A post's billing configuration as :mod:`tracktik_sim.billing` reads it (its
        ``billingSetting`` with the rate history, the BILLING rule and the holiday group's
        dates looked up); None for a post without a billing setting."""
        with self._lock:
            self._fresh_bills()
            if position_id not in self._posts_billing:
                self._posts_billing[position_id] = self._resolve_post_billing(position_id)
            return self._posts_billing[position_id]

    def _resolve_post_billing(self, position_id: int) -> billing.PostBilling | None:
        w = self.world
        post = w.by_id["positions"].get(position_id)
        bid = None if post is None else post.get("billingSetting")
        setting = None if bid is None else w.by_id["position-billing-settings"].get(bid)
        if setting is None:
            return None
        dec = billing.dec

        def opt(value: Any) -> Decimal | None:
            return None if value is None else dec(value)

        history = tuple(
            billing.BillSetting(
                b["id"], date.fromisoformat(b["effectiveDate"]), dec(b["rate"]),
                b.get("billingType", "HOURLY"), b.get("overtimeRateType"),
                opt(b.get("customOvertimeMultiplier1")), opt(b.get("customOvertimeMultiplier2")),
                opt(b.get("customOvertimeRate1")), opt(b.get("customOvertimeRate2")))
            for b in (w.by_id["position-bill-settings"].get(i)
                      for i in setting.get("billSettings", ()))
            if b is not None)
        rule: billing.Rule | None = None
        spec = w.by_id["overtime-rules"].get(setting.get("overtimeRule") or 0)
        if spec is not None and spec["ruleType"] == "BILLING":
            items = tuple(
                billing.RuleItem(i["ruleType"], dec(i["threshold"]), i["rateType"],
                                 opt(i.get("rateMultiplier")), opt(i.get("rateAmount")), i["id"])
                for i in w.overtime_rule_items if i["overtimeRule"] == spec["id"])
            rule = billing.Rule(spec["periodLength"], spec["method"], items, spec["id"])
        dates: frozenset[date] | None = None
        group = setting.get("holidayGroup")
        if group is not None and group in w.by_id["holiday-groups"]:
            holidays = {h["id"] for h in w.holidays if group in h["groups"]}
            dates = frozenset(date.fromisoformat(d["holidayDate"]) for d in w.holiday_dates
                              if d["holiday"] in holidays)
        return billing.PostBilling(
            type=setting.get("type", "HOURLY"), rate=opt(setting.get("rate")), history=history,
            bill_breaks=setting.get("billBreaks", "NONE"),
            holiday=setting.get("holiday", "REGULAR"), holiday_rate=opt(setting.get("holidayRate")),
            holiday_multiplier=opt(setting.get("holidayMultiplier")),
            discount_rate=dec(setting.get("discountRate") or 0), rule=rule, holiday_dates=dates)

    def _period_states(self, pidx: int) -> list[dict[str, Any]]:
        """Every shift that exists now whose local date is in billing period ``pidx``."""
        w = self.world
        first = billing.PERIOD_ANCHOR + timedelta(days=pidx * billing.PERIOD_DAYS)
        d0 = first.toordinal() - w.start_ordinal
        out: list[dict[str, Any]] = []
        for day in range(max(0, d0), min(w.days, d0 + billing.PERIOD_DAYS)):
            for lane in w.working[day % CYCLE]:
                if w.shift_id(day, lane) not in self._overlay:
                    out.append(w.shift_base(day, lane))
        last = first + timedelta(days=billing.PERIOD_DAYS - 1)
        out += [st for st in self._overlay.values()
                if not st.get("_deleted") and first <= w.local_date_of(st) <= last]
        return out

    def _period_bills(self, pidx: int) -> dict[int, billing.ShiftBill]:
        """The billing of every shift of a billing period (cached until the next change)."""
        self._fresh_bills()
        found = self._bills.get(pidx)
        if found is None:
            states = self._period_states(pidx)
            found = billing.bill_shifts(self._billing_input(st) for st in states)
            self._bills[pidx] = found
            self._items[pidx] = self._make_items(states, found)
            self._period_shifts[pidx] = [(st["id"], st["position"], st["_s"][0]) for st in states]
        return found

    def _billing_input(self, st: dict[str, Any]) -> billing.ShiftInput:
        w = self.world
        seconds = Decimal(st["endDateTime"] - st["startDateTime"])
        length = billing.money(seconds / 3600)
        scheduled = billing.money(seconds / 3600 - Decimal(st["breakInMinutes"]) / 60)
        position = st["position"]
        if position not in self._posts_billing:
            self._posts_billing[position] = self._resolve_post_billing(position)
        region = w.position_region.get(position)
        return billing.ShiftInput(
            shift_id=st["id"], employee=st["employee"], shift_date=w.local_date_of(st),
            start=st["startDateTime"], billable_hours=billing.dec(st["billableHours"]),
            break_hours=max(billing.ZERO, length - scheduled),
            post=self._posts_billing[position],
            california=bool(region is not None and w.region_is_ca.get(region)))

    def _make_items(self, states: list[dict[str, Any]],
                    bills: Mapping[int, billing.ShiftBill]) -> list[dict[str, Any]]:
        """The billable items of a period's shifts (one REVENUE item per billed shift)."""
        w = self.world
        touched: dict[int, int] = {}
        for st in states:
            grp = st["employee"] if st["employee"] is not None else -st["id"]
            touched[grp] = max(touched.get(grp, st["updatedOn"]), st["updatedOn"])
        items = []
        for st in states:
            bill = bills[st["id"]]
            if not bill.billed or bill.rate is None or bill.total is None:
                continue
            site = w.by_id["clients"].get(w.by_id["positions"][st["position"]]["account"], {})
            grp = st["employee"] if st["employee"] is not None else -st["id"]
            items.append({
                "id": BILLABLE_ITEM_ID0 + st["id"], "type": "REVENUE",
                "serviceModelShifts": st["id"], "quantity": float(bill.hours),
                "rate": float(bill.rate), "price": float(bill.total), "statType": "HOURS",
                "serviceDate": w.local_date_of(st).isoformat(),
                "servicedOn": st["startDateTime"], "region": site.get("region"),
                "serviceLocation": site.get("id"), "clientAccount": site.get("parentClient"),
                "billingNotes": bill.notes(), "createdOn": st["updatedOn"],
                "updatedOn": touched[grp]})
        items.sort(key=lambda r: r["id"])
        return items

    def _shift_period(self, shift_id: int) -> int | None:
        st = self._overlay.get(shift_id)
        if st is None and self._base_exists(shift_id):
            day, _ = self.world.shift_day_lane(shift_id)
            return billing.period_index(date.fromordinal(self.world.start_ordinal + day))
        if st is None or st.get("_deleted"):
            return None
        return billing.period_index(self.world.local_date_of(st))

    def _candidate_items(self, q: Query) -> list[dict[str, Any]]:
        """The billable items of the billing periods a query can match (its serviceDate and
        serviceModelShifts filters narrow them), before filtering."""
        w = self.world
        first, last = w.dates()
        lo, hi = first.toordinal(), last.toordinal()
        for st in self._overlay.values():
            if not st.get("_deleted"):
                lo, hi = min(lo, st["_s"][0]), max(hi, st["_s"][0])
        allowed: set[int] | None = None
        for c in q.conds:
            if c.field == "serviceDate":
                if c.op in ("eq", "in"):
                    dates = {billing.period_index(date.fromordinal(v)) for v in c.values}
                    allowed = dates if allowed is None else allowed & dates
                elif c.op == "between":
                    lo, hi = max(lo, c.values[0]), min(hi, c.values[1])
                elif c.op in ("gt", "after", "gte"):
                    lo = max(lo, c.values[0] + (c.op != "gte"))
                elif c.op in ("lt", "before", "lte"):
                    hi = min(hi, c.values[0] - (c.op != "lte"))
            elif c.field == "serviceModelShifts" and c.op in ("eq", "in"):
                periods = {pi for pi in (self._shift_period(v) for v in c.values) if pi is not None}
                allowed = periods if allowed is None else allowed & periods
        if lo > hi:
            return []
        span = range(billing.period_index(date.fromordinal(lo)),
                      billing.period_index(date.fromordinal(hi)) + 1)
        out: list[dict[str, Any]] = []
        for pidx in span:
            if allowed is None or pidx in allowed:
                self._period_bills(pidx)
                out += self._items[pidx]
        return out

    @staticmethod
    def _off(rec: dict[str, Any], discrepancies: Mapping[int, float],
             applied: set[str]) -> dict[str, Any]:
        amount = discrepancies.get(rec["serviceModelShifts"])
        if amount is None:
            return rec
        applied.add("billing_discrepancy")
        price = billing.money(billing.dec(rec["price"]) + billing.dec(float(amount)))
        return {**rec, "price": float(price)}

    def billing_of(self, shift_ids: Iterable[int]) -> dict[int, billing.ShiftBill]:
        """What TrackTik bills for these shifts (those that exist), by shift id."""
        with self._lock:
            out: dict[int, billing.ShiftBill] = {}
            for sid in shift_ids:
                pidx = self._shift_period(int(sid))
                if pidx is not None:
                    bill = self._period_bills(pidx).get(int(sid))
                    if bill is not None:
                        out[int(sid)] = bill
            return out

    def pick_billing_discrepancies(self, count: int) -> list[int]:
        """The first ``count`` shifts of Kaiser posts (by id) that TrackTik bills: the
        targets of a ``billing_discrepancy`` fault without ``ids``."""
        if count < 0:
            raise ValueError("count must not be negative")
        w = self.world
        first, last = w.dates()
        found: list[int] = []
        with self._lock:
            for pidx in range(billing.period_index(first), billing.period_index(last) + 1):
                if len(found) >= count:
                    break
                self._period_bills(pidx)
                found += [r["serviceModelShifts"] for r in self._items[pidx]
                          if r["region"] in self.kaiser_region_ids]
        return sorted(found)[:count]

    def set_billing(self, position_id: int, **fields: Any) -> dict[str, Any]:
        """A user edits a post's billing setting (fields of :data:`BILLING_FIELDS`; None
        removes one). Everything billed for the post's shifts follows. Returns ``{"id",
        "position", "billingSetting", "clock"}``."""
        unknown = set(fields) - BILLING_FIELDS
        if unknown:
            raise ValueError(f"unknown billing setting field(s) {sorted(unknown)}; use "
                             f"{sorted(BILLING_FIELDS)}")
        w = self.world
        with self._lock:
            post = self._post(position_id)
            setting = w.by_id["position-billing-settings"].get(post.get("billingSetting") or 0)
            if setting is None:
                raise ValueError(f"post {position_id} has no billing setting")
            for name, value in fields.items():
                if value is None:
                    setting.pop(name, None)
                else:
                    setting[name] = value
            self._tick()
            return {"id": setting["id"], "position": post["id"],
                    "billingSetting": {k: v for k, v in setting.items()
                                       if k in BILLING_FIELDS},
                    "clock": World.utc_iso(self._clock)}

    def _billing_truth(self, d0: date, d1: date) -> dict[str, Any]:
        shifts: dict[str, Any] = {}
        amount = Decimal(0)
        items = 0
        lo, hi = d0.toordinal(), d1.toordinal()
        for pidx in range(billing.period_index(d0), billing.period_index(d1) + 1):
            bills = self._period_bills(pidx)
            for sid, position, ordinal in self._period_shifts[pidx]:
                if position not in self.kaiser_position_ids or not lo <= ordinal <= hi:
                    continue
                bill = bills[sid]
                shifts[str(sid)] = billing.bill_summary(bill)
                if bill.billed and bill.total is not None:
                    items += 1
                    amount += bill.total
        return {"shifts": shifts, "billedShifts": items, "billedAmount": float(amount)}

    # ----------------------------------------------------------------- ground truth

    def truth(self, start: date | str | None = None,
              end: date | str | None = None) -> dict[str, Any]:
        """Ground truth of the Kaiser scope, as it is now (faults ignored).

        ``counts``: per resource, ``all`` records in scope and ``active`` ones (status
        ACTIVE; for shifts: not cancelled; bill settings have no status). ``shifts``: shifts
        whose local start date is in [start, end] (default: the whole data range): count,
        cancelled, and the sum of scheduled hours ((end - start) - break, each rounded to
        0.01) and of TrackTik's billableHours of the non-cancelled ones. Vacant shifts count;
        deleted shifts do not. ``posts``: per Kaiser post id (a string), its current site and
        that site's region, ``nonBillable``, ``updatedOn``, the ids of its bill settings, its
        ``overtimeRule`` and ``holidayGroup`` (None: the warehouse's shipped ones).
        ``billing``: what TrackTik bills (:mod:`tracktik_sim.billing`, faults ignored) for the
        shifts of the window at Kaiser posts: per shift id (a string) ``hours`` (billed),
        ``rate``, ``amount`` (None: not billed), ``kind``, ``overtimeHours`` (overtime and
        double time), ``doubleTimeHours``, ``overtimeImpact``, ``holidayHours``,
        ``holidayImpact``, ``discount``, ``problem``, ``billed`` (a billable item is served);
        ``billedShifts`` and ``billedAmount`` in total.
        """
        w = self.world
        first, last = w.dates()
        d0 = date.fromisoformat(start) if isinstance(start, str) else start or first
        d1 = date.fromisoformat(end) if isinstance(end, str) else end or last
        with self._lock:
            counts: dict[str, dict[str, int]] = {}
            for resource in _TRUTH_RESOURCES:
                scope = self._kaiser_ids(resource)
                recs = [x for x in self._records(resource) if x["id"] in scope]
                counts[resource] = {
                    "all": len(recs),
                    "active": sum(1 for x in recs if x.get("status", "ACTIVE") == "ACTIVE"),
                }
            whole = self._shift_truth(first, last)
            window = whole if (d0, d1) == (first, last) else self._shift_truth(d0, d1)
            counts["shifts"] = {"all": whole["count"],
                                "active": whole["count"] - whole["cancelled"]}
            root = w.regions[w.kaiser_root_id - 1]
            posts = {
                str(p["id"]): {"site": p["account"],
                               "region": w.by_id["clients"][p["account"]]["region"],
                               "nonBillable": p["nonBillable"],
                               "updatedOn": World.utc_iso(p["updatedOn"]),
                               "billSettings": sorted(
                                   b["id"] for b in w.bill_settings if b["_position"] == p["id"]),
                               **self._post_config(p)}
                for p in w.positions if p["id"] in self.kaiser_position_ids}
            return {
                "scope": {"rootRegionId": root["id"], "rootRegionName": root["name"],
                          "regionIds": sorted(self.kaiser_region_ids)},
                "counts": counts,
                "posts": posts,
                "shifts": window,
                "billing": self._billing_truth(d0, d1),
                "dataRange": {"start": first.isoformat(), "end": last.isoformat()},
                "clock": World.utc_iso(self._clock),
                "version": self._version,
            }

    def _post_config(self, post: Mapping[str, Any]) -> dict[str, Any]:
        setting = self.world.by_id["position-billing-settings"].get(
            post.get("billingSetting") or 0) or {}
        return {"overtimeRule": setting.get("overtimeRule"),
                "holidayGroup": setting.get("holidayGroup")}

    def _shift_truth(self, d0: date, d1: date) -> dict[str, Any]:
        w = self.world
        kaiser_posts = self.kaiser_position_ids
        count = cancelled = 0
        sched_cents = billable_cents = 0

        def add(st: dict[str, Any]) -> None:
            nonlocal count, cancelled, sched_cents, billable_cents
            count += 1
            if st["status"] == "CANCELLED":
                cancelled += 1
                return
            sched_cents += round(World.scheduled_hours(st) * 100)
            billable_cents += round(st["billableHours"] * 100)

        lanes_ok = [w.lane_position[lane] in kaiser_posts for lane in range(w.lanes)]
        first_day = max(0, d0.toordinal() - w.start_ordinal)
        last_day = min(w.days - 1, d1.toordinal() - w.start_ordinal)
        for day in range(first_day, last_day + 1):
            for lane in w.working[day % CYCLE]:
                if lanes_ok[lane] and w.shift_id(day, lane) not in self._overlay:
                    add(w.shift_base(day, lane))
        for st in self._overlay.values():
            if not st.get("_deleted") and st["position"] in kaiser_posts and d0 <= w.local_date_of(st) <= d1:
                add(st)
        return {
            "start": d0.isoformat(), "end": d1.isoformat(), "count": count,
            "cancelled": cancelled, "nonCancelled": count - cancelled,
            "scheduledHours": sched_cents / 100, "billableHours": billable_cents / 100,
        }
