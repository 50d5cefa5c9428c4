"""The simulator's state: generated data, the overlay of changed shifts, queries, changes,
ground truth. HTTP lives in :mod:`tracktik_sim.server`."""

from __future__ import annotations

import random
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from tracktik_sim.data import (
    CYCLE,
    FIELD_BOUNDS,
    HOUR,
    SHIFT_ID0,
    SimulatorConfig,
    World,
    mix64,
)
from tracktik_sim.query import (
    ON_DEMAND,
    SCHEMAS,
    STATUS_FILTERED,
    ApiProblem,
    Cond,
    Query,
    parse_datetime,
    parse_query,
)

if TYPE_CHECKING:
    from tracktik_sim.server import RunningSimulator

RESOURCES = tuple(SCHEMAS)
UNKNOWN_ID = 99_999_999
"""The id a malformed record points at when it must reference something that does not exist."""

DEFECTS_COMMON = frozenset({"missing_field", "offset_less_timestamp", "unknown_reference"})
DEFECTS_SHIFTS = DEFECTS_COMMON | {"end_before_start", "over_24h", "approved_gt_clocked",
                                   "unknown_employee"}
DEFAULT_MISSING_FIELD = {
    "regions": "name", "clients": "name", "positions": "name", "employees": "lastName",
    "position-bill-settings": "rate", "shifts": "startDateTime",
}
_REFERENCE_FIELD = {
    "regions": "parentRegion", "clients": "region", "positions": "account",
    "employees": "region", "position-bill-settings": "position", "shifts": "employee",
}
_STRUCTURAL = frozenset({"employee", "position", "vacant", "timeZone"})
CLOCK_TICK_SECONDS = 60
"""After each mutation round the clock moves on by this much, so rounds never share a time."""
_PLAN_CACHE_SIZE = 32


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
        self._version = 0
        self._round = 0
        self._plans: OrderedDict[tuple[Any, ...], _Plan] = OrderedDict()
        self._clock = self.world.initial_clock
        w = self.world
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
    ) -> dict[str, Any]:
        """The response body of ``GET /rest/v1/<resource>``; raises :class:`ApiProblem`.

        ``params`` as from ``urllib.parse.parse_qs`` (name -> list of values); a single
        value may be given without the list.

        ``defects`` maps record ids to (defect, field) to render broken; ``truncate`` keeps
        only that fraction of the matching records (both are fault injection).
        """
        q = parse_query(resource, {
            k: [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]
            for k, v in params.items()})
        if resource == "shifts" and not q.has_filter:
            raise ApiProblem(400, "A filter is required when listing shifts")
        defects = defects or {}
        with self._lock:
            if resource == "shifts":
                total, data = self._list_shifts(q, defects, truncate)
            else:
                total, data = self._list_dimension(q, defects, truncate)
        debug: dict[str, Any] | None = {"ignored": q.ignored} if q.ignored else None
        return {
            "meta": {
                "count": total,
                "itemCount": len(data),
                "limit": q.limit,
                "offset": q.offset,
                "resource": resource,
                "request": request,
                "security": {"granted": True},
                "debug": debug,
            },
            "data": data,
        }

    def _records(self, resource: str) -> list[dict[str, Any]]:
        w = self.world
        return {
            "regions": w.regions, "clients": w.clients, "positions": w.positions,
            "employees": w.employees, "position-bill-settings": w.bill_settings,
        }[resource]

    @staticmethod
    def _kept(record_id: int, truncate: float | None) -> bool:
        return truncate is None or mix64(record_id ^ 0x7A11) % 1000 < truncate * 1000

    def _list_dimension(self, q: Query, defects: Mapping[int, tuple[str, str]],
                        truncate: float | None) -> tuple[int, list[dict[str, Any]]]:
        status_filtered = q.resource in STATUS_FILTERED and not q.include_inactive
        matched = [
            r for r in self._records(q.resource)
            if (not status_filtered or r["status"] == "ACTIVE")
            and all(c.test(r.get(c.field)) for c in q.conds)
            and self._kept(r["id"], truncate)
        ]
        if q.descending:
            matched.reverse()
        page = matched[q.offset:q.offset + q.limit]
        return len(matched), [self._render_dimension(q, r, defects.get(r["id"])) for r in page]

    def _ref(self, resource: str, rid: int | None) -> dict[str, Any] | None:
        if rid is None:
            return None
        rec = self.world.by_id[resource].get(rid)
        if rec is None:
            return {"id": rid}
        if resource == "employees":
            return {"id": rid, "customId": rec["customId"], "firstName": rec["firstName"],
                    "lastName": rec["lastName"]}
        return {"id": rid, "customId": rec["customId"], "name": rec["name"]}

    def _render_dimension(self, q: Query, rec: dict[str, Any],
                          defect: tuple[str, str] | None) -> dict[str, Any]:
        schema = SCHEMAS[q.resource]
        out: dict[str, Any] = {}
        for name, ftype in schema.items():
            value = rec[name]
            if ftype.startswith("rel:") and name in q.includes:
                value = self._ref(ftype[4:], value)
            elif ftype == "obj":
                value = dict(value)
            out[name] = value
        for name in ON_DEMAND[q.resource]:
            if name in q.includes:
                out[name] = World.utc_iso(rec[name])
        if defect is not None:
            kind, fld = defect
            if kind == "missing_field":
                out.pop(fld, None)
            elif kind == "offset_less_timestamp":
                out["updatedOn"] = World.utc_iso(rec["updatedOn"])[:19]
            elif kind in ("unknown_reference", "unknown_employee"):
                ref = _REFERENCE_FIELD[q.resource]
                out[ref] = {"id": UNKNOWN_ID} if ref in q.includes else UNKNOWN_ID
        return out

    # ----------------------------------------------------------------- shift queries

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
        if truncate is not None:
            sid = state["id"]
            if sid >= self.world.base_id_end:
                if not self._kept(sid, truncate):
                    return False
            elif not self._lane_kept(state["_lane"], truncate):
                return False
        return all(c.test(state.get(c.field)) for c in conds)

    def _shift_plan(self, q: Query, truncate: float | None) -> _Plan:
        key = (q.signature(), truncate, self._version)
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            return plan
        w = self.world
        lanes = w.lanes
        structural = [c for c in q.conds if c.field in _STRUCTURAL]
        by_day = [c for c in q.conds if c.field == "id" or c.field in FIELD_BOUNDS]
        other = [c for c in q.conds if c not in structural and c not in by_day]
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
            if self._state_matches(st, q.conds, truncate))
        checks = by_day + other
        chunks: list[tuple[int, list[int]]] = []
        hit_i = 0
        for day in range(w.days):
            base = SHIFT_ID0 + day * lanes
            cls = 1
            for c in by_day:
                if c.field == "id":
                    lo, hi = base, base + lanes - 1
                else:
                    lo, hi = w.day_bounds(c.field, day)
                r = c.classify(lo, hi)
                if r == 0:
                    cls = 0
                    break
                if r < 0:
                    cls = -1
            if cls == 1 and other:
                cls = -1
            day_hits: list[int] = []
            while hit_i < len(overlay_hits) and overlay_hits[hit_i] < base + lanes:
                day_hits.append(overlay_hits[hit_i])
                hit_i += 1
            touched = self._overlay_days.get(day)
            lanes_today = working[day % CYCLE]
            if cls == 1 and not touched and not day_hits:
                if lanes_today:
                    chunks.append((base, lanes_today))
                continue
            ids: list[int] = []
            if cls != 0:
                overlay = self._overlay
                for lane in lanes_today:
                    sid = base + lane
                    if sid in overlay:
                        continue
                    if cls == 1:
                        ids.append(sid)
                        continue
                    st = w.shift_base(day, lane)
                    if all(c.test(st.get(c.field)) for c in checks):
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

    def _list_shifts(self, q: Query, defects: Mapping[int, tuple[str, str]],
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
        return total, [self._render_shift(q, self._shift_state(sid), defects.get(sid))
                       for sid in ids]

    def _render_shift(self, q: Query, st: dict[str, Any],
                      defect: tuple[str, str] | None) -> dict[str, Any]:
        w = self.world
        tz = st["_tz"]
        _, start_iso = w.local(tz, *st["_s"])
        _, end_iso = w.local(tz, *st["_e"])
        inc = q.includes
        employee = st["employee"]
        position = st["position"]
        out: dict[str, Any] = {
            "id": st["id"],
            "status": st["status"],
            "startDateTime": start_iso,
            "endDateTime": end_iso,
            "timeZone": st["timeZone"],
            "employee": self._ref("employees", employee) if "employee" in inc else employee,
            "position": self._ref("positions", position) if "position" in inc else position,
            "breakInMinutes": st["breakInMinutes"],
            "billable": st["billable"],
            "payable": st["payable"],
            "vacant": st["vacant"],
            "attendanceStatus": st["attendanceStatus"],
        }
        if inc:
            for name in ("clockedHours", "approvedHours", "billableHours", "payableHours"):
                if name in inc and st[name] is not None:
                    out[name] = st[name]
            for name in ("createdOn", "updatedOn", "modifiedOn"):
                if name in inc:
                    out[name] = World.utc_iso(st[name])
        if defect is not None:
            kind, fld = defect
            start_ts = st["startDateTime"]
            if kind == "missing_field":
                out.pop(fld, None)
            elif kind == "offset_less_timestamp":
                out["startDateTime"] = start_iso[:19]
            elif kind == "end_before_start":
                out["endDateTime"] = w.local_iso_of_instant(tz, start_ts - HOUR)
            elif kind == "over_24h":
                out["endDateTime"] = w.local_iso_of_instant(tz, start_ts + 26 * HOUR)
            elif kind == "approved_gt_clocked":
                clocked = st["clockedHours"] if st["clockedHours"] is not None else 8.0
                out["clockedHours"] = clocked
                out["approvedHours"] = round(clocked + 2.0, 2)
            elif kind in ("unknown_employee", "unknown_reference"):
                out["employee"] = {"id": UNKNOWN_ID} if "employee" in inc else UNKNOWN_ID
        return out

    # ----------------------------------------------------------------- faults support

    def pick_malformed(self, resource: str, count: int, defects: list[str],
                       field: str | None = None,
                       ids: list[int] | None = None) -> dict[int, tuple[str, str]]:
        """Choose which records a malformed-records fault breaks, and how.

        Unless ``ids`` are given: the first ``count`` ACTIVE Kaiser records of the resource by
        id (for shifts: non-cancelled, staffed, in the first days), defects taken in turn.
        """
        if resource not in SCHEMAS:
            raise ValueError(f"unknown resource {resource!r}")
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
                         if b["position"] in self.kaiser_position_ids)

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
        week and terminates an employee. Returns what changed.
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
            changes.append({"resource": "shifts", "id": st["id"], "change": "late_edit",
                            "shiftDate": date.fromordinal(ordinal).isoformat()})
        st = pick_existing()
        if st is not None:
            st["status"] = "CANCELLED"
            st["attendanceStatus"] = None
            st["clockedHours"] = st["approvedHours"] = None
            st["updatedOn"] = st["modifiedOn"] = stamp
            w.settle_hours(st)
            self._set_overlay(st)
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
        st["attendanceStatus"] = "ON_TIME"
        st["clockedHours"] = st["approvedHours"] = World.scheduled_hours(st)
        st["createdOn"] = st["updatedOn"] = st["modifiedOn"] = stamp
        w.settle_hours(st)
        self._set_overlay(st)
        changes.append({"resource": "shifts", "id": st["id"], "change": "new",
                        "shiftDate": date.fromordinal(st["_s"][0]).isoformat()})

    # ----------------------------------------------------------------- ground truth

    def truth(self, start: date | str | None = None,
              end: date | str | None = None) -> dict[str, Any]:
        """Ground truth of the Kaiser scope, as it is now (faults ignored).

        ``counts``: per resource, ``all`` records in scope and ``active`` ones (status
        ACTIVE; for shifts: not cancelled; bill settings have no status). ``shifts``: shifts
        whose local start date is in [start, end] (default: the whole data range): count,
        cancelled, and the sum of scheduled hours ((end - start) - break, each rounded to
        0.01) and of TrackTik's billableHours of the non-cancelled ones. Vacant shifts count.
        """
        w = self.world
        first, last = w.dates()
        d0 = date.fromisoformat(start) if isinstance(start, str) else start or first
        d1 = date.fromisoformat(end) if isinstance(end, str) else end or last
        with self._lock:
            counts: dict[str, dict[str, int]] = {}
            for resource in RESOURCES:
                if resource == "shifts":
                    continue
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
            return {
                "scope": {"rootRegionId": root["id"], "rootRegionName": root["name"],
                          "regionIds": sorted(self.kaiser_region_ids)},
                "counts": counts,
                "shifts": window,
                "dataRange": {"start": first.isoformat(), "end": last.isoformat()},
                "clock": World.utc_iso(self._clock),
                "version": self._version,
            }

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
            if st["position"] in kaiser_posts and d0 <= w.local_date_of(st) <= d1:
                add(st)
        return {
            "start": d0.isoformat(), "end": d1.isoformat(), "count": count,
            "cancelled": cancelled, "nonCancelled": count - cancelled,
            "scheduledHours": sched_cents / 100, "billableHours": billable_cents / 100,
        }
