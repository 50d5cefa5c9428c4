"""What TrackTik bills for shifts: the simulator's own billing code behind ``/billable-items``.

Pure Python on :class:`~decimal.Decimal`, written from ``docs/billing.md`` (section "TrackTik's
billing configuration") and ``DESIGN.md`` section 5, independently of the warehouse's SQL, so
that the warehouse's reconciliation has something independent to compare with.

What TrackTik bills (the shape of ``/billable-items``) **(choice)**: one ``REVENUE`` item per
shift that has billed hours and an hourly rate, with the overtime, holiday premiums and the
discount *folded in*: ``quantity`` = the billed hours (billable hours, plus the unpaid break
when the post bills breaks, ``billBreaks`` ALL), ``rate`` = the post's regular hourly rate,
``price`` = the shift's amount (regular + overtime premium + holiday premium - discount).
``billingNotes`` spells the breakdown out. Folding keeps the comparison per shift exact (hours
= sum of quantities, rate = the regular line's rate, amount = sum of prices) even for a shift
that is overtime or holiday from its first hour, which separate OT/HOL lines would not (their
lowest rate would not be the regular one). A post billed at a FIXED price, a post without a
rate, a cancelled or non-billable shift (no billable hours): no item.

Semantics (the order of the docs; **(choice)** where the docs are silent):

* Rate: the post's bill setting in force on the shift's local date (latest ``effectiveDate``
  on or before it); a setting of another ``billingType`` in force: no rate; none in force: the
  billing setting's own ``rate`` (HOURLY). A setting's ``overtimeRateType`` MULTIPLIER (or
  none) gives explicit multipliers ``customOvertimeMultiplier1/2``, NO_PREMIUMS 1, RATE fixed
  overtime rates ``customOvertimeRate1/2``; they win over the rule items' values.
* Hours ``h``: the shift's billable hours; plus the break (``round(end - start, 2) -
  scheduled``) when the post bills breaks (ALL) and the shift has billable hours.
* Overtime rule: the setting's BILLING ``overtimeRule``, else the shipped rule of the region
  (weekly 40; California regions also daily 8 / double 12), WEEKLY and SEQUENTIAL. Per
  employee (a vacant shift alone), shifts in order of start then id. Items of one kind are
  tiers by threshold ``[threshold, next)``; DAILY, PERIOD and CONSECUTIVE_DAYS tiers are level
  1 (overtime) then 2 (double time); DAY_SPECIFIC and HOLIDAY level 1.

  - DAILY: the part of the day's running total (local ``shift_date``) in the tier;
  - PERIOD: the part of the running total of the period (WEEKLY: the workweek, 7 days from
    the billing period's start weekday; BI-WEEKLY: the billing period) in the tier;
  - CONSECUTIVE_DAYS: every hour of the k-th consecutive day worked (h > 0) within the
    period, k in the tier (a day off resets);
  - DAY_SPECIFIC: every hour of a shift on ISO weekday ``threshold`` (1 Monday .. 7 Sunday);
  - HOLIDAY: holiday hours of the day beyond the threshold at the item's rate; the shift's
    other hours at the setting's holiday treatment.
  - SEQUENTIAL: a holiday shift is billed as holiday, else a shift on a consecutive-day tier
    or a specific day is billed under it whole, else DAILY then PERIOD; what DAILY (and a
    whole-shift kind) made overtime does not count toward PERIOD, holiday hours do (except
    those a HOLIDAY item took) -- no pyramiding.
  - BEST_OF: each kind alone (PERIOD over all hours); the shift bills under the kind with the
    largest premium (ties: holiday, consecutive days, day specific, daily, period), the
    holiday treatment being the holiday candidate.
  - Premium per hour of a tier: a fixed overtime rate of its level (setting RATE) - rate;
    else rate x (explicit multiplier of its level - 1); else the item's RATE amount - rate or
    rate x (rateMultiplier - 1); else 1.5 / 2.0. HOLIDAY items: amount - rate or rate x
    (multiplier - 1).
* Holidays: the setting's ``holidayGroup`` dates (a whole local day), else the six shipped
  holidays. Holiday treatment: ``holiday`` RATE bills holiday hours at ``holidayRate``,
  REGULAR at rate x ``holidayMultiplier`` (1.5 when empty).
* Money (rounded half away from zero): overtime impact = round(sum of overtime premiums, 2),
  holiday impact likewise, gross = round(h x rate, 2) + impacts, discount =
  round(gross x ``discountRate`` / 100, 2), amount = gross - discount.
* Not billed (no item): setting ``type`` not HOURLY; ``billBreaks`` REST_ONLY / MEAL_ONLY on a
  shift with a break; ``holiday`` RATE without ``holidayRate`` on a holiday. Such shifts'
  hours still count toward their employee's running totals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal(0)
PERIOD_ANCHOR = date(2024, 12, 27)
PERIOD_DAYS = 14
DEFAULT_OVERTIME = Decimal("1.5")
DEFAULT_DOUBLE_TIME = Decimal("2.0")
DEFAULT_HOLIDAY = Decimal("1.5")
_INF = Decimal(10) ** 9
_BEST_OF_ORDER = ("HOLIDAY", "CONSECUTIVE_DAYS", "DAY_SPECIFIC", "DAILY", "PERIOD")


def dec(value: Any) -> Decimal:
    """A Decimal of a JSON number (floats through their shortest repr: 42.25 -> 42.25)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def money(value: Decimal) -> Decimal:
    """Rounded to the cent, half away from zero (as PostgreSQL's numeric round)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def period_start(day: date) -> date:
    """First day of the 14-day billing period of a date (continuous from 2024-12-27)."""
    return day - timedelta(days=(day - PERIOD_ANCHOR).days % PERIOD_DAYS)


def period_index(day: date) -> int:
    """Ordinal of a date's billing period (0 = the one starting 2024-12-27)."""
    return (day - PERIOD_ANCHOR).days // PERIOD_DAYS


