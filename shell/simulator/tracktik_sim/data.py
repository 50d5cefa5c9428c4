"""Deterministic simulated TrackTik data.

Dimensions (regions, sites and their addresses, posts and their billing settings, employees,
bill settings) are small and generated eagerly from the seed; their records use the API's
property names, instants as epoch seconds, relations as ids, ``None`` for "no value" (the
property is then omitted). Shifts are never stored: a shift is addressed by ``(day, lane)`` and its id is
``SHIFT_ID0 + day * lanes + lane``, so ids ascend with time. A *lane* is one employee (or one
vacant-shift slot of a post); a 14-day bit pattern per lane says on which days it works. Every
field of a shift is computed on demand from the seed, the day and the lane (see
:meth:`World.shift_base`), which keeps a year of 5,000 guards (about a million shifts) in a few
megabytes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ADDRESS_ID0 = 500_000
"""A site's address id is ``ADDRESS_ID0 + client id``."""
BILLING_ID0 = 7_000
"""A post's position billing settings id is ``BILLING_ID0 + position id``."""
SHIFT_ID0 = 1_000_001
"""Id of the shift of lane 0 on day 0; base shift ids are ``SHIFT_ID0 + day * lanes + lane``."""

DAY = 86_400
HOUR = 3_600
CYCLE = 14
"""Length in days of the work pattern of a lane (two workweeks)."""

_M64 = (1 << 64) - 1

# Conservative bounds, relative to UTC midnight of a shift's local start date, of every
# time-valued field of a *base* shift (tests check them by brute force). They let a filter on
# one of these fields classify whole days as in, out, or "edge" (evaluated record by record).
FIELD_BOUNDS: dict[str, tuple[int, int]] = {
    "startDateTime": (0, 36 * HOUR),
    "endDateTime": (0, 50 * HOUR),
    "updatedOn": (-50 * HOUR, 96 * HOUR),
    "modifiedOn": (-50 * HOUR, 96 * HOUR),
    "createdOn": (-29 * DAY, 36 * HOUR),
}


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a fast, well-spread, deterministic 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


@dataclass(frozen=True)
class SimulatorConfig:
    """What to simulate. The same config always yields byte-identical API responses.

    The default start, Monday 2025-01-06, puts the spring DST change (2025-03-09) in week 9,
    Memorial Day in week 21, July 4 in week 26, Labor Day in week 35, Thanksgiving in week 47,
    Christmas in week 51 and New Year's Day 2026 in week 52: ``weeks=52`` covers all of them;
    the default 8 weeks covers none.
    """

    seed: int = 42
    employees: int = 200
    weeks: int = 8
    start_date: date = date(2025, 1, 6)
    expires_in: int = 3600
    client_id: str = "sim-client"
    client_secret: str = "sim-secret"
    username: str = "sim-user"
    password: str = "sim-pass"

    def __post_init__(self) -> None:
        if self.employees < 1:
            raise ValueError("employees must be at least 1")
        if self.weeks < 1:
            raise ValueError("weeks must be at least 1")
        if self.expires_in < 1:
            raise ValueError("expires_in must be at least 1 second")


@dataclass(frozen=True)
class Template:
    """A shift's wall-clock shape: minutes after local midnight of its start date."""

    name: str
    start_min: int
    end_min: int  # may exceed 1440: the shift ends on the next local day
    break_min: int


TEMPLATES: tuple[Template, ...] = (
    Template("DAY8", 6 * 60, 14 * 60, 0),
    Template("SWING8", 14 * 60, 22 * 60, 0),
    Template("NIGHT8", 22 * 60, 30 * 60, 0),
    Template("DAY12", 6 * 60, 18 * 60, 30),
    Template("NIGHT12", 18 * 60, 30 * 60, 30),
    Template("DAY10H", 7 * 60, 17 * 60 + 30, 30),
    Template("DAY13", 6 * 60, 19 * 60, 30),
)
_T = {t.name: i for i, t in enumerate(TEMPLATES)}
_EIGHT_HOUR = frozenset({_T["DAY8"], _T["SWING8"], _T["NIGHT8"]})
EXTENDED_MINUTES = 120
"""A few 8-hour shifts run two hours long (daily overtime outside California, > 40 h weeks)."""

PERIOD_ANCHOR = date(2024, 12, 27)
"""Start of a billing period (14 days, workweeks of 7 from it: Friday to Thursday)."""

OVERTIME_RULE_ITEM_ID0 = 3_001
HOLIDAY_GROUP_ID0 = 401
HOLIDAY_ID0 = 4_001
HOLIDAY_DATE_ID0 = 40_001
FIXED_AMOUNT = 4_800.0
"""The amount per billing period of the post billed at a FIXED price (no per-shift items)."""


@dataclass(frozen=True)
class RuleSpec:
    rule_id: int
    name: str
    rule_type: str
    period_length: str
    method: str
    items: tuple[tuple[str, int, str, float], ...]
    """(ruleType, threshold, rateType, rateMultiplier or rateAmount)."""


RULE_CALIFORNIA = 301
RULE_WEEKLY = 303
RULE_BIWEEKLY = 304
RULE_FLAT_RATE = 306
RULE_BEST_OF = 307
RULE_ACME = 308
OVERTIME_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(RULE_CALIFORNIA, "Kaiser California: daily 8/12, 7th day, weekly 40", "BILLING",
             "WEEKLY", "SEQUENTIAL",
             (("DAILY", 8, "MULTIPLIER", 1.5), ("DAILY", 12, "MULTIPLIER", 2.0),
              ("CONSECUTIVE_DAYS", 7, "MULTIPLIER", 2.0), ("PERIOD", 40, "MULTIPLIER", 1.5))),
    RuleSpec(302, "Payroll California: daily 8/12, weekly 40", "PAYROLL", "WEEKLY",
             "SEQUENTIAL",
             (("DAILY", 8, "MULTIPLIER", 1.5), ("DAILY", 12, "MULTIPLIER", 2.0),
              ("PERIOD", 40, "MULTIPLIER", 1.5))),
    RuleSpec(RULE_WEEKLY, "Kaiser weekly 40", "BILLING", "WEEKLY", "SEQUENTIAL",
             (("PERIOD", 40, "MULTIPLIER", 1.5),)),
    RuleSpec(RULE_BIWEEKLY, "Kaiser bi-weekly 80, holidays over 8 h double", "BILLING",
             "BI-WEEKLY", "SEQUENTIAL",
             (("PERIOD", 80, "MULTIPLIER", 1.5), ("HOLIDAY", 8, "MULTIPLIER", 2.0))),
    RuleSpec(305, "Payroll weekly 40", "PAYROLL", "WEEKLY", "SEQUENTIAL",
             (("PERIOD", 40, "MULTIPLIER", 1.5),)),
    RuleSpec(RULE_FLAT_RATE, "Kaiser weekly 40 at a flat overtime rate", "BILLING", "WEEKLY",
             "SEQUENTIAL", (("PERIOD", 40, "RATE", 65.0),)),
    RuleSpec(RULE_BEST_OF, "Kaiser best of daily 8, weekly 40, Sunday", "BILLING", "WEEKLY",
             "BEST_OF",
             (("DAILY", 8, "MULTIPLIER", 1.5), ("PERIOD", 40, "MULTIPLIER", 1.5),
              ("DAY_SPECIFIC", 7, "MULTIPLIER", 1.5))),
    RuleSpec(RULE_ACME, "Acme weekly 40", "BILLING", "WEEKLY", "SEQUENTIAL",
             (("PERIOD", 40, "MULTIPLIER", 1.5),)),
)
"""The portal's overtime rules: BILLING ones named by posts' billing settings, PAYROLL ones
that billing ignores."""
FIRST_RULES: tuple[int | None, ...] = (RULE_FLAT_RATE, RULE_BEST_OF, RULE_BIWEEKLY, None)
"""Rules of the first Kaiser posts outside California that guards work (every kind present)."""
RULE_CYCLE: tuple[int | None, ...] = (RULE_WEEKLY, RULE_BIWEEKLY, RULE_WEEKLY, RULE_BEST_OF,
                                      RULE_WEEKLY, None)

