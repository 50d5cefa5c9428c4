"""tracktik_sim.billing: every rule kind, the methods, holidays, breaks, discount and the rate's
own overtime values, each against an amount worked out by hand (money to the cent).

The worked examples of docs/billing.md are among them. Unless said otherwise: a post at 40.00
an hour, dates in the billing period 2025-01-10 (a Friday) .. 2025-01-23, whose workweeks are
Fri 01-10 .. Thu 01-16 and Fri 01-17 .. Thu 01-23."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from tracktik_sim.billing import (
    BillSetting,
    PostBilling,
    Rule,
    RuleItem,
    ShiftInput,
    bill_shifts,
    money,
    period_start,
    shipped_holiday,
    week_start,
)

FRI = date(2025, 1, 10)
POST = PostBilling(type="HOURLY", rate=D("40.00"))


def rule(*items: tuple, period: str = "WEEKLY", method: str = "SEQUENTIAL") -> Rule:
    return Rule(period, method, tuple(
        RuleItem(kind, D(threshold), rate_type, D(str(value)) if rate_type == "MULTIPLIER" else None,
                 D(str(value)) if rate_type == "RATE" else None, n)
        for n, (kind, threshold, rate_type, value) in enumerate(items)))


def shift(sid: int, day: date, hours: str, post: PostBilling = POST, *, employee: int | None = 1,
          hour: int = 6, break_hours: str = "0", california: bool = False) -> ShiftInput:
    start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return ShiftInput(sid, employee, day, int(start.timestamp()), D(hours), D(break_hours), post,
                      california)


def days(first: date, n: int, hours: str, post: PostBilling, **kw) -> list[ShiftInput]:
    return [shift(i + 1, first + timedelta(days=i), hours, post, **kw) for i in range(n)]


def total(bills) -> D:
    return sum((b.total for b in bills.values()), D(0))


def test_calendar_periods_workweeks_and_shipped_holidays():
    assert period_start(date(2025, 1, 9)) == date(2024, 12, 27)
    assert period_start(FRI) == FRI and period_start(date(2025, 1, 23)) == FRI
    assert week_start(date(2025, 1, 16)) == FRI and week_start(date(2025, 1, 17)) == date(2025, 1, 17)
    assert [d.isoformat() for d in (date(2025, 1, 1) + timedelta(days=n) for n in range(365))
            if shipped_holiday(d)] == ["2025-01-01", "2025-05-26", "2025-07-04", "2025-09-01",
                                       "2025-11-27", "2025-12-25"]


def test_money_rounds_half_away_from_zero():
    assert money(D("20.005")) == D("20.01") and money(D("-20.005")) == D("-20.01")
    # 33.33 x 7.25 = 241.6425 -> 241.64
    bill = bill_shifts([shift(1, FRI, "7.25", PostBilling(rate=D("33.33")))])[1]
    assert bill.total == D("241.64") and bill.rate == D("33.33") and bill.kind is None


def test_daily_tiers_overtime_then_double_time():
    post = replace(POST, rule=rule(("DAILY", 8, "MULTIPLIER", 1.5), ("DAILY", 12, "MULTIPLIER", 2.0)))
    bill = bill_shifts([shift(1, FRI, "13", post)])[1]
    # 13 x 40 = 520.00; 4 h (8..12) x 40 x 0.5 = 80.00; 1 h (12..13) x 40 x 1.0 = 40.00
    assert (bill.overtime_hours, bill.double_time_hours) == (D(4), D(1))
    assert bill.overtime_impact == D("120.00") and bill.total == D("640.00")


def test_daily_counts_the_days_running_total_over_two_shifts():
    post = replace(POST, rule=rule(("DAILY", 8, "MULTIPLIER", 1.5)))
    bills = bill_shifts([shift(1, FRI, "6", post, hour=6), shift(2, FRI, "4", post, hour=14)])
    # the second shift takes the day from 6 to 10 h: 2 h beyond 8 -> 2 x 20.00
    assert bills[1].total == D("240.00") and bills[1].overtime_hours == 0
    assert bills[2].total == D("200.00") and bills[2].overtime_hours == D(2)


def test_daily_rate_item_bills_its_hours_at_the_amount():
    post = replace(POST, rule=rule(("DAILY", 8, "RATE", 55)))
    # 520.00 + 5 h x (55.00 - 40.00) = 595.00
    assert bill_shifts([shift(1, FRI, "13", post)])[1].total == D("595.00")


def test_period_bi_weekly_80_and_weekly_40():
    ten_days = [FRI + timedelta(days=n) for n in range(11)]
    weekly = replace(POST, rule=rule(("PERIOD", 40, "MULTIPLIER", 1.5)))
    biweekly = replace(POST, rule=rule(("PERIOD", 80, "MULTIPLIER", 1.5), period="BI-WEEKLY"))
    # 11 days x 8 h: bi-weekly, day 11 (88 h) is 8 h over 80: 3520.00 + 8 x 20.00 = 3680.00
    bills = bill_shifts([shift(i, d, "8", biweekly) for i, d in enumerate(ten_days, 1)])
    assert total(bills) == D("3680.00") and bills[11].overtime_hours == D(8)
    assert all(bills[i].overtime_hours == 0 for i in range(1, 11))
    # weekly: week 1 (Fri..Thu) holds 7 of the days (56 h): 16 h over 40 -> 3840.00
    bills = bill_shifts([shift(i, d, "8", weekly) for i, d in enumerate(ten_days, 1)])
    assert total(bills) == D("3840.00")
    assert [bills[i].overtime_hours for i in range(1, 12)] == [0] * 5 + [8, 8] + [0] * 4
    assert ten_days[6] == date(2025, 1, 16) and ten_days[7] == date(2025, 1, 17)


def test_consecutive_days_claim_the_whole_day_and_leave_the_period():
    post = replace(POST, rule=rule(("CONSECUTIVE_DAYS", 7, "MULTIPLIER", 2.0),
                                   ("PERIOD", 40, "MULTIPLIER", 1.5)))
    bills = bill_shifts(days(FRI, 7, "6", post))
    # 7 x 6 h = 1680.00; the 7th day 6 h x 40 x 1.0 = 240.00; PERIOD sees 36 h only
    assert total(bills) == D("1920.00")
    assert bills[7].kind == "CONSECUTIVE_DAYS" and bills[7].overtime_hours == D(6)
    assert all(bills[i].overtime_hours == 0 for i in range(1, 7))


def test_a_day_off_resets_consecutive_days_and_the_count_stays_in_the_period():
    post = replace(POST, rule=rule(("CONSECUTIVE_DAYS", 7, "MULTIPLIER", 2.0), period="BI-WEEKLY"))
    worked = [FRI + timedelta(days=n) for n in (0, 1, 2, 4, 5, 6, 7, 8, 9, 10)]
    bills = bill_shifts([shift(i, d, "4", post) for i, d in enumerate(worked, 1)])
    # days 5..11 of the period are the 7 consecutive ones: only the last (01-20) is the 7th
    assert [b.shift_id for b in bills.values() if b.kind == "CONSECUTIVE_DAYS"] == [10]
    # the period before: 01-08 and 01-09 do not count toward 01-10's streak
    before = [date(2025, 1, 8), date(2025, 1, 9)] + [FRI + timedelta(days=n) for n in range(6)]
    bills = bill_shifts([shift(i, d, "4", post) for i, d in enumerate(before, 1)])
    assert not any(b.kind for b in bills.values())


def test_day_specific_bills_the_whole_shift_on_that_weekday():
    post = replace(POST, rule=rule(("DAY_SPECIFIC", 7, "MULTIPLIER", 1.5)))
    sunday = date(2025, 1, 12)
    bills = bill_shifts([shift(1, sunday, "8", post), shift(2, sunday + timedelta(days=1), "8", post)])
    # Sunday: 320.00 + 8 x 20.00 = 480.00; Monday: 320.00
    assert bills[1].total == D("480.00") and bills[1].kind == "DAY_SPECIFIC"
    assert bills[2].total == D("320.00")


def test_holiday_item_beyond_its_threshold_and_the_holiday_treatment_below():
    holiday = date(2025, 1, 20)
    post = replace(POST, holiday_dates=frozenset({holiday}), holiday_multiplier=D("1.5"),
                   rule=rule(("HOLIDAY", 8, "MULTIPLIER", 2.5)))
    bill = bill_shifts([shift(1, holiday, "10", post)])[1]
    # 400.00 + 8 h x 40 x 0.5 (REGULAR 1.5) + 2 h x 40 x 1.5 (item 2.5) = 680.00
    assert bill.total == D("680.00") and bill.holiday_hours == D(10)
    assert bill.holiday_impact == D("280.00") and bill.overtime_hours == 0


def test_holiday_rate_bills_holiday_hours_at_the_fixed_rate():
    holiday = date(2025, 1, 20)
    post = replace(POST, holiday="RATE", holiday_rate=D("70.00"), holiday_dates=frozenset({holiday}))
    bills = bill_shifts([shift(1, holiday, "8", post), shift(2, holiday + timedelta(days=1), "8", post)])
    # 320.00 + 8 x (70.00 - 40.00) = 560.00; the next day is no holiday
    assert bills[1].total == D("560.00") and bills[2].total == D("320.00")


def test_holiday_hours_count_toward_the_week_but_are_never_overtime():
    holiday = date(2025, 1, 13)
    post = replace(POST, holiday_dates=frozenset({holiday}), rule=rule(("PERIOD", 40, "MULTIPLIER", 1.5)))
    bills = bill_shifts(days(FRI, 6, "8", post))
    # 01-13 (4th shift) is a holiday: +8 x 20.00; it counts toward 40, so the 6th day is 8 h OT
    assert bills[4].kind == "HOLIDAY" and bills[4].total == D("480.00")
    assert bills[5].overtime_hours == 0 and bills[6].overtime_hours == D(8)
    assert total(bills) == D("2240.00")


def test_without_a_group_the_shipped_holidays_apply():
    new_year = date(2025, 1, 1)
    bill = bill_shifts([shift(1, new_year, "8", POST)])[1]
    assert bill.kind == "HOLIDAY" and bill.total == D("480.00")  # 320.00 + 8 x 20.00
    grouped = replace(POST, holiday_dates=frozenset({date(2025, 1, 20)}))
    assert bill_shifts([shift(1, new_year, "8", grouped)])[1].total == D("320.00")


def test_sequential_and_best_of_on_four_twelve_hour_days():
    items = (("DAILY", 8, "MULTIPLIER", 1.5), ("PERIOD", 40, "MULTIPLIER", 1.5))
    seq = bill_shifts(days(FRI, 4, "12", replace(POST, rule=rule(*items))))
    best = bill_shifts(days(FRI, 4, "12", replace(POST, rule=rule(*items, method="BEST_OF"))))
    # SEQUENTIAL: 1920.00 + 16 h daily (4 a day) x 20.00 = 2240.00; PERIOD sees 32 h
    assert total(seq) == D("2240.00")
    # BEST_OF: days 1-3 daily (80.00 each); day 4: period 8 h (40..48) x 20 = 160.00 > 80.00
    assert total(best) == D("2320.00")
    assert [best[i].kind for i in range(1, 5)] == ["DAILY"] * 3 + ["PERIOD"]


def test_discount_and_billed_breaks():
    post = replace(POST, discount_rate=D(3), bill_breaks="ALL")
    bill = bill_shifts([shift(1, FRI, "8", post, break_hours="0.5")])[1]
    # 8.5 h x 40 = 340.00; 3 % = 10.20 -> 329.80
    assert bill.hours == D("8.5") and bill.billable_hours == D(8)
    assert bill.discount == D("10.20") and bill.total == D("329.80")
    unpaid = bill_shifts([shift(1, FRI, "8", replace(POST), break_hours="0.5")])[1]
    assert unpaid.hours == D(8) and unpaid.total == D("320.00")


def test_the_rate_history_and_its_own_overtime_values_win_over_the_items():
    daily = rule(("DAILY", 8, "MULTIPLIER", 1.5), ("DAILY", 12, "MULTIPLIER", 2.0))
    history = (BillSetting(1, date(2024, 7, 1), D("40.00"), overtime_rate_type="MULTIPLIER",
                           multiplier1=D("2.0"), multiplier2=D("2.5")),
               BillSetting(2, date(2025, 1, 11), D("42.00"), overtime_rate_type="RATE",
                           rate1=D("60.00"), rate2=D("80.00")),
               BillSetting(3, date(2025, 1, 12), D("44.00"), overtime_rate_type="NO_PREMIUMS"))
    post = replace(POST, rate=D("99.00"), history=history, rule=daily)
    bills = bill_shifts(days(FRI, 3, "13", post))
    # 01-10 at 40.00 x 2.0 / 2.5: 520.00 + 4 x 40.00 + 1 x 60.00 = 740.00
    assert bills[1].rate == D("40.00") and bills[1].total == D("740.00")
    # 01-11 at 42.00, overtime at 60.00 / 80.00: 546.00 + 4 x 18.00 + 1 x 38.00 = 656.00
    assert bills[2].rate == D("42.00") and bills[2].total == D("656.00")
    # 01-12 at 44.00, no premiums: 13 x 44.00 = 572.00
    assert bills[3].total == D("572.00") and bills[3].overtime_hours == D(4)


def test_what_tracktik_does_not_bill_by_the_hour():
    fixed = replace(POST, type="FIXED")
    rest_only = replace(POST, bill_breaks="REST_ONLY")
    no_rate = PostBilling(rate=None)
    later = replace(POST, rate=None, history=(BillSetting(1, date(2025, 2, 1), D("40.00")),))
    other_type = replace(POST, history=(BillSetting(1, date(2024, 7, 1), D("4800"), "FIXED"),))
    bills = bill_shifts([
        shift(1, FRI, "8", fixed, employee=1), shift(2, FRI, "8", rest_only, employee=2,
                                                     break_hours="0.5"),
        shift(3, FRI, "8", no_rate, employee=3), shift(4, FRI, "8", None, employee=4),
        shift(5, FRI, "8", later, employee=5), shift(6, FRI, "8", other_type, employee=6),
        shift(7, FRI, "8", rest_only, employee=7), shift(8, FRI, "0", POST, employee=8)])
    assert {i: bills[i].problem for i in range(1, 9)} == {
        1: "unsupported_billing_type", 2: "unsupported_bill_breaks", 3: "no_rate", 4: "no_rate",
        5: "no_rate", 6: "no_rate", 7: None, 8: None}
    assert [i for i in range(1, 9) if bills[i].billed] == [7]
    assert bills[7].total == D("320.00") and bills[8].total == D("0.00")


def test_unbilled_hours_still_count_toward_the_employees_week():
    weekly = replace(POST, rule=rule(("PERIOD", 40, "MULTIPLIER", 1.5)))
    fixed = replace(weekly, type="FIXED")
    shifts = [shift(i, FRI + timedelta(days=i - 1), "10", fixed) for i in range(1, 5)]
    shifts.append(shift(5, FRI + timedelta(days=4), "8", weekly))
    bill = bill_shifts(shifts)[5]
    # 40 h at the FIXED post first: all 8 h of the hourly post's shift are over 40
    assert bill.overtime_hours == D(8) and bill.total == D("480.00")


def test_the_shipped_rule_when_the_setting_names_none():
    # California: daily 8 / 12 and weekly 40 (1.5 / 2.0); elsewhere weekly 40 only
    ca = bill_shifts([shift(1, FRI, "13", POST, california=True)])[1]
    assert ca.total == D("640.00") and ca.kind == "SEQ"
    other = bill_shifts([shift(1, FRI, "13", POST)])[1]
    assert other.total == D("520.00") and other.kind is None


def test_employees_are_billed_apart_and_a_vacant_shift_alone():
    weekly = replace(POST, rule=rule(("PERIOD", 40, "MULTIPLIER", 1.5)))
    shifts = [shift(i, FRI + timedelta(days=i), "10", weekly, employee=i % 2) for i in range(7)]
    shifts.append(shift(7, FRI, "10", weekly, employee=1, hour=18))
    bills = bill_shifts(shifts)
    # 80 h in the week, 40 h each: no overtime
    assert all(b.overtime_hours == 0 for b in bills.values())
    vacant = bill_shifts([shift(1, FRI, "41", weekly, employee=None),
                          shift(2, FRI, "41", weekly, employee=None, hour=7)])
    assert vacant[1].overtime_hours == vacant[2].overtime_hours == D(1)


@pytest.mark.parametrize("method", ["SEQUENTIAL", "BEST_OF"])
def test_order_is_start_then_id_not_the_order_given(method):
    post = replace(POST, rule=rule(("PERIOD", 40, "MULTIPLIER", 1.5), method=method))
    shifts = days(FRI, 5, "9", post)
    forward, backward = bill_shifts(shifts), bill_shifts(list(reversed(shifts)))
    assert forward == backward
    assert [forward[i].overtime_hours for i in range(1, 6)] == [0, 0, 0, 0, D(5)]