def week_start(day: date) -> date:
    """First day of a date's workweek (7 days from the period's start weekday)."""
    return day - timedelta(days=(day - PERIOD_ANCHOR).days % 7)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    if n < 0:
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def shipped_holiday(day: date) -> bool:
    """One of the six shipped holidays (DESIGN.md section 5), on its calendar date."""
    y = day.year
    return day in (date(y, 1, 1), _nth_weekday(y, 5, 0, -1), date(y, 7, 4),
                   _nth_weekday(y, 9, 0, 1), _nth_weekday(y, 11, 3, 4), date(y, 12, 25))


# --------------------------------------------------------------------------- configuration

@dataclass(frozen=True)
class RuleItem:
    """An overtime rule item (``/overtime-rule-items``)."""

    kind: str
    threshold: Decimal
    rate_type: str = "MULTIPLIER"
    multiplier: Decimal | None = None
    amount: Decimal | None = None
    item_id: int = 0


@dataclass(frozen=True)
class Rule:
    """A BILLING overtime rule (``/overtime-rules``) with its items."""

    period_length: str
    method: str
    items: tuple[RuleItem, ...]
    rule_id: int | None = None


@lru_cache(maxsize=2)
def shipped_rule(california: bool) -> Rule:
    """The warehouse's shipped rule of a region: weekly 40; California also daily 8 / 12."""
    items = [RuleItem("PERIOD", Decimal(40))]
    if california:
        items += [RuleItem("DAILY", Decimal(8)), RuleItem("DAILY", Decimal(12))]
    return Rule("WEEKLY", "SEQUENTIAL", tuple(items))


@dataclass(frozen=True)
class Tier:
    kind: str
    lo: Decimal
    hi: Decimal | None
    level: int
    rate_type: str
    multiplier: Decimal | None
    amount: Decimal | None


@lru_cache(maxsize=1024)
def tiers_of(rule: Rule) -> tuple[Tier, ...]:
    """Items of one kind as tiers ``[threshold, next threshold)`` with their levels."""
    by_kind: dict[str, list[RuleItem]] = defaultdict(list)
    for item in rule.items:
        by_kind[item.kind].append(item)
    out: list[Tier] = []
    for kind, items in by_kind.items():
        items.sort(key=lambda i: (i.threshold, i.item_id))
        for n, item in enumerate(items):
            hi = items[n + 1].threshold if n + 1 < len(items) and kind != "DAY_SPECIFIC" else None
            level = 1 if kind in ("DAY_SPECIFIC", "HOLIDAY") else min(2, n + 1)
            out.append(Tier(kind, item.threshold, hi, level, item.rate_type, item.multiplier,
                            item.amount))
    return tuple(out)


