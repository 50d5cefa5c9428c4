"""The contract checker on hand-made requests and bodies: what breaks the OpenAPI files is caught,
the requests the shell sends and well-formed items pass."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

import pytest

from contract.openapi import Contract, add_month, parse_iso_offset

SHIFT_INCLUDES = "createdOn,updatedOn,modifiedOn,customId,clockedHours,approvedHours," \
    "billableHours,payableHours"
POSITION_INCLUDES = "createdOn,updatedOn,billingSetting,billingSetting.billSettings"
IDS = ",".join(str(i) for i in range(1001, 1101))  # 100 ids, the most one :in takes
WINDOW = "2025-01-06T00:00:00-05:00|2025-02-05T23:59:59-05:00"
SINCE = "2025-03-01T08:30:00+00:00"
PAGE = {"sort": "id", "limit": "1000"}

# The requests the shell sends (first page, then the same with id:gt=<last id>).
DOCUMENTED: dict[str, tuple[str, dict[str, str]]] = {
    "regions": ("regions", {"includeInactive": "true", "include": "createdOn,updatedOn,timeZone",
                            **PAGE}),
    "clients": ("clients", {"region:in": IDS, "includeInactive": "true",
                            "include": "createdOn,updatedOn,name,timeZone,address", **PAGE}),
    "positions": ("positions", {"account:in": IDS, "includeInactive": "true",
                                "include": POSITION_INCLUDES, **PAGE}),
    "shifts-window": ("shifts", {"position:in": IDS, "startDateTime:between": WINDOW,
                                 "includeInactive": "true", "include": SHIFT_INCLUDES, **PAGE}),
    "shifts-changed": ("shifts", {"position:in": IDS, "modifiedOn:after": SINCE,
                                  "includeInactive": "true", "include": SHIFT_INCLUDES, **PAGE}),
    "employees-by-id": ("employees", {"id:in": IDS, "includeInactive": "true",
                                      "include": "createdOn,updatedOn", **PAGE}),
    "employees-by-region": ("employees", {"region:in": IDS, "includeInactive": "true",
                                          "include": "createdOn,updatedOn", **PAGE}),
    "employees-changed": ("employees", {"region:in": IDS, "updatedOn:after": SINCE,
                                        "includeInactive": "true", "include": "createdOn,updatedOn",
                                        **PAGE}),
    "shift-logs": ("shift-logs", {"changeType": "REMOVED", "createdOn:after": SINCE, **PAGE}),
}


def check_request(contract: Contract, resource: str, params: dict[str, str]) -> list[str]:
    return contract.check_request("GET", f"/rest/v1/{resource}", urlencode(params))


def envelope(resource: str, data: Any) -> dict[str, Any]:
    return {"meta": {"count": 1, "itemCount": 1, "limit": 1000, "offset": 0, "resource": resource,
                     "request": [], "security": {"granted": True}},
            "data": data}


def check_items(contract: Contract, resource: str, include: str, *items: dict[str, Any],
                faults: tuple[str, ...] = ()) -> list[str]:
    query = urlencode({"include": include}) if include else ""
    return contract.check_response("GET", f"/rest/v1/{resource}", query, 200,
                                   envelope(resource, list(items)), faults)


SHIFT: dict[str, Any] = {
    "id": 501, "status": "ACTIVE", "startDateTime": "2025-01-06T11:00:00+00:00",
    "endDateTime": "2025-01-06T19:00:00+00:00", "timeZone": "America/New_York", "employee": 7,
    "position": 3, "breakInMinutes": 30, "billable": True, "payable": True, "vacant": False,
    "plannedPayableHours": 7.5, "attendanceStatus": "COMPLETED", "summary": 12,
    "customId": "S-501", "createdOn": "2024-12-20T10:00:00+00:00",
    "updatedOn": "2025-01-07T09:00:00+00:00", "modifiedOn": "2025-01-07T09:00:00+00:00",
    "clockedHours": 8.1, "approvedHours": 8, "billableHours": 7.5, "payableHours": 7.5,
}
BILL_SETTING: dict[str, Any] = {
    "id": 900, "positionBilling": 40, "billingType": "HOURLY", "rate": 31.5,
    "effectiveDate": "2024-07-01", "overtimeRateType": "MULTIPLIER",
    "customOvertimeMultiplier1": 2, "customOvertimeMultiplier2": 2.5,
}
POSITION: dict[str, Any] = {
    "id": 3, "name": "Lobby post", "customId": "P-3", "status": "ACTIVE", "account": 9,
    "nonBillable": False, "createdOn": "2024-06-01T00:00:00+00:00",
    "updatedOn": "2024-06-02T00:00:00+00:00",
    "billingSetting": {"id": 40, "position": 3, "type": "HOURLY", "rate": 31.5,
                       "effectiveBillSettingId": 900, "holiday": "RATE", "holidayRate": 47.25,
                       "holidayGroup": 2, "billBreaks": "NONE", "discountRate": 0, "overtimeRule": 5,
                       "billSettings": [BILL_SETTING]},
}
CLIENT: dict[str, Any] = {
    "id": 9, "customId": "C-9", "company": "Acme", "name": "Acme Tower", "type": "SERVICE_LOCATION",
    "status": "ACTIVE", "region": 4, "parentClient": 8, "timeZone": "America/New_York",
    "createdOn": "2024-01-01T00:00:00+00:00", "updatedOn": "2024-01-02T00:00:00+00:00",
    "address": {"id": 77, "addressLine1": "1 Main St", "city": "Springfield", "state": "IL",
                "country": "US", "postalCode": "62701"},
}
CLIENT_INCLUDES = "createdOn,updatedOn,name,timeZone,address"


def with_changes(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(record)
    out.update(changes)
    return out


# ----------------------------------------------------------------------------- requests

@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_the_documented_requests_keep_the_contract(contract: Contract, name: str) -> None:
    resource, params = DOCUMENTED[name]
    assert check_request(contract, resource, params) == []
    assert check_request(contract, resource, {**params, "id:gt": "123456"}) == []


def test_an_unknown_filter_is_caught(contract: Contract) -> None:
    problems = check_request(contract, "regions", {"colour": "blue", **PAGE})
    assert len(problems) == 1 and "colour" in problems[0]


def test_a_filter_path_through_a_relation_is_checked_on_the_related_item(contract: Contract) -> None:
    assert check_request(contract, "clients", {"region.id": "15"}) == []
    assert check_request(contract, "clients", {"region.name:contains": "East"}) == []
    problems = check_request(contract, "clients", {"region.flavour": "x"})
    assert len(problems) == 1 and "'flavour' is not a property of Regions" in problems[0]


def test_an_operator_the_guide_does_not_document_is_caught(contract: Contract) -> None:
    problems = check_request(contract, "regions", {"name:like": "East%"})
    assert len(problems) == 1 and ":like" in problems[0]


def test_a_date_operator_on_a_number_is_caught(contract: Contract) -> None:
    problems = check_request(contract, "regions", {"id:after": "12"})
    assert len(problems) == 1 and "date filter" in problems[0]


def test_a_shifts_request_without_a_required_filter_is_caught(contract: Contract) -> None:
    problems = check_request(contract, "shifts", {"position:in": "1,2", **PAGE})
    assert len(problems) == 1 and "requires a filter" in problems[0]
    assert "startDateTime" in problems[0] and "modifiedOn" in problems[0]


def test_gte_and_lte_on_a_date_time_do_not_satisfy_the_required_filter(contract: Contract) -> None:
    params = {"startDateTime:gte": "2025-01-01T00:00:00+00:00",
              "startDateTime:lte": "2025-01-20T00:00:00+00:00"}
    problems = check_request(contract, "shifts", params)
    assert len(problems) == 1 and "requires a filter" in problems[0]
    assert check_request(contract, "shifts", {"startDateTime:after": "2025-01-01T00:00:00+00:00"}) == []
    assert check_request(contract, "shifts", {"scope": "VACANT"}) == []
    assert check_request(contract, "shifts", {"id:in": "1,2"}) == []


def test_a_two_month_between_on_a_date_time_is_caught(contract: Contract) -> None:
    params = {"startDateTime:between": "2025-01-01T00:00:00+00:00|2025-03-01T00:00:00+00:00"}
    problems = check_request(contract, "shifts", params)
    assert len(problems) == 1 and "at most one month" in problems[0]


def test_a_between_of_one_calendar_month_passes_and_one_second_more_does_not(
        contract: Contract) -> None:
    ok = {"startDateTime:between": "2025-01-31T00:00:00+00:00|2025-02-28T00:00:00+00:00"}
    assert check_request(contract, "shifts", ok) == []
    over = {"startDateTime:between": "2025-01-31T00:00:00+00:00|2025-02-28T00:00:01+00:00"}
    assert len(check_request(contract, "shifts", over)) == 1
    backwards = {"startDateTime:between": "2025-02-01T00:00:00+00:00|2025-01-01T00:00:00+00:00"}
    assert "ends before it starts" in check_request(contract, "shifts", backwards)[0]


def test_101_in_values_are_caught(contract: Contract) -> None:
    params = {"id:in": ",".join(str(i) for i in range(1, 102))}
    problems = check_request(contract, "employees", params)
    assert len(problems) == 1 and "101 values" in problems[0]
    assert check_request(contract, "employees", {"id:in": ",".join(str(i) for i in range(1, 101))}) == []


def test_an_unknown_include_is_caught(contract: Contract) -> None:
    problems = check_request(contract, "regions", {"include": "createdOn,favouriteColour"})
    assert len(problems) == 1 and "favouriteColour" in problems[0]


def test_an_include_of_a_field_that_is_not_on_demand_is_caught(contract: Contract) -> None:
    problems = check_request(contract, "clients", {"include": "company"})
    assert len(problems) == 1 and "include=company" in problems[0]


def test_a_nested_include_is_checked_on_the_related_item(contract: Contract) -> None:
    assert check_request(contract, "positions", {"include": "billingSetting.billSettings"}) == []
    problems = check_request(contract, "positions", {"include": "billingSetting.rates"})
    assert len(problems) == 1 and "billingSetting.rates" in problems[0]


def test_page_is_refused(contract: Contract) -> None:
    problems = check_request(contract, "regions", {"page": "2", "limit": "100"})
    assert len(problems) == 1 and "'page'" in problems[0]


@pytest.mark.parametrize("value", ["2025-01-01", "2025-01-01T00:00:00", "2025-01-01 00:00:00+00:00",
                                   "yesterday", "2025-01-01T00:00+00:00"])
def test_a_date_time_filter_value_without_an_iso_offset_is_caught(contract: Contract,
                                                                   value: str) -> None:
    problems = check_request(contract, "shifts", {"modifiedOn:after": value})
    assert len(problems) == 1 and "ISO 8601" in problems[0]


def test_a_plus_sign_not_percent_encoded_is_caught(contract: Contract) -> None:
    query = "modifiedOn:after=2025-01-01T00:00:00+00:00"  # '+' decodes to a space
    problems = contract.check_request("GET", "/rest/v1/shifts", query)
    assert len(problems) == 1 and "%2B" in problems[0]


def test_a_filter_value_of_the_wrong_type_or_outside_the_enum_is_caught(contract: Contract) -> None:
    assert "not an integer" in check_request(contract, "regions", {"id:gt": "abc"})[0]
    assert "not one of" in check_request(contract, "shift-logs", {"changeType": "DELETED"})[0]


def test_an_unknown_sort_field_or_limit_that_is_no_integer_is_caught(contract: Contract) -> None:
    assert "'rank'" in check_request(contract, "regions", {"sort": "-rank"})[0]
    assert check_request(contract, "regions", {"sort": "-id,parentRegion.name"}) == []
    assert "int32" in check_request(contract, "regions", {"limit": "many"})[0]


def test_an_undocumented_path_is_caught(contract: Contract) -> None:
    problems = contract.check_request("GET", "/rest/v1/rate-cards", "")
    assert len(problems) == 1 and "not a documented" in problems[0]


# ----------------------------------------------------------------------------- responses

def test_well_formed_items_pass(contract: Contract) -> None:
    assert check_items(contract, "shifts", SHIFT_INCLUDES, SHIFT) == []
    assert check_items(contract, "positions", POSITION_INCLUDES, POSITION) == []
    assert check_items(contract, "clients", CLIENT_INCLUDES, CLIENT) == []


def test_an_extra_field_is_caught(contract: Contract) -> None:
    problems = check_items(contract, "shifts", SHIFT_INCLUDES, with_changes(SHIFT, siteName="HQ"))
    assert problems == ["data[0].siteName: property not in the Shifts schema"]


def test_a_wrong_type_is_caught(contract: Contract) -> None:
    problems = check_items(contract, "shifts", SHIFT_INCLUDES, with_changes(SHIFT, billable="yes"))
    assert len(problems) == 1 and problems[0].startswith("data[0].billable:")
    problems = check_items(contract, "shifts", SHIFT_INCLUDES, with_changes(SHIFT, id="501"))
    assert len(problems) == 1 and problems[0].startswith("data[0].id:")


def test_a_value_outside_the_enum_or_format_is_caught(contract: Contract) -> None:
    late = with_changes(SHIFT, attendanceStatus="ON_TIME")
    assert "ON_TIME" in check_items(contract, "shifts", SHIFT_INCLUDES, late)[0]
    local = with_changes(SHIFT, startDateTime="2025-01-06T11:00:00")
    assert "date-time" in check_items(contract, "shifts", SHIFT_INCLUDES, local)[0]


def test_null_where_not_nullable_is_caught(contract: Contract) -> None:
    problems = check_items(contract, "shifts", SHIFT_INCLUDES, with_changes(SHIFT, employee=None))
    assert problems == ["data[0].employee: null, but the schema does not make it nullable"]
    problems = check_items(contract, "shifts", SHIFT_INCLUDES, with_changes(SHIFT, customId=None))
    assert problems == ["data[0].customId: null, but the schema does not make it nullable"]


def test_an_on_demand_field_not_included_is_caught(contract: Contract) -> None:
    problems = check_items(contract, "shifts", "createdOn,updatedOn", SHIFT)
    fields = sorted(p.split(":")[0] for p in problems)
    assert fields == [f"data[0].{name}" for name in sorted(
        ["customId", "modifiedOn", "clockedHours", "approvedHours", "billableHours", "payableHours"])]
    assert all("On demand" in p for p in problems)


def test_a_relation_object_not_included_is_caught(contract: Contract) -> None:
    item = with_changes(SHIFT, position={"id": 3, "name": "Lobby post"})
    problems = check_items(contract, "shifts", SHIFT_INCLUDES, item)
    assert problems == ["data[0].position: relation object although not named in include= "
                        "(expected an integer id)"]


def test_an_included_relation_that_is_not_an_object_is_caught(contract: Contract) -> None:
    problems = check_items(contract, "shifts", SHIFT_INCLUDES + ",position", SHIFT)
    assert len(problems) == 1 and "must be an object" in problems[0]


def test_an_included_relation_object_is_strict_on_its_own_item(contract: Contract) -> None:
    position = {"id": 3, "name": "Lobby post", "status": "ACTIVE", "account": 9}
    assert check_items(contract, "shifts", SHIFT_INCLUDES + ",position",
                       with_changes(SHIFT, position=position)) == []
    odd = with_changes(position, colour="red", createdOn="2024-01-01T00:00:00+00:00")
    problems = check_items(contract, "shifts", SHIFT_INCLUDES + ",position",
                           with_changes(SHIFT, position=odd))
    assert sorted(p.split(":")[0] for p in problems) == ["data[0].position.colour",
                                                         "data[0].position.createdOn"]


def test_nested_includes_validate_the_nested_items(contract: Contract) -> None:
    bad = with_changes(POSITION)
    bad["billingSetting"]["billSettings"][0]["rate"] = "31.50"
    bad["billingSetting"]["billSettings"][0]["effectiveDate"] = "07/01/2024"
    problems = check_items(contract, "positions", POSITION_INCLUDES, bad)
    assert sorted(p.split(":")[0] for p in problems) == [
        "data[0].billingSetting.billSettings[0].effectiveDate",
        "data[0].billingSetting.billSettings[0].rate"]


def test_a_nested_list_not_included_is_caught(contract: Contract) -> None:
    problems = check_items(contract, "positions", "createdOn,updatedOn,billingSetting", POSITION)
    assert problems == ["data[0].billingSetting.billSettings: on-demand list of PositionBillSettings "
                        "present although not named in include="]


def test_the_same_problem_in_many_items_is_reported_once_with_a_count(contract: Contract) -> None:
    items = [with_changes(SHIFT, id=i, siteName="HQ") for i in range(5)]
    problems = check_items(contract, "shifts", SHIFT_INCLUDES, *items)
    assert problems == ["data[0].siteName: property not in the Shifts schema (also in 4 more items)"]


def test_the_list_envelope_is_checked(contract: Contract) -> None:
    body = envelope("regions", [])
    body["meta"]["request"] = "GET /rest/v1/regions"
    problems = contract.check_response("GET", "/rest/v1/regions", "", 200, body)
    assert problems == ["meta.request: expected a list, got string"]
    problems = contract.check_response("GET", "/rest/v1/regions", "", 200, [{"id": 1}])
    assert len(problems) == 1 and "meta" in problems[0]
    problems = contract.check_response("GET", "/rest/v1/regions", "", 200, {"meta": {"request": []}})
    assert problems == ["data: expected an array, got null"]


def test_item_checks_are_skipped_for_records_broken_on_purpose(contract: Contract) -> None:
    broken = with_changes(SHIFT, startDateTime="not a date")
    assert check_items(contract, "shifts", SHIFT_INCLUDES, broken) != []
    assert check_items(contract, "shifts", SHIFT_INCLUDES, broken, faults=("malformed",)) == []


def test_an_error_body_is_status_and_error(contract: Contract) -> None:
    path = "/rest/v1/shifts"
    assert contract.check_response("GET", path, "", 400, {"status": 400, "error": "Bad filter"}) == []
    assert contract.check_response("GET", path, "", 429, {"status": 429, "error": "Slow down"}) == []
    problems = contract.check_response("GET", path, "", 400, {"status": 500, "error": "x"})
    assert len(problems) == 1 and "HTTP status 400" in problems[0]
    problems = contract.check_response("GET", path, "", 401, {"status": 401, "message": "expired"})
    assert len(problems) == 2


# ----------------------------------------------------------------------------- helpers

def test_iso_offsets_and_month_arithmetic() -> None:
    assert parse_iso_offset("2025-03-09T02:30:00-05:00") is not None
    assert parse_iso_offset("2025-03-09T07:30:00Z") is not None
    assert parse_iso_offset("2025-03-09T07:30:00.123456789+00:00") is not None
    assert parse_iso_offset("2025-02-30T00:00:00+00:00") is None
    assert parse_iso_offset("2025-03-09T07:30:00") is None
    start = parse_iso_offset("2025-01-31T10:00:00+00:00")
    assert start is not None
    assert add_month(start).isoformat() == "2025-02-28T10:00:00+00:00"
    end = parse_iso_offset("2025-12-15T00:00:00+00:00")
    assert end is not None
    assert add_month(end).isoformat() == "2026-01-15T00:00:00+00:00"