SHIPPED_HOLIDAYS = ("NYD", "MEMORIAL", "JULY4", "LABOR", "THANKSGIVING", "CHRISTMAS")
HOLIDAY_LABELS = {
    "NYD": "New Year's Day", "MLK": "Martin Luther King Jr. Day",
    "PRESIDENTS": "Presidents' Day", "CHAVEZ": "Cesar Chavez Day",
    "KUHIO": "Prince Kuhio Day", "MEMORIAL": "Memorial Day", "JULY4": "Independence Day",
    "LABOR": "Labor Day", "VETERANS": "Veterans Day", "THANKSGIVING": "Thanksgiving Day",
    "DAY_AFTER_THANKSGIVING": "Day after Thanksgiving", "CHRISTMAS": "Christmas Day",
}
REGION_HOLIDAYS: dict[str, tuple[str, ...]] = {
    "ncal": ("MLK", "PRESIDENTS", "CHAVEZ", "DAY_AFTER_THANKSGIVING"),
    "la": ("MLK", "DAY_AFTER_THANKSGIVING"),
    "oc": ("PRESIDENTS",),
    "sd": ("MLK", "PRESIDENTS"),
    "co": ("PRESIDENTS",),
    "ga": ("MLK",),
    "mas": ("MLK", "PRESIDENTS", "VETERANS"),
    "pnw": ("MLK", "DAY_AFTER_THANKSGIVING"),
    "hi": ("PRESIDENTS", "KUHIO"),
    "oh": ("MLK",),
    "acme-mw": ("DAY_AFTER_THANKSGIVING",),
}
"""Holidays of a region's group besides the six shipped ones (MLK Day and Presidents' Day put
holidays inside the default eight weeks from 2025-01-06)."""


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 the last) given weekday (0 Monday) of a month."""
    if n < 0:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        last = nxt - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def holiday_date(code: str, year: int) -> date:
    """The date of a holiday of :data:`HOLIDAY_LABELS` in a year (no weekend shifting)."""
    fixed = {"NYD": (1, 1), "CHAVEZ": (3, 31), "KUHIO": (3, 26), "JULY4": (7, 4),
             "VETERANS": (11, 11), "CHRISTMAS": (12, 25)}
    if code in fixed:
        return date(year, *fixed[code])
    if code == "DAY_AFTER_THANKSGIVING":
        return _nth_weekday(year, 11, 3, 4) + timedelta(days=1)
    month, weekday, n = {"MLK": (1, 0, 3), "PRESIDENTS": (2, 0, 3), "MEMORIAL": (5, 0, -1),
                         "LABOR": (9, 0, 1), "THANKSGIVING": (11, 3, 4)}[code]
    return _nth_weekday(year, month, weekday, n)

# key, name, parent key, time zone, status, share of employees, cities (city, state, ZIP prefix)
_REGION_SPECS: tuple[tuple[str, str, str | None, str, str, int, tuple[tuple[str, str, str], ...]],
                     ...] = (
    ("kp", "Kaiser Permanente", None, "America/Los_Angeles", "ACTIVE", 0, ()),
    ("ncal", "Northern California", "kp", "America/Los_Angeles", "ACTIVE", 25, (
        ("Oakland", "CA", "946"), ("San Francisco", "CA", "941"), ("Sacramento", "CA", "958"),
        ("San Jose", "CA", "951"), ("Walnut Creek", "CA", "945"), ("Roseville", "CA", "956"))),
    ("scal", "Southern California", "kp", "America/Los_Angeles", "ACTIVE", 0, ()),
    ("la", "Los Angeles", "scal", "America/Los_Angeles", "ACTIVE", 15, (
        ("Los Angeles", "CA", "900"), ("Pasadena", "CA", "911"), ("Downey", "CA", "902"),
        ("Woodland Hills", "CA", "913"))),
    ("oc", "Orange County", "scal", "America/Los_Angeles", "ACTIVE", 8, (
        ("Anaheim", "CA", "928"), ("Irvine", "CA", "926"))),
    ("sd", "San Diego", "scal", "America/Los_Angeles", "ACTIVE", 7, (
        ("San Diego", "CA", "921"), ("San Marcos", "CA", "920"))),
    ("co", "Colorado", "kp", "America/Denver", "ACTIVE", 8, (
        ("Denver", "CO", "802"), ("Aurora", "CO", "800"), ("Lone Tree", "CO", "801"))),
    ("ga", "Georgia", "kp", "America/New_York", "ACTIVE", 8, (
        ("Atlanta", "GA", "303"), ("Duluth", "GA", "300"))),
    ("mas", "Mid-Atlantic", "kp", "America/New_York", "ACTIVE", 9, (
        ("Rockville", "MD", "208"), ("Baltimore", "MD", "212"), ("Washington", "DC", "200"),
        ("Falls Church", "VA", "220"))),
    ("pnw", "Pacific Northwest", "kp", "America/Los_Angeles", "ACTIVE", 7, (
        ("Portland", "OR", "972"), ("Seattle", "WA", "981"), ("Vancouver", "WA", "986"))),
    ("hi", "Hawaii", "kp", "Pacific/Honolulu", "ACTIVE", 3, (
        ("Honolulu", "HI", "968"), ("Kahului", "HI", "967"))),
    ("oh", "Ohio", "kp", "America/New_York", "CLOSED", 0, (("Cleveland", "OH", "441"),)),
    ("acme", "Acme Corp", None, "America/Chicago", "ACTIVE", 0, ()),
    ("acme-mw", "Acme Midwest", "acme", "America/Chicago", "ACTIVE", 6, (
        ("Chicago", "IL", "606"), ("Milwaukee", "WI", "532"))),
    ("acme-tx", "Acme Texas", "acme", "America/Chicago", "ACTIVE", 4, (
        ("Dallas", "TX", "752"), ("Houston", "TX", "770"))),
)
KAISER_ROOT_NAME = "Kaiser Permanente"
OTHER_ROOT_NAME = "Acme Corp"

_FIRST = ("James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer",
          "Carlos", "Aiko", "Daniel", "Keanu", "Sofia", "Wei", "Fatima", "Jose", "Emily",
          "Andre", "Priya", "Thomas", "Grace", "Kevin", "Leilani", "Marcus", "Nina", "Omar",
          "Rachel", "Samuel", "Tanya", "Victor", "Yolanda", "Zoe")
_LAST = ("Smith", "Garcia", "Johnson", "Nguyen", "Williams", "Martinez", "Brown", "Lee",
         "Davis", "Lopez", "Kim", "Wilson", "Anderson", "Tanaka", "Thomas", "Hernandez",
         "Moore", "Kahale", "Jackson", "Patel", "White", "Chen", "Harris", "Clark", "Lewis",
         "Robinson", "Walker", "Young", "Allen", "King", "Wright", "O'Brien")
_JOB_TITLES = ("Security Officer", "Security Officer", "Security Officer",
               "Senior Security Officer", "Patrol Officer", "Site Supervisor",
               "Fire Watch Officer")
_POST_NAMES = ("Main Entrance Officer", "Emergency Department Officer",
               "Parking Structure Patrol", "Lobby Concierge", "Loading Dock Officer",
               "Mobile Patrol", "Night WATCH", "Fire WATCH", "STANDBY Officer",
               "Control Room Operator", "Pharmacy Escort", "Behavioral Health Sitter",
               "STANDBY Supervisor", "Visitor Screening")
_STREETS = ("Broadway", "Main Street", "Medical Center Drive", "Park Avenue", "Oak Street",
            "Mission Boulevard", "Hospital Way", "Lakeside Drive")
_EMPLOYEE_STATUS_WEIGHTS = (("ACTIVE", 930), ("TERMINATED", 35), ("INACTIVE", 25),
                            ("BANNED", 10))


def _region_is_california(name: str, parent_is_ca: bool) -> bool:
    return parent_is_ca or "california" in name.lower()


class World:
    """The generated data set: dimension records, lanes, and the shift formula."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.seed = config.seed
        self.days = config.weeks * 7
        self.start_ordinal = config.start_date.toordinal()
        self.salt = mix64(config.seed * 0x100000001B3 + 0x5EED)
        rng = random.Random(config.seed)
        self.zone_names: list[str] = []
        self.zones: list[ZoneInfo] = []
        self._zone_index: dict[str, int] = {}
        self._local_cache: dict[tuple[int, int, int], tuple[int, str]] = {}
        self.day_utc0 = [
            int(datetime.combine(date.fromordinal(self.start_ordinal + d), time(0),
                                 tzinfo=UTC).timestamp())
            for d in range(self.days)
        ]
        start_ts = self.day_utc0[0]
        # Dimension records are created/updated before the data range starts.
        self._dim_ref_ts = start_ts - 600 * DAY

        self.regions: list[dict[str, Any]] = []
        self.clients: list[dict[str, Any]] = []
        self.positions: list[dict[str, Any]] = []
        self.employees: list[dict[str, Any]] = []
        self.bill_settings: list[dict[str, Any]] = []
        """Position bill settings (``/position-bill-settings``): a post's rate history."""
        self.billings: list[dict[str, Any]] = []
        """Position billing settings (a post's ``billingSetting``; no path of their own)."""
        self.addresses: dict[int, dict[str, Any]] = {}
        self._build_regions(rng)
        self._build_people_and_places(rng)
        self._build_bill_settings(rng)
        self.overtime_rules: list[dict[str, Any]] = []
        """Overtime rules (``/overtime-rules``), BILLING and PAYROLL."""
        self.overtime_rule_items: list[dict[str, Any]] = []
        self.holiday_groups: list[dict[str, Any]] = []
        self.holidays: list[dict[str, Any]] = []
        self.holiday_dates: list[dict[str, Any]] = []
        self.region_holiday_group: dict[int, int] = {}
        """Region id -> the id of its holiday group."""
        self.special_posts: dict[str, int] = {}
        """What makes the configuration worth testing, by role: ``fixed``, ``discount``,
        ``holiday_rate``, ``bill_breaks_all``, ``seven_day`` (the post of a lane that works
        seven consecutive days), ``no_rule_california`` -> post id (absent when the world is
        too small)."""
        self._build_overtime_rules()
        self._build_holidays()
        self._configure_billing()
        self.by_id: dict[str, dict[int, dict[str, Any]]] = {
            "regions": {r["id"]: r for r in self.regions},
            "clients": {r["id"]: r for r in self.clients},
            "positions": {r["id"]: r for r in self.positions},
            "employees": {r["id"]: r for r in self.employees},
            "position-bill-settings": {r["id"]: r for r in self.bill_settings},
            "position-billing-settings": {r["id"]: r for r in self.billings},
            "addresses": self.addresses,
            "overtime-rules": {r["id"]: r for r in self.overtime_rules},
            "overtime-rule-items": {r["id"]: r for r in self.overtime_rule_items},
            "holiday-groups": {r["id"]: r for r in self.holiday_groups},
            "holidays": {r["id"]: r for r in self.holidays},
            "holiday-dates": {r["id"]: r for r in self.holiday_dates},
        }
        self.lanes = len(self.lane_pattern)
        self.working: list[list[int]] = [
            [lane for lane in range(self.lanes) if (self.lane_pattern[lane] >> cd) & 1]
            for cd in range(CYCLE)
        ]
        self.base_id_end = SHIFT_ID0 + self.days * self.lanes
        """First id after every base shift id; shifts added later get ids from here on."""
        # Clock: a fixed instant after every base record's updatedOn.
        self.initial_clock = self.day_utc0[-1] + 5 * DAY + 12 * HOUR

    # ----------------------------------------------------------------- time zones and times

    def zone_index(self, name: str) -> int:
        idx = self._zone_index.get(name)
        if idx is None:
            idx = len(self.zones)
            self._zone_index[name] = idx
            self.zone_names.append(name)
            self.zones.append(ZoneInfo(name))
        return idx

    def local(self, tz: int, ordinal: int, minute: int) -> tuple[int, str]:
        """Instant (epoch seconds) and ISO text with offset of a local wall-clock time."""
        if minute >= 1440 or minute < 0:
            ordinal += minute // 1440
            minute %= 1440
        key = (tz, ordinal, minute)
        hit = self._local_cache.get(key)
        if hit is None:
            dt = datetime.combine(date.fromordinal(ordinal), time(minute // 60, minute % 60),
                                  tzinfo=self.zones[tz])
            hit = (int(dt.timestamp()), dt.isoformat())
            if len(self._local_cache) > 200_000:
                self._local_cache.clear()
            self._local_cache[key] = hit
        return hit

    def local_iso_of_instant(self, tz: int, ts: int) -> str:
        return datetime.fromtimestamp(ts, self.zones[tz]).isoformat()

    @staticmethod
    def utc_iso(ts: int | float) -> str:
        return datetime.fromtimestamp(ts, UTC).isoformat()

    # ----------------------------------------------------------------- dimensions

    def _address(self, client_id: int, line1: str, city: str, state: str,
                 postal_code: str) -> int:
        """Record a site's address (an Addresses object); its id."""
        aid = ADDRESS_ID0 + client_id
        self.addresses[aid] = {
            "id": aid, "addressLine1": line1, "city": city, "state": state,
            "postalCode": postal_code, "country": "US",
            "formattedAddress": f"{line1}, {city}, {state} {postal_code}, US"}
        return aid

    @staticmethod
    def _closed_date(updated: int) -> str:
        return datetime.fromtimestamp(updated, UTC).date().isoformat()

    def _stamps(self, rng: random.Random) -> tuple[int, int]:
        created = self._dim_ref_ts + rng.randrange(0, 500 * DAY)
        updated = min(created + rng.randrange(0, 90 * DAY), self.day_utc0[0] - DAY)
        return created, max(created, updated)

    def _build_regions(self, rng: random.Random) -> None:
        self.region_key_id: dict[str, int] = {}
        self.region_is_ca: dict[int, bool] = {}
        self.region_cities: dict[int, tuple[tuple[str, str, str], ...]] = {}
        self.region_weight: dict[int, int] = {}
        self.region_customer: dict[int, str] = {}
        for n, (key, name, parent, tz, status, weight, cities) in enumerate(_REGION_SPECS,
                                                                             start=1):
            parent_id = self.region_key_id[parent] if parent else None
            created, updated = self._stamps(rng)
            self.region_key_id[key] = n
            self.region_is_ca[n] = _region_is_california(
                name, bool(parent_id and self.region_is_ca[parent_id]))
            self.region_cities[n] = cities
            self.region_weight[n] = weight
            root = n if parent_id is None else self._root_of(parent_id)
            self.region_customer[n] = self.regions[root - 1]["name"] if root != n else name
            self.regions.append({
                "id": n,
                "customId": "R-" + key.upper(),
                "name": name,
                "company": self.region_customer[n],
                "parentRegion": parent_id,
                "status": status,
                "timeZone": tz,
                "createdOn": created,
                "updatedOn": updated,
            })
            self.zone_index(tz)
        self.kaiser_root_id = self.region_key_id["kp"]
        self.other_root_id = self.region_key_id["acme"]

    def _root_of(self, region_id: int) -> int:
        parent = self.regions[region_id - 1]["parentRegion"]
        while parent is not None:
            region_id = parent
            parent = self.regions[region_id - 1]["parentRegion"]
        return region_id

    def region_subtree(self, root_id: int) -> set[int]:
        out = {root_id}
        changed = True
        while changed:
            changed = False
            for r in self.regions:
                if r["parentRegion"] in out and r["id"] not in out:
                    out.add(r["id"])
                    changed = True
        return out

    def _allocate_employees(self, rng: random.Random) -> list[int]:
        """Region id of every employee index, by the regions' weights, shuffled."""
        total = self.config.employees
        weighted = [(rid, w) for rid, w in self.region_weight.items() if w > 0]
        wsum = sum(w for _, w in weighted)
        raw = [(rid, total * w / wsum) for rid, w in weighted]
        quotas = {rid: int(x) for rid, x in raw}
        rest = total - sum(quotas.values())
        for rid, _x in sorted(raw, key=lambda t: (-(t[1] - int(t[1])), t[0]))[:rest]:
            quotas[rid] += 1
        kaiser = self.region_subtree(self.kaiser_root_id)
        if total >= 2:
            # Both customers need someone, however small the config.
            for want_kaiser in (True, False):
                if not any(q for rid, q in quotas.items() if (rid in kaiser) == want_kaiser):
                    donor = max((rid for rid in quotas if (rid in kaiser) != want_kaiser),
                                key=lambda r: quotas[r])
                    taker = next(rid for rid, _ in weighted if (rid in kaiser) == want_kaiser)
                    quotas[donor] -= 1
                    quotas[taker] += 1
        regions = [rid for rid, _ in weighted for _ in range(quotas[rid])]
        rng.shuffle(regions)
        return regions

    def _build_people_and_places(self, rng: random.Random) -> None:
        cfg = self.config
        kaiser = self.region_subtree(self.kaiser_root_id)
        emp_region = self._allocate_employees(rng)
        statuses = [s for s, w in _EMPLOYEE_STATUS_WEIGHTS for _ in range(w)]
        emp_status = [rng.choice(statuses) for _ in range(cfg.employees)]
        kaiser_idx = [i for i, r in enumerate(emp_region) if r in kaiser]
        if len(kaiser_idx) >= 10 and not any(emp_status[i] == "TERMINATED" for i in kaiser_idx):
            emp_status[kaiser_idx[-1]] = "TERMINATED"
        if len(kaiser_idx) >= 3 and not any(emp_status[i] == "ACTIVE" for i in kaiser_idx):
            emp_status[kaiser_idx[0]] = "ACTIVE"

        # Sites: per region with employees (or the closed Ohio market), one multi-location
        # parent and its sites; active employees spread over the region's active sites.
        active_by_region: dict[int, list[int]] = {}
        for i, rid in enumerate(emp_region):
            if emp_status[i] == "ACTIVE":
                active_by_region.setdefault(rid, []).append(i)
        emp_post: list[int | None] = [None] * cfg.employees
        next_client = 101
        next_position = 1001
        post_region: dict[int, int] = {}
        self.nonbillable_positions: set[int] = set()
        closed_site_done = False
        for region in self.regions:
            rid = region["id"]
            cities = self.region_cities[rid]
            if not cities:
                continue
            region_closed = region["status"] != "ACTIVE"
            members = active_by_region.get(rid, [])
            if not members and not region_closed and self.region_weight[rid] == 0:
                continue
            n_sites = 1 if region_closed else max(1, math.ceil(len(members) / 24))
            customer = self.region_customer[rid]
            created, updated = self._stamps(rng)
            parent_id = next_client
            next_client += 1
            city0, state0, zip0 = cities[0]
            self.clients.append({
                "id": parent_id,
                "customId": f"C-{parent_id:05d}",
                "company": customer,
                "name": f"{customer} {region['name']}",
                "type": "MULTI_LOCATION_CLIENT",
                "status": region["status"],
                "region": rid,
                "parentClient": None,
                "address": self._address(parent_id, f"1 {_STREETS[0]}", city0, state0,
                                         zip0 + "01"),
                "timeZone": region["timeZone"],
                "closedDate": self._closed_date(updated) if region_closed else None,
                "createdOn": created,
                "updatedOn": updated,
            })
            site_ids: list[int] = []
            extra_closed = 1 if (rid in kaiser and not closed_site_done and not region_closed
                                 and rid != self.kaiser_root_id) else 0
            for s in range(n_sites + extra_closed):
                closed = region_closed or s == n_sites
                city, state, zip3 = cities[s % len(cities)]
                round_ = s // len(cities)
                if customer == KAISER_ROOT_NAME:
                    base = f"{city} Medical Center" if round_ == 0 else \
                        f"{city} Medical Offices {round_ + 1}"
                else:
                    base = f"Acme Warehouse {city}" if round_ == 0 else \
                        f"Acme Warehouse {city} {round_ + 1}"
                name = base + (" (Closed)" if closed and not region_closed else "")
                created, updated = self._stamps(rng)
                cid = next_client
                next_client += 1
                self.clients.append({
                    "id": cid,
                    "customId": f"C-{cid:05d}",
                    "company": customer,
                    "name": name,
                    "type": "SERVICE_LOCATION" if s % 3 == 2 else "CLIENT",
                    # A site closed in an open market is CLOSED; the sites of a closed market
                    # were made INACTIVE before it closed.
                    "status": "ACTIVE" if not closed else "INACTIVE" if region_closed
                    else "CLOSED",
                    "region": rid,
                    "parentClient": parent_id,
                    "address": self._address(
                        cid, f"{100 + 17 * s} {_STREETS[(s + rid) % len(_STREETS)]}", city,
                        state, f"{zip3}{(s * 7 + rid) % 100:02d}"),
                    "timeZone": region["timeZone"],
                    "closedDate": self._closed_date(updated) if closed and not region_closed
                    else None,
                    "createdOn": created,
                    "updatedOn": updated,
                })
                if closed:
                    closed_site_done = closed_site_done or rid in kaiser
                    created, updated = self._stamps(rng)
                    self.positions.append({
                        "id": next_position, "customId": f"P-{next_position:05d}",
                        "name": "Main Entrance Officer", "status": "INACTIVE", "account": cid,
                        "nonBillable": False, "createdOn": created, "updatedOn": updated})
                    post_region[next_position] = rid
                    next_position += 1
                else:
                    site_ids.append(cid)
            # Spread the region's active employees over its active sites, then over posts.
            by_site: dict[int, list[int]] = {c: [] for c in site_ids}
            for k, emp in enumerate(members):
                by_site[site_ids[k % len(site_ids)]].append(emp)
            for cid in site_ids:
                staff = by_site[cid]
                n_posts = max(1, math.ceil(len(staff) / 7))
                names = rng.sample(_POST_NAMES, min(n_posts, len(_POST_NAMES)))
                while len(names) < n_posts:
                    names.append(f"{rng.choice(_POST_NAMES)} {len(names) + 1}")
                post_ids = []
                for pname in names:
                    created, updated = self._stamps(rng)
                    non_billable = (pname.startswith("STANDBY") and rng.random() < 0.6) or \
                        rng.random() < 0.01
                    self.positions.append({
                        "id": next_position, "customId": f"P-{next_position:05d}",
                        "name": pname, "status": "ACTIVE", "account": cid,
                        "nonBillable": non_billable, "createdOn": created,
                        "updatedOn": updated})
                    if non_billable:
                        self.nonbillable_positions.add(next_position)
                    post_region[next_position] = rid
                    post_ids.append(next_position)
                    next_position += 1
                if rng.random() < 0.05:  # a closed post at an open site
                    created, updated = self._stamps(rng)
                    self.positions.append({
                        "id": next_position, "customId": f"P-{next_position:05d}",
                        "name": "Temporary Checkpoint", "status": "INACTIVE", "account": cid,
                        "nonBillable": False, "createdOn": created, "updatedOn": updated})
                    post_region[next_position] = rid
                    next_position += 1
                for k, emp in enumerate(staff):
                    emp_post[emp] = post_ids[k % len(post_ids)]
        self.position_region = post_region

        # Make sure Kaiser has a non-billable post that is actually worked.
        worked = {p for p in emp_post if p is not None}
        kaiser_worked = sorted(p for p in worked if post_region[p] in kaiser)
        if len(kaiser_worked) >= 5 and not (self.nonbillable_positions & set(kaiser_worked)):
            pid = kaiser_worked[len(kaiser_worked) // 2]
            self.nonbillable_positions.add(pid)
            self._position_by_id(pid)["nonBillable"] = True

        # Employees.
        for i in range(cfg.employees):
            first = rng.choice(_FIRST)
            last = rng.choice(_LAST)
            created, updated = self._stamps(rng)
            eid = 10_001 + i
            self.employees.append({
                "id": eid,
                "customId": f"EMP{i + 1:06d}",
                "firstName": first,
                "lastName": last,
                "name": f"{first} {last}",
                "email": f"{first}.{last}.{eid}@guards.example".lower().replace("'", ""),
                "primaryPhone": f"+1555{eid % 10_000_000:07d}",
                "status": emp_status[i],
                "region": emp_region[i],
                "jobTitle": rng.choice(_JOB_TITLES),
                "createdOn": created,
                "updatedOn": updated,
            })

        # Lanes: one per employee (lane == employee index), then vacant-shift lanes.
        self.lane_employee: list[int | None] = []
        self.lane_position: list[int] = []
        self.lane_tz: list[int] = []
        self.lane_template: list[int] = []
        self.lane_pattern: list[int] = []
        tz_of_region = {r["id"]: self.zone_index(r["timeZone"]) for r in self.regions}
        for i in range(cfg.employees):
            pid = emp_post[i]
            self.lane_employee.append(10_001 + i)
            if pid is None:
                self.lane_position.append(0)
                self.lane_tz.append(0)
                self.lane_template.append(0)
                self.lane_pattern.append(0)
                continue
            rid = post_region[pid]
            tpl, pattern = self._pick_work(rng, self.region_is_ca[rid])
            self.lane_position.append(pid)
            self.lane_tz.append(tz_of_region[rid])
            self.lane_template.append(tpl)
            self.lane_pattern.append(pattern)
        vacant_posts = [p for p in sorted(worked) if mix64(self.salt ^ p) % 6 == 0]
        for want_kaiser in (True, False):
            if not any((post_region[p] in kaiser) == want_kaiser for p in vacant_posts):
                extra = [p for p in sorted(worked) if (post_region[p] in kaiser) == want_kaiser]
                if extra:
                    vacant_posts.append(extra[0])
        for pid in sorted(vacant_posts):
            rid = post_region[pid]
            tpl, _ = self._pick_work(rng, self.region_is_ca[rid])
            days = rng.sample(range(CYCLE), 3)
            self.lane_employee.append(None)
            self.lane_position.append(pid)
            self.lane_tz.append(tz_of_region[rid])
            self.lane_template.append(tpl)
            self.lane_pattern.append(sum(1 << cd for cd in days))

    def _position_by_id(self, pid: int) -> dict[str, Any]:
        for p in self.positions:
            if p["id"] == pid:
                return p
        raise KeyError(pid)

    @staticmethod
    def _pick_work(rng: random.Random, california: bool) -> tuple[int, int]:
        """A lane's shift template and its 14-day work pattern (bit cd = works on cycle day)."""
        x = rng.random()
        if california:
            table = (("DAY12", .25), ("NIGHT12", .20), ("DAY10H", .15), ("DAY13", .10),
                     ("DAY8", .15), ("NIGHT8", .15))
        else:
            table = (("DAY8", .40), ("SWING8", .30), ("NIGHT8", .22), ("DAY12", .08))
        acc = 0.0
        name = table[-1][0]
        for cand, w in table:
            acc += w
            if x < acc:
                name = cand
                break
        tpl = _T[name]
        y = rng.random()
        if tpl in _EIGHT_HOUR:
            weeks = (4, 4) if y < .55 else (5, 5) if y < .85 else (6, 6) if y < .95 else (4, 5)
        elif name in ("DAY10H", "DAY13"):
            weeks = (4, 4) if y < .7 else (3, 3)
        else:
            weeks = (3, 3) if y < .5 else (4, 4) if y < .9 else (3, 4)
        rot = rng.randrange(7)
        pattern = 0
        for w, k in enumerate(weeks):
            for j in range(k):
                pattern |= 1 << (w * 7 + (rot + j) % 7)
        return tpl, pattern

    def _build_bill_settings(self, rng: random.Random) -> None:
        """Each post's billing settings (``billingSetting``) and their rate history.

        A post's bill settings share one ``overtimeRateType``, chosen by hash: DEFAULT (the
        overtime rule's own multipliers; three posts in four), MULTIPLIER (custom multipliers
        2.0 and 2.5: the schema's minimum for a multiplier is 2; one in five) or, rarely, RATE
        (custom overtime rates of 1.5 and 2 times the rate; one in twenty). A few posts have
        no billing setting at all.
        """
        kaiser = self.region_subtree(self.kaiser_root_id)
        mid = date.fromordinal(self.start_ordinal + (self.days // 2 // 7) * 7)
        no_rate_done = False
        change_done = False
        sid = 1
        active_posts = [p for p in self.positions if p["status"] == "ACTIVE"]
        for n, post in enumerate(self.positions):
            pid = post["id"]
            rid = self.position_region[pid]
            in_kaiser = rid in kaiser
            r = rng.random()
            force_no_rate = (in_kaiser and not no_rate_done and post["status"] == "ACTIVE"
                             and len(active_posts) >= 8 and n >= 3)
            if force_no_rate or r < 0.02:
                no_rate_done = no_rate_done or in_kaiser
                continue
            if self.region_is_ca[rid]:
                base = 42.0 + rng.randrange(0, 41) * 0.25
            elif in_kaiser:
                base = 32.0 + rng.randrange(0, 41) * 0.25
            else:
                base = 28.0 + rng.randrange(0, 25) * 0.25
            pick = mix64(self.salt ^ (pid * 0x9E37 + 0xB111)) % 20
            ot_type = "RATE" if pick == 0 else "MULTIPLIER" if pick <= 4 else "DEFAULT"
            billing_id = BILLING_ID0 + pid
            created, updated = self._stamps(rng)
            history = [self._bill_setting(sid, billing_id, pid, base, "2024-07-01", ot_type,
                                          created, updated)]
            sid += 1
            change = rng.random() < 0.25 or (in_kaiser and not change_done
                                              and post["status"] == "ACTIVE")
            if change and self.days >= 14:
                change_done = change_done or in_kaiser
                announced = int(datetime.combine(mid, time(0), tzinfo=UTC).timestamp()) \
                    - 14 * DAY
                history.append(self._bill_setting(sid, billing_id, pid, base + 1.5,
                                                  mid.isoformat(), ot_type, announced,
                                                  announced))
                sid += 1
            self.bill_settings += history
            current = history[-1]
            self.billings.append({
                "id": billing_id, "position": pid, "type": "HOURLY", "rate": current["rate"],
                "billBreaks": "NONE", "holiday": "REGULAR", "holidayMultiplier": 1.5,
                "effectiveBillSettingId": current["id"],
                "billSettings": [b["id"] for b in history]})
            post["billingSetting"] = billing_id

    @staticmethod
    def _bill_setting(sid: int, billing_id: int, position_id: int, rate: float,
                      effective: str, ot_type: str, created: int,
                      updated: int) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "id": sid, "positionBilling": billing_id, "billingType": "HOURLY", "rate": rate,
            "effectiveDate": effective, "overtimeRateType": ot_type,
            "createdOn": created, "updatedOn": updated, "_position": position_id}
        if ot_type == "MULTIPLIER":
            rec["customOvertimeMultiplier1"] = 2.0
            rec["customOvertimeMultiplier2"] = 2.5
        elif ot_type == "RATE":
            rec["customOvertimeRate1"] = round(rate * 1.5, 4)
            rec["customOvertimeRate2"] = round(rate * 2.0, 4)
        return rec

    # ----------------------------------------------------------------- billing configuration

    def _build_overtime_rules(self) -> None:
        """The overtime rules (:data:`OVERTIME_RULES`) and their items."""
        item_id = OVERTIME_RULE_ITEM_ID0
        for spec in OVERTIME_RULES:
            ids = []
            for kind, threshold, rate_type, value in spec.items:
                item: dict[str, Any] = {
                    "id": item_id, "ruleType": kind, "rateType": rate_type,
                    "threshold": threshold, "overtimeRule": spec.rule_id}
                item["rateMultiplier" if rate_type == "MULTIPLIER" else "rateAmount"] = value
                self.overtime_rule_items.append(item)
                ids.append(item_id)
                item_id += 1
            self.overtime_rules.append({
                "id": spec.rule_id, "name": spec.name, "periodLength": spec.period_length,
                "ruleType": spec.rule_type, "method": spec.method, "billingRuleItems": ids})

    def _build_holidays(self) -> None:
        """A holiday group per market region (a region with sites), its holidays (the six
        shipped ones and the region's own, :data:`REGION_HOLIDAYS`) and their dates in every
        year the data touches, local midnight to midnight in the region's zone."""
        first, last = self.dates()
        years = range(first.year, last.year + 1)
        group_id = HOLIDAY_GROUP_ID0
        holiday_id = HOLIDAY_ID0
        date_id = HOLIDAY_DATE_ID0
        key_of = {v: k for k, v in self.region_key_id.items()}
        for region in self.regions:
            rid = region["id"]
            if not self.region_cities[rid]:
                continue
            zone = ZoneInfo(region["timeZone"])
            holiday_ids: list[int] = []
            for code in SHIPPED_HOLIDAYS + REGION_HOLIDAYS.get(key_of[rid], ()):
                label = HOLIDAY_LABELS[code]
                date_ids: list[int] = []
                for year in years:
                    day = holiday_date(code, year)
                    start = datetime.combine(day, time(0), tzinfo=zone)
                    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
                    self.holiday_dates.append({
                        "id": date_id, "name": f"{label} {year}", "region": rid,
                        "holidayDate": day.isoformat(),
                        "holidayStartDateTime": int(start.timestamp()),
                        "holidayEndDateTime": int(end.timestamp()), "holiday": holiday_id,
                        "timeZone": region["timeZone"]})
                    date_ids.append(date_id)
                    date_id += 1
                self.holidays.append({"id": holiday_id, "label": label, "code": code,
                                      "region": rid, "groups": [group_id], "dates": date_ids})
                holiday_ids.append(holiday_id)
                holiday_id += 1
            self.holiday_groups.append({
                "id": group_id, "name": f"{region['name']} holidays", "isGlobal": False,
                "isDefault": False, "region": rid, "holidays": holiday_ids})
            self.region_holiday_group[rid] = group_id
            group_id += 1

    def _worked_lanes(self) -> dict[int, list[int]]:
        """Post id -> the lanes of guards who work it."""
        out: dict[int, list[int]] = {}
        for lane, pid in enumerate(self.lane_position):
            if pid and self.lane_employee[lane] is not None and self.lane_pattern[lane]:
                out.setdefault(pid, []).append(lane)
        return out

    def _configure_billing(self) -> None:
        """Fill each post's billing setting: holiday group of its region, overtime rule,
        holiday treatment, breaks, discount, type; and make one California guard work seven
        consecutive days in a workweek (the CONSECUTIVE_DAYS rule then applies).

        Deterministic and free of the seed's random stream (choices by lanes, ids and hashes),
        so every other generated value stays what it was.
        """
        kaiser = self.region_subtree(self.kaiser_root_id)
        billing = {b["position"]: b for b in self.billings}
        ot_type = {b["_position"]: b["overtimeRateType"] for b in self.bill_settings}
        active = {p["id"] for p in self.positions if p["status"] == "ACTIVE"}
        worked = self._worked_lanes()
        candidates = sorted(pid for pid in worked if pid in billing and pid in active
                            and self.position_region[pid] in kaiser)
        california = [pid for pid in candidates if self.region_is_ca[self.position_region[pid]]]
        others = [pid for pid in candidates if pid not in california]
        special = self.special_posts

        # A guard at the busiest California post works a whole workweek, 8 hours a day.
        if california:
            pid = min(california, key=lambda p: (-len(worked[p]), p))
            lane = worked[pid][0]
            ws = (self.start_ordinal - PERIOD_ANCHOR.toordinal()) % 7
            ws = (7 - ws) % 7  # first cycle day that starts a workweek
            pattern = 0
            for k in list(range(7)) + [9, 10, 11, 12]:
                pattern |= 1 << ((ws + k) % CYCLE)
            self.lane_template[lane] = _T["DAY8"]
            self.lane_pattern[lane] = pattern
            special["seven_day"] = pid

        def lanes_of(pid: int) -> int:
            return len(worked[pid])

        def breaks_of(pid: int) -> int:
            return sum(1 for lane in worked[pid] if TEMPLATES[self.lane_template[lane]].break_min)

        taken: set[int] = set()

        def take(role: str, pool: list[int], key: Any) -> None:
            free = [p for p in pool if p not in taken]
            if free:
                special[role] = min(free, key=key)
                taken.add(special[role])

        take("bill_breaks_all", [p for p in candidates if breaks_of(p)],
             lambda p: (-breaks_of(p), p))
        take("holiday_rate", candidates, lambda p: (-lanes_of(p), p))
        take("discount", candidates, lambda p: (-lanes_of(p), p))
        if len(candidates) >= 5:
            take("fixed", others or candidates, lambda p: (lanes_of(p), p))
        if len(california) >= 3:
            take("no_rule_california", [p for p in california if p != special.get("seven_day")],
                 lambda p: (lanes_of(p), p))

        # Overtime rules: California posts the daily rule, the others a mix in which the
        # flat-rate, best-of and bi-weekly rules come first (at posts whose bill settings leave
        # overtime to the rule, when there are such posts).
        rule_of: dict[int, int | None] = {}
        queue = sorted(others, key=lambda p: (ot_type.get(p) != "DEFAULT", p))
        for i, pid in enumerate(queue):
            rule_of[pid] = FIRST_RULES[i] if i < len(FIRST_RULES) else \
                RULE_CYCLE[(i - len(FIRST_RULES)) % len(RULE_CYCLE)]
        for post in self.positions:
            pid = post["id"]
            b = billing.get(pid)
            if b is None:
                continue
            rid = self.position_region[pid]
            if pid not in rule_of:
                if rid not in kaiser:
                    rule_of[pid] = None if pid % 4 == 0 else RULE_ACME
                elif self.region_is_ca[rid]:
                    rule_of[pid] = RULE_CALIFORNIA
                else:
                    rule_of[pid] = RULE_CYCLE[mix64(self.salt ^ pid) % len(RULE_CYCLE)]
            if pid in (special.get("no_rule_california"), special.get("fixed")):
                rule_of[pid] = None
            b["discountRate"] = 3.0 if pid == special.get("discount") else 0.0
            b["billBreaks"] = "ALL" if pid == special.get("bill_breaks_all") else "NONE"
            group = self.region_holiday_group.get(rid)
            if group is not None:
                b["holidayGroup"] = group
            if rule_of[pid] is not None:
                b["overtimeRule"] = rule_of[pid]
            if pid == special.get("holiday_rate"):
                b["holiday"] = "RATE"
                b["holidayRate"] = math.ceil(b["rate"] * 1.75 * 4) / 4
                b.pop("holidayMultiplier", None)
            if pid == special.get("fixed"):
                amount = FIXED_AMOUNT
                b["type"] = "FIXED"
                b["rate"] = amount
                for rec in self.bill_settings:
                    if rec["positionBilling"] == b["id"]:
                        rec["billingType"] = "FIXED"
                        rec["rate"] = amount
                        rec["overtimeRateType"] = "DEFAULT"
                        for name in ("customOvertimeMultiplier1", "customOvertimeMultiplier2",
                                     "customOvertimeRate1", "customOvertimeRate2"):
                            rec.pop(name, None)

    # ----------------------------------------------------------------- shifts

    def shift_exists(self, day: int, lane: int) -> bool:
        return 0 <= day < self.days and bool((self.lane_pattern[lane] >> (day % CYCLE)) & 1)

    def shift_id(self, day: int, lane: int) -> int:
        return SHIFT_ID0 + day * self.lanes + lane

    def shift_day_lane(self, shift_id: int) -> tuple[int, int]:
        return divmod(shift_id - SHIFT_ID0, self.lanes)

    def shift_base(self, day: int, lane: int) -> dict[str, Any]:
        """The internal state of base shift ``(day, lane)``: API field names, typed values.

        Time fields are epoch seconds; ``_s``/``_e`` are the local wall-clock start/end as
        ``(ordinal, minute)``; ``_tz`` the zone index; ``_lane`` the lane.
        """
        h = mix64(self.salt + day * self.lanes + lane)
        tpl_i = self.lane_template[lane]
        tpl = TEMPLATES[tpl_i]
        tz = self.lane_tz[lane]
        ordinal = self.start_ordinal + day
        end_min = tpl.end_min
        if tpl_i in _EIGHT_HOUR and (h >> 8) % 100 < 4:
            end_min += EXTENDED_MINUTES
        start_ts, _ = self.local(tz, ordinal, tpl.start_min)
        end_ts, _ = self.local(tz, ordinal, end_min)
        employee = self.lane_employee[lane]
        position = self.lane_position[lane]
        vacant = employee is None
        cancelled = h % 1000 < 30
        scheduled = (end_ts - start_ts) / 3600 - tpl.break_min / 60
        billable = not vacant and (h >> 20) % 200 != 0
        payable = not vacant and (h >> 28) % 300 != 0
        clocked: float | None = None
        approved: float | None = None
        late = not cancelled and not vacant and (h >> 16) % 100 < 8
        if not cancelled and not vacant:
            if (h >> 36) % 100 >= 5:
                jitter = (-0.25, 0.0, 0.0, 0.0, 0.25, 0.5)[(h >> 40) % 6]
                clocked = round(max(0.0, scheduled + jitter), 2)
                if (h >> 44) % 100 < 85:
                    approved = clocked if (h >> 48) % 3 == 0 else min(clocked, scheduled)
        created = start_ts - (7 + (h >> 50) % 21) * DAY - (h >> 12) % HOUR
        if cancelled:
            updated = start_ts - (h >> 54) % 48 * HOUR
        elif vacant:
            updated = start_ts - DAY
        else:
            updated = end_ts + (2 + (h >> 54) % 40) * HOUR
        state = {
            "id": SHIFT_ID0 + day * self.lanes + lane,
            "status": "CANCELLED" if cancelled else "ACTIVE",
            "startDateTime": start_ts,
            "endDateTime": end_ts,
            "timeZone": self.zone_names[tz],
            "employee": employee,
            "position": position,
            "breakInMinutes": tpl.break_min,
            "billable": billable,
            "payable": payable,
            "vacant": vacant,
            "clockedHours": clocked,
            "approvedHours": approved,
            "createdOn": created,
            "updatedOn": updated,
            "modifiedOn": updated,
            "_s": (ordinal, tpl.start_min),
            "_e": (ordinal, end_min),
            "_tz": tz,
            "_lane": lane,
            "_late": late,
        }
        self.settle_hours(state)
        return state

    def settle_hours(self, state: dict[str, Any]) -> None:
        """TrackTik's own billableHours/payableHours (by the rules of DESIGN.md §5), and the
        attendanceStatus that the clock-in/out of a past shift implies."""
        scheduled = (state["endDateTime"] - state["startDateTime"]) / 3600 \
            - state["breakInMinutes"] / 60
        clocked = state["clockedHours"]
        approved = state["approvedHours"]
        cancelled = state["status"] == "CANCELLED"
        if cancelled or not state["payable"]:
            payable = 0.0
        else:
            payable = approved if approved is not None else \
                clocked if clocked is not None else scheduled
        if cancelled or not state["billable"] or state["position"] in self.nonbillable_positions:
            billable = 0.0
        elif approved is not None:
            billable = approved
        elif clocked is not None:
            billable = min(clocked, scheduled)
        else:
            billable = scheduled
        state["billableHours"] = round(billable, 2)
        state["payableHours"] = round(payable, 2)
        if cancelled or state["vacant"]:
            attendance = "SCHEDULED"
        elif clocked is None:
            attendance = "MISSED"
        elif state.get("_late"):
            attendance = "LATE"
        elif clocked > scheduled + 0.005:
            attendance = "OVER_CLOCK"
        elif clocked < scheduled - 0.005:
            attendance = "EARLY_CLOCK_OUT"
        else:
            attendance = "COMPLETED"
        state["attendanceStatus"] = attendance

    @staticmethod
    def scheduled_hours(state: dict[str, Any]) -> float:
        return round((state["endDateTime"] - state["startDateTime"]) / 3600
                     - state["breakInMinutes"] / 60, 2)

    def day_bounds(self, field: str, day: int) -> tuple[int, int]:
        lo, hi = FIELD_BOUNDS[field]
        base = self.day_utc0[day]
        return base + lo, base + hi

    def local_date_of(self, state: dict[str, Any]) -> date:
        return date.fromordinal(state["_s"][0])

    def dates(self) -> tuple[date, date]:
        """First and last local date of the base shifts."""
        return self.config.start_date, self.config.start_date + timedelta(days=self.days - 1)