@dataclass(frozen=True)
class BillSetting:
    """One entry of a post's rate history (``/position-bill-settings``)."""

    setting_id: int
    effective: date
    rate: Decimal
    billing_type: str = "HOURLY"
    overtime_rate_type: str | None = "DEFAULT"
    multiplier1: Decimal | None = None
    multiplier2: Decimal | None = None
    rate1: Decimal | None = None
    rate2: Decimal | None = None


@dataclass(frozen=True)
class PostBilling:
    """A post's billing configuration: its ``billingSetting`` resolved (rule and holiday
    dates looked up)."""

    type: str = "HOURLY"
    rate: Decimal | None = None
    history: tuple[BillSetting, ...] = ()
    bill_breaks: str = "NONE"
    holiday: str = "REGULAR"
    holiday_rate: Decimal | None = None
    holiday_multiplier: Decimal | None = None
    discount_rate: Decimal = ZERO
    rule: Rule | None = None
    """The setting's BILLING rule; None: the shipped rule of the region."""
    holiday_dates: frozenset[date] | None = None
    """The dates of the setting's holiday group; None: the shipped holidays."""


@dataclass(frozen=True)
class RateLevel:
    rate: Decimal
    multiplier1: Decimal | None = None
    multiplier2: Decimal | None = None
    rate1: Decimal | None = None
    rate2: Decimal | None = None


def rate_on(post: PostBilling | None, day: date) -> RateLevel | None:
    """The hourly rate in force on a date, with the explicit overtime values that come with
    it; None when the post has no hourly rate then."""
    if post is None:
        return None
    in_force = [s for s in post.history if s.effective <= day]
    if in_force:
        s = max(in_force, key=lambda x: (x.effective, x.setting_id))
        if s.billing_type != "HOURLY":
            return None
        kind = s.overtime_rate_type
        if kind in (None, "MULTIPLIER"):
            return RateLevel(s.rate, s.multiplier1, s.multiplier2)
        if kind == "NO_PREMIUMS":
            return RateLevel(s.rate, Decimal(1), Decimal(1))
        if kind == "RATE":
            return RateLevel(s.rate, rate1=s.rate1, rate2=s.rate2)
        return RateLevel(s.rate)
    if post.type == "HOURLY" and post.rate is not None:
        return RateLevel(post.rate)
    return None


# --------------------------------------------------------------------------- shifts

@dataclass(frozen=True)
class ShiftInput:
    """What billing needs of a shift."""

    shift_id: int
    employee: int | None
    shift_date: date
    start: int
    """Start instant (epoch seconds): the order of an employee's shifts."""
    billable_hours: Decimal
    break_hours: Decimal
    """Unpaid break: round(end - start, 2) - scheduled hours."""
    post: PostBilling | None
    california: bool = False
    """The post's region is (under) a California region: the shipped rule's daily overtime."""


@dataclass(frozen=True)
class ShiftBill:
    """The billing of one shift. ``rate``/``total`` are None when it is not billed."""

    shift_id: int
    hours: Decimal
    """Billed hours ``h`` (billable hours, plus the break under billBreaks ALL)."""
    billable_hours: Decimal
    rate: Decimal | None = None
    kind: str | None = None
    """What billed the premium: HOLIDAY, CONSECUTIVE_DAYS, DAY_SPECIFIC, DAILY, PERIOD, or
    SEQ (DAILY then PERIOD, SEQUENTIAL); None: regular only."""
    overtime_hours: Decimal = ZERO
    double_time_hours: Decimal = ZERO
    overtime_impact: Decimal = ZERO
    holiday_hours: Decimal = ZERO
    holiday_impact: Decimal = ZERO
    gross: Decimal | None = None
    discount: Decimal = ZERO
    total: Decimal | None = None
    problem: str | None = None
    """Why a shift with hours is not billed: no_rate, unsupported_billing_type,
    unsupported_bill_breaks, unsupported_holiday_rate."""

    @property
    def billed(self) -> bool:
        """Whether TrackTik bills the shift (a billable item)."""
        return self.total is not None and self.hours > 0

    def notes(self) -> str:
        """The breakdown, for ``billingNotes``."""
        if self.rate is None or self.total is None:
            return ""
        parts = [f"{self.hours} h at {self.rate}"]
        if self.overtime_hours or self.double_time_hours:
            parts.append(f"overtime {self.overtime_hours} h + double time "
                         f"{self.double_time_hours} h ({self.kind}): +{self.overtime_impact}")
        if self.holiday_hours:
            parts.append(f"holiday {self.holiday_hours} h: +{self.holiday_impact}")
        if self.discount:
            parts.append(f"discount -{self.discount}")
        return "; ".join(parts) + f" = {self.total}"


@dataclass
class _Row:
    s: ShiftInput
    h: Decimal
    rule: Rule
    rate: RateLevel | None
    problem: str | None
    holiday: bool
    scope: date
    day_before: Decimal = ZERO
    k: int = 0
    segs: dict[str, Decimal] = field(default_factory=dict)
    countable: Decimal = ZERO


def _seg(before: Decimal, h: Decimal, lo: Decimal, hi: Decimal | None) -> Decimal:
    return max(ZERO, min(before + h, _INF if hi is None else hi) - max(before, lo))


def _premium(t: Tier, r: RateLevel) -> Decimal:
    """Premium per hour of a tier over the regular rate."""
    rate = r.rate
    if t.kind == "HOLIDAY":
        if t.rate_type == "RATE" and t.amount is not None:
            return t.amount - rate
        return rate * ((t.multiplier or DEFAULT_HOLIDAY) - 1)
    explicit_rate = r.rate1 if t.level == 1 else r.rate2
    if explicit_rate is not None:
        return explicit_rate - rate
    explicit = r.multiplier1 if t.level == 1 else r.multiplier2
    if explicit is not None:
        return rate * (explicit - 1)
    if t.rate_type == "RATE" and t.amount is not None:
        return t.amount - rate
    default = DEFAULT_DOUBLE_TIME if t.level == 2 else DEFAULT_OVERTIME
    return rate * ((t.multiplier if t.multiplier is not None else default) - 1)


def _holiday_premium_per_hour(post: PostBilling | None, rate: Decimal) -> Decimal | None:
    if post is not None and post.holiday == "RATE":
        return None if post.holiday_rate is None else post.holiday_rate - rate
    multiplier = post.holiday_multiplier if post is not None else None
    return rate * ((multiplier if multiplier is not None else DEFAULT_HOLIDAY) - 1)


def _prepare(s: ShiftInput) -> _Row:
    post = s.post
    h = s.billable_hours
    if post is not None and post.bill_breaks == "ALL" and h > 0:
        h += s.break_hours
    rule = post.rule if post is not None and post.rule is not None else shipped_rule(s.california)
    holiday = s.shift_date in post.holiday_dates if post is not None and \
        post.holiday_dates is not None else shipped_holiday(s.shift_date)
    rate = rate_on(post, s.shift_date)
    problem: str | None = None
    if post is not None and post.type != "HOURLY":
        problem = "unsupported_billing_type"
    elif post is not None and post.bill_breaks in ("REST_ONLY", "MEAL_ONLY") and \
            s.break_hours > 0 and h > 0:
        problem = "unsupported_bill_breaks"
    elif holiday and post is not None and post.holiday == "RATE" and post.holiday_rate is None \
            and h > 0:
        problem = "unsupported_holiday_rate"
    elif rate is None and h > 0:
        problem = "no_rate"
    scope = period_start(s.shift_date) if rule.period_length == "BI-WEEKLY" \
        else week_start(s.shift_date)
    return _Row(s, h, rule, None if problem else rate, problem, holiday, scope)


def bill_shifts(shifts: Iterable[ShiftInput]) -> dict[int, ShiftBill]:
    """Bill shifts: every shift of an employee that shares a workweek or billing period with
    one given must be given too (billing periods are independent of each other)."""
    groups: dict[int, list[_Row]] = defaultdict(list)
    for s in shifts:
        groups[s.employee if s.employee is not None else -s.shift_id].append(_prepare(s))
    out: dict[int, ShiftBill] = {}
    for rows in groups.values():
        rows.sort(key=lambda r: (r.s.start, r.s.shift_id))
        for bill in _bill_employee(rows):
            out[bill.shift_id] = bill
    return out


def _bill_employee(rows: Sequence[_Row]) -> list[ShiftBill]:
    # running day totals (all shifts, start order)
    day_total: dict[date, Decimal] = defaultdict(Decimal)
    for r in rows:
        r.day_before = day_total[r.s.shift_date]
        day_total[r.s.shift_date] += r.h
    # consecutive days worked within each period scope
    worked: dict[date, set[date]] = defaultdict(set)
    for r in rows:
        if r.h > 0:
            worked[r.scope].add(r.s.shift_date)
    streak: dict[tuple[date, date], int] = {}
    for scope, days in worked.items():
        k = 0
        prev: date | None = None
        for d in sorted(days):
            k = k + 1 if prev is not None and (d - prev).days == 1 else 1
            streak[(scope, d)] = k
            prev = d
    # kinds that do not depend on the period total
    for r in rows:
        r.k = streak.get((r.scope, r.s.shift_date), 0)
        segs = {name: ZERO for name in (
            "daily1", "daily2", "daily_prem", "hol_h", "hol_prem", "consec1", "consec2",
            "consec_prem", "ds_h", "ds_prem")}
        rate = r.rate
        if r.h > 0 and rate is not None:
            for t in tiers_of(r.rule):
                if t.kind == "PERIOD":
                    continue
                prem = _premium(t, rate)
                if t.kind == "DAILY":
                    seg = _seg(r.day_before, r.h, t.lo, t.hi)
                    segs[f"daily{t.level}"] += seg
                    segs["daily_prem"] += seg * prem
                elif t.kind == "HOLIDAY":
                    if r.holiday:
                        seg = _seg(r.day_before, r.h, t.lo, t.hi)
                        segs["hol_h"] += seg
                        segs["hol_prem"] += seg * prem
                elif t.kind == "CONSECUTIVE_DAYS":
                    if r.k >= t.lo and (t.hi is None or r.k < t.hi):
                        segs[f"consec{t.level}"] += r.h
                        segs["consec_prem"] += r.h * prem
                elif t.kind == "DAY_SPECIFIC":
                    if r.s.shift_date.isoweekday() == t.lo:
                        segs["ds_h"] = max(segs["ds_h"], r.h)
                        segs["ds_prem"] = max(segs["ds_prem"], r.h * prem)
        r.segs = segs
        if r.holiday:
            r.countable = r.h - segs["hol_h"]
        elif segs["consec1"] + segs["consec2"] > 0 or segs["ds_h"] > 0:
            r.countable = ZERO
        else:
            r.countable = r.h - segs["daily1"] - segs["daily2"]
    # running period totals (per scope), the PERIOD tiers, the choice, money
    seq_total: dict[date, Decimal] = defaultdict(Decimal)
    all_total: dict[date, Decimal] = defaultdict(Decimal)
    bills: list[ShiftBill] = []
    for r in rows:
        before_seq, before_all = seq_total[r.scope], all_total[r.scope]
        seq_total[r.scope] += r.countable
        all_total[r.scope] += r.h
        bills.append(_money(r, before_seq, before_all))
    return bills


def _money(r: _Row, before_seq: Decimal, before_all: Decimal) -> ShiftBill:
    s = r.s
    base = ShiftBill(s.shift_id, r.h, s.billable_hours, problem=r.problem)
    rate = r.rate
    if rate is None:
        return base
    g = r.segs
    p = {name: ZERO for name in ("seq1", "seq2", "seq_prem", "all1", "all2", "all_prem")}
    if r.h > 0:
        for t in tiers_of(r.rule):
            if t.kind != "PERIOD":
                continue
            prem = _premium(t, rate)
            seg_seq = _seg(before_seq, r.countable, t.lo, t.hi)
            seg_all = _seg(before_all, r.h, t.lo, t.hi)
            p[f"seq{t.level}"] += seg_seq
            p[f"all{t.level}"] += seg_all
            p["seq_prem"] += seg_seq * prem
            p["all_prem"] += seg_all * prem
    hol_ph = _holiday_premium_per_hour(s.post, rate.rate) or ZERO
    holiday_prem = g["hol_prem"] + (r.h - g["hol_h"]) * hol_ph
    if r.rule.method != "BEST_OF":
        if r.holiday:
            kind: str | None = "HOLIDAY"
        elif g["consec1"] + g["consec2"] > 0:
            kind = "CONSECUTIVE_DAYS"
        elif g["ds_h"] > 0:
            kind = "DAY_SPECIFIC"
        else:
            kind = "SEQ"
    else:
        candidates = {
            "HOLIDAY": holiday_prem if r.holiday else None,
            "CONSECUTIVE_DAYS": g["consec_prem"] if g["consec1"] + g["consec2"] > 0 else None,
            "DAY_SPECIFIC": g["ds_prem"] if g["ds_h"] > 0 else None,
            "DAILY": g["daily_prem"] if g["daily1"] + g["daily2"] > 0 else None,
            "PERIOD": p["all_prem"] if p["all1"] + p["all2"] > 0 else None,
        }
        kind = None
        best: Decimal | None = None
        for name in _BEST_OF_ORDER:
            candidate = candidates[name]
            if candidate is not None and (best is None or candidate > best):
                kind, best = name, candidate
    ot1 = ot2 = ot_prem = hol_hours = hol_prem = ZERO
    if kind == "CONSECUTIVE_DAYS":
        ot1, ot2, ot_prem = g["consec1"], g["consec2"], g["consec_prem"]
    elif kind == "DAY_SPECIFIC":
        ot1, ot_prem = g["ds_h"], g["ds_prem"]
    elif kind == "DAILY":
        ot1, ot2, ot_prem = g["daily1"], g["daily2"], g["daily_prem"]
    elif kind == "PERIOD":
        ot1, ot2, ot_prem = p["all1"], p["all2"], p["all_prem"]
    elif kind == "SEQ":
        ot1, ot2 = g["daily1"] + p["seq1"], g["daily2"] + p["seq2"]
        ot_prem = g["daily_prem"] + p["seq_prem"]
    elif kind == "HOLIDAY":
        hol_hours, hol_prem = r.h, holiday_prem
    ot_impact = money(ot_prem)
    hol_impact = money(hol_prem)
    gross = money(r.h * rate.rate) + ot_impact + hol_impact
    discount_rate = s.post.discount_rate if s.post is not None else ZERO
    discount = money(gross * discount_rate / 100)
    if kind == "SEQ" and not (ot1 or ot2):
        kind = None
    return ShiftBill(
        s.shift_id, r.h, s.billable_hours, rate=rate.rate, kind=kind, overtime_hours=ot1,
        double_time_hours=ot2, overtime_impact=ot_impact, holiday_hours=hol_hours,
        holiday_impact=hol_impact, gross=gross, discount=discount, total=gross - discount)


def bill_summary(bill: ShiftBill) -> dict[str, Any]:
    """A shift's billing as JSON numbers (for ``truth()``)."""
    def num(x: Decimal | None) -> float | None:
        return None if x is None else float(x)

    return {
        "hours": num(bill.hours), "billableHours": num(bill.billable_hours),
        "rate": num(bill.rate), "amount": num(bill.total), "kind": bill.kind,
        "overtimeHours": num(bill.overtime_hours + bill.double_time_hours),
        "doubleTimeHours": num(bill.double_time_hours),
        "overtimeImpact": num(bill.overtime_impact), "holidayHours": num(bill.holiday_hours),
        "holidayImpact": num(bill.holiday_impact), "discount": num(bill.discount),
        "problem": bill.problem, "billed": bill.billed,
    }
