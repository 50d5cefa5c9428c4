"""What the portal's OpenAPI description documents, as the simulator needs it.

``PROPERTIES`` and ``ENUMS`` are derived from ``components.schemas.<Name>Item`` of the OpenAPI
files in ``/work/shared/tracktik-openapi/`` (``tests/simulator/test_sim_spec.py`` re-derives
them and fails when they drift). A property's code is its kind — ``int``, ``num``, ``str``,
``bool``, ``dt`` (date-time), ``date``, ``obj`` — with ``*`` when the schema says *On demand*
(absent unless named in ``include=``), or ``rel:<Schema>`` (an id unless included, then an
object) or ``list:<Schema>`` (a relation list, only when included).

``PATH_PARAMETERS`` are the named query parameters each collection path documents besides
``[att]`` filters (``get.parameters``; on ``/shifts`` the ``filters`` parameter lists the
properties that satisfy the required filter, ``SHIFT_REQUIRED_FILTERS``).
"""

from __future__ import annotations

# fmt: off
PROPERTIES: dict[str, dict[str, str]] = {
    "Regions": {
        "customId": "str", "name": "str", "company": "str", "firstName": "str", "lastName": "str",
        "primaryPhone": "str", "email": "str", "address": "rel:Addresses", "timeZone": "str*",
        "parentRegion": "rel:Regions", "prefix": "str*", "status": "str",
        "taxLocation": "rel:TaxLocations", "externalIdObject": "obj*", "invoiceLogo": "rel:Files",
        "emailLogo": "rel:Files", "scheduleLogo": "rel:Files", "allowedAreas": "list:GeoFences",
        "restrictedAreas": "list:GeoFences", "kpi": "rel:AccountKpis", "emergencyContactNumber": "str*",
        "contacts": "list:Contacts", "id": "int", "uri": "str*", "resourceType": "str*",
        "createdBy": "rel:Employees", "createdOn": "dt*", "updatedBy": "rel:Employees",
        "updatedOn": "dt*", "logo": "str", "features": "obj*",
        "emergencyContacts": "list:EmergencyContacts",
        "emergencyContactAssignments": "list:EmergencyContactAccountAssignments",
    },
    "Clients": {
        "name": "str*", "company": "str", "customId": "str", "externalIdObject": "obj*",
        "parentClient": "rel:Clients", "firstName": "str", "lastName": "str", "formattedName": "str",
        "jobTitle": "str", "primaryPhone": "str", "secondaryPhone": "str", "type": "str",
        "region": "rel:Regions", "status": "str", "positions": "list:Positions",
        "address": "rel:Addresses", "notes": "list:Notes",
        "employeeAssignments": "list:EmployeeAccountAssignments",
        "employeeBans": "list:EmployeeAccountBans", "email": "str", "faxNumber": "str*",
        "website": "str*", "timeZone": "str*", "salesRepresentative": "rel:Employees",
        "accountRepresentative": "rel:Employees", "allowedAreas": "list:GeoFences",
        "restrictedAreas": "list:GeoFences", "zones": "list:Zones", "closedDate": "date",
        "profileLogo": "rel:Files", "taxLocation": "rel:TaxLocations",
        "privacyPolicy": "rel:PrivacyPolicies", "kpi": "rel:AccountKpis",
        "taskSiteSetting": "rel:TaskSiteSettings", "id": "int", "avatar": "str", "uri": "str*",
        "resourceType": "str*", "createdBy": "rel:Employees", "createdOn": "dt*",
        "updatedBy": "rel:Employees", "updatedOn": "dt*", "tags": "str*", "features": "obj*",
        "contacts": "list:Contacts", "emergencyContacts": "list:EmergencyContacts",
        "emergencyContactAssignments": "list:EmergencyContactAccountAssignments",
        "incidentReportFlagGroup": "str*", "incidentsReportFlagGroup": "str*",
    },
    "Positions": {
        "name": "str", "description": "str", "customId": "str", "status": "str",
        "account": "rel:Accounts", "contract": "rel:Contracts", "nonBillable": "bool",
        "shiftMemo": "str", "beginDate": "date", "endDate": "date", "breakRule": "rel:BreakRules",
        "billingSetting": "rel:PositionBillingSettings",
        "payrollSetting": "rel:PositionPayrollSettings", "taxClass": "rel:TaxClasses",
        "payCodeLabel": "rel:PayrollCodes",
        "expenseReimbursements": "list:PositionExpenseReimbursements",
        "taxLocation": "rel:TaxLocations", "payCodeOverride": "str", "isTeamLeader": "str*",
        "id": "int", "uri": "str*", "resourceType": "str*", "createdBy": "rel:Employees",
        "createdOn": "dt*", "updatedBy": "rel:Employees", "updatedOn": "dt*",
    },
    "Employees": {
        "jobTitle": "str", "clockStatus": "str*", "currentActivities": "str*", "region": "rel:Regions",
        "employmentProfile": "rel:EmploymentProfiles", "gender": "str*", "age": "int*",
        "birthday": "date*", "ageGroup": "str*", "emergencyContacts": "list:Contacts",
        "skills": "list:EmployeeSkills", "notes": "list:Notes",
        "availabilities": "list:EmployeeAvailabilities",
        "accountAssignments": "list:EmployeeAccountAssignments",
        "accountBans": "list:EmployeeAccountBans", "externalIds": "list:EmployeeExternalIds",
        "externalIdObject": "obj*", "address": "rel:Addresses",
        "notificationSettings": "rel:UserNotificationSettings", "checkedOutAssets": "list:Assets",
        "language": "str*", "currentLeavePolicy": "rel:LeavePolicies",
        "leavePolicies": "list:LeavePolicies", "forcePasswordChange": "bool*", "fax": "str*",
        "governmentBadgeId": "str*", "extraRegions": "list:EmployeeExtraRegions", "id": "int",
        "customId": "str", "firstName": "str", "middleName": "str", "lastName": "str", "name": "str",
        "primaryPhone": "str", "secondaryPhone": "str", "username": "str*", "email": "str",
        "status": "str", "lastLoggedInOn": "dt*", "roles": "list:Roles", "uri": "str*",
        "resourceType": "str*", "avatar": "str", "createdBy": "rel:Employees", "createdOn": "dt*",
        "updatedBy": "rel:Employees", "updatedOn": "dt*", "tags": "str*",
    },
    "Shifts": {
        "status": "str", "customId": "str*", "billable": "bool", "payable": "bool",
        "paidTimeOff": "bool", "vacant": "bool", "onShiftBoard": "bool", "startDateTime": "dt",
        "startsOn": "dt*", "startTimestamp": "int*", "endDateTime": "dt", "endsOn": "dt*",
        "endTimestamp": "int*", "breakInMinutes": "int", "published": "bool",
        "employee": "rel:Employees", "publishedBy": "rel:Employees", "vendor": "rel:Vendors",
        "position": "rel:Positions", "summary": "rel:ShiftSummaries", "notes": "list:ShiftNotes",
        "modifiedOn": "dt*", "lastModified": "dt*", "notified": "bool", "acknowledged": "bool",
        "viewed": "bool", "locked": "bool", "plannedDurationHours": "num*",
        "plannedPayableHours": "num", "clockedHours": "num*", "approvedHours": "num*",
        "billableHours": "num*", "payableHours": "num*", "payRateLevel": "str*", "payRate": "num*",
        "billRate": "num*", "attendanceStatus": "str", "workSessions": "list:WorkSessions",
        "overtimeHours": "num*", "paidAmount": "num*", "billedAmount": "num*", "holidayHours": "num*",
        "payCodeLabel": "rel:PayrollCodes", "effectivePayCodeLabel": "rel:PayrollCodes",
        "breakRuleExceptions": "list:BreakRuleExceptions",
        "breakRuleComplianceLog": "rel:BreakRuleComplianceLogs",
        "loneWorkerCheckIns": "list:LoneWorkerCheckIns", "id": "int", "uri": "str*",
        "resourceType": "str*", "createdBy": "rel:Employees", "createdOn": "dt*",
        "updatedBy": "rel:Employees", "updatedOn": "dt*", "timeZone": "str",
    },
    "ShiftLogs": {
        "changeType": "str", "shiftId": "int", "shift": "rel:Shifts", "employee": "rel:Employees",
        "createdBy": "rel:Employees", "createdOn": "dt", "note": "str", "shiftDetails": "str*",
        "isValid": "bool", "id": "int", "uri": "str*", "resourceType": "str*",
    },
    "PositionBillSettings": {
        "positionBilling": "rel:PositionBillingSettings", "billingType": "str", "rate": "num",
        "effectiveDate": "date", "overtimeRateType": "str", "customOvertimeRate1": "num",
        "customOvertimeRate2": "num", "customOvertimeMultiplier1": "num",
        "customOvertimeMultiplier2": "num", "id": "int", "uri": "str*", "resourceType": "str*",
        "createdBy": "rel:Employees", "createdOn": "dt*", "updatedBy": "rel:Employees",
        "updatedOn": "dt*",
    },
    "PositionBillingSettings": {
        "position": "rel:Positions", "type": "str", "billItem": "rel:BillItems", "rate": "num",
        "discountRate": "num", "holidayGroup": "rel:HolidayGroups", "billBreaks": "str",
        "holiday": "str", "holidayRate": "num", "holidayMultiplier": "num",
        "overtimeRule": "rel:OvertimeRules", "overtimeRuleVendors": "rel:OvertimeRules",
        "billPremiums": "list:PositionPremiums", "priceMatrixRules": "list:PositionPriceMatrixRules",
        "billSettings": "list:PositionBillSettings", "effectiveBillSettingId": "int",
        "billAdHocPremiums": "list:PositionPremiums", "id": "int", "uri": "str*",
        "resourceType": "str*",
    },
    "Addresses": {
        "addressLine1": "str", "addressLine2": "str", "city": "str", "country": "str", "state": "str",
        "postalCode": "str", "latitude": "num", "longitude": "num", "formattedAddress": "str",
        "id": "int", "uri": "str*", "resourceType": "str*", "createdBy": "rel:Employees",
        "createdOn": "dt*", "updatedBy": "rel:Employees", "updatedOn": "dt*",
    },
    "OvertimeRules": {
        "name": "str", "periodLength": "str", "billingRuleItems": "list:OvertimeRuleItems",
        "ruleType": "str", "method": "str", "rules": "obj", "id": "int", "uri": "str*",
        "resourceType": "str*",
    },
    "OvertimeRuleItems": {
        "ruleType": "str", "rateType": "str", "threshold": "int", "rateMultiplier": "num",
        "rateAmount": "num", "overtimeRule": "rel:OvertimeRules", "id": "int", "uri": "str*",
        "resourceType": "str*",
    },
    "HolidayGroups": {
        "name": "str", "holidays": "list:Holidays", "isGlobal": "bool", "region": "rel:Regions",
        "isDefault": "bool", "id": "int", "uri": "str*", "resourceType": "str*",
    },
    "Holidays": {
        "label": "str", "region": "rel:Regions", "code": "str", "dates": "list:HolidayDates",
        "groups": "list:HolidayGroups", "nextOccurrence": "str*", "id": "int", "uri": "str*",
        "resourceType": "str*",
    },
    "HolidayDates": {
        "name": "str", "region": "rel:Regions", "holidayDate": "date", "holidayStartDateTime": "dt",
        "holidayEndDateTime": "dt", "holiday": "rel:Holidays", "id": "int", "uri": "str*",
        "resourceType": "str*", "timeZone": "str",
    },
    "BillableItems": {
        "type": "str", "classModel": "str*", "classModelId": "int*", "serviceModel": "obj",
        "serviceModelBillingAdhocItems": "rel:BillingAdhocItems", "serviceModelShifts": "rel:Shifts",
        "serviceModelTaskPriceTiers": "rel:TaskPriceTiers",
        "serviceModelInvoiceLines": "rel:InvoiceLines", "serviceModelPositions": "rel:Positions",
        "serviceModelMobileScheduleOccurrenceLogs": "rel:MobileScheduleOccurrenceLogs",
        "serviceModelDispatchTasks": "rel:DispatchTasks",
        "serviceModelContractRecurrentFixedServices": "rel:ContractRecurrentFixedServices",
        "quantity": "num", "rate": "num", "price": "num", "contract": "rel:Contracts",
        "taxClass": "rel:TaxClasses", "contractOccurrenceDate": "str*", "invoice": "rel:Invoices",
        "invoiceLine": "rel:InvoiceLines", "serviceLocation": "rel:Clients",
        "serviceAccount": "rel:Clients", "clientAccount": "rel:Clients", "postedOn": "dt",
        "postDateTime": "dt", "postBatchCustom": "int", "memo": "str", "region": "rel:Regions",
        "billItem": "rel:BillItems", "statAmount": "str", "statType": "str", "priceTierModel": "str",
        "priceTierId": "int", "priceTierModelObject": "obj",
        "priceTierModelObjectBillingAdhocItems": "rel:BillingAdhocItems",
        "priceTierModelObjectTaskPriceTiers": "rel:TaskPriceTiers",
        "priceTierModelObjectPositions": "rel:Positions",
        "priceTierModelObjectContractRecurrentFixedServices": "rel:ContractRecurrentFixedServices",
        "serviceDate": "date", "servicedOn": "dt", "groupKey": "str", "billingNotes": "str",
        "subType": "str", "id": "int", "uri": "str*", "resourceType": "str*",
        "createdBy": "rel:Employees", "createdOn": "dt*", "updatedBy": "rel:Employees",
        "updatedOn": "dt*",
    },
    "Accounts": {
        "name": "str", "customId": "str", "type": "str", "subType": "str", "address": "rel:Addresses",
        "region": "rel:Regions", "notes": "list:Notes", "timeZone": "str*", "status": "str*",
        "positions": "list:Positions", "allowedAreas": "list:GeoFences",
        "restrictedAreas": "list:GeoFences", "ipWhitelist": "list:WhitelistedIps",
        "dispatchSla": "rel:DispatchSlas", "closedDate": "date", "taxLocation": "rel:TaxLocations",
        "parentAccount": "rel:Accounts", "kpi": "rel:AccountKpis", "id": "int", "uri": "str*",
        "resourceType": "str*", "avatar": "str", "createdBy": "rel:Employees", "createdOn": "dt*",
        "updatedBy": "rel:Employees", "updatedOn": "dt*", "tags": "str*", "features": "obj*",
        "contacts": "list:Contacts", "emergencyContacts": "list:EmergencyContacts",
        "emergencyContactAssignments": "list:EmergencyContactAccountAssignments",
        "incidentReportFlagGroup": "str*", "incidentsReportFlagGroup": "str*",
    },
}
ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "Regions": {
        "status": ("ACTIVE", "INACTIVE", "CLOSED"),
    },
    "Clients": {
        "type": ("CLIENT", "SERVICE_LOCATION", "MULTI_LOCATION_CLIENT"),
        "status": ("ACTIVE", "INACTIVE", "CLOSED"),
    },
    "Positions": {
        "status": ("ACTIVE", "INACTIVE"),
        "payCodeOverride": ("OT", "DBL", "HOL"),
    },
    "Employees": {
        "gender": ("M", "F", "B"),
        "language": (
            "EN_US", "FR", "FR-BE", "FR-FR", "RO", "ES", "ES-ES", "ES-UY", "DE", "NL", "NL-BE",
            "PT", "SV", "ZH-CN", "ZH-HK", "TH-TH", "SR-RS", "IT-IT", "TR-TR", "CS-CZ", "HU-HU",
            "AR-SA", "ID-ID", "VI-VN", "KO-KR", "DA-DK", "FI-FI", "PL-PL", "NO-NO", "JA-JP",
            "DE-CH", "FR-CH", "IT-CH", "HR-HR", "SK-SK", "SL-SI"),
        "status": ("INACTIVE", "ACTIVE", "TERMINATED", "BANNED"),
    },
    "Shifts": {
        "status": ("CANCELLED", "ACTIVE"),
        "attendanceStatus": (
            "SCHEDULED", "LATE", "IN_PROGRESS", "ON_BREAK", "MISSED", "COMPLETED", "OVER_CLOCK",
            "EARLY_CLOCK_OUT", "PTO"),
    },
    "ShiftLogs": {
        "changeType": ("REMOVED", "ADDED", "TIME", "CANCELLED"),
    },
    "PositionBillSettings": {
        "billingType": ("HOURLY", "FIXED", "BILL_COST_PLUS_FLAT", "BILL_COST_PLUS_PERCENTAGE"),
        "overtimeRateType": ("DEFAULT", "RATE", "MULTIPLIER", "NO_PREMIUMS"),
    },
    "PositionBillingSettings": {
        "type": ("HOURLY", "FIXED"),
        "billBreaks": ("NONE", "ALL", "REST_ONLY", "MEAL_ONLY"),
        "holiday": ("REGULAR", "RATE"),
    },
    "OvertimeRules": {
        "periodLength": ("WEEKLY", "BI-WEEKLY"),
        "ruleType": ("PAYROLL", "BILLING"),
        "method": ("SEQUENTIAL", "BEST_OF"),
    },
    "OvertimeRuleItems": {
        "ruleType": ("DAILY", "CONSECUTIVE_DAYS", "DAY_SPECIFIC", "PERIOD", "HOLIDAY"),
        "rateType": ("MULTIPLIER", "RATE"),
    },
    "BillableItems": {
        "type": ("REVENUE", "EXPENSE"),
        "statType": ("QTY", "PREPAID", "MIN", "HOURS", "%"),
    },
    "Accounts": {
        "type": ("CLIENT", "REGION", "ZONE", "DEPARTMENT"),
        "subType": ("CLIENT", "MULTI", "SITE"),
        "status": ("ACTIVE", "INACTIVE", "CLOSED"),
    },
}
# fmt: on

RESOURCE_SCHEMA: dict[str, str] = {
    "regions": "Regions",
    "clients": "Clients",
    "positions": "Positions",
    "employees": "Employees",
    "shifts": "Shifts",
    "shift-logs": "ShiftLogs",
    "position-bill-settings": "PositionBillSettings",
    "overtime-rules": "OvertimeRules",
    "overtime-rule-items": "OvertimeRuleItems",
    "holiday-groups": "HolidayGroups",
    "holidays": "Holidays",
    "holiday-dates": "HolidayDates",
    "billable-items": "BillableItems",
}
"""The collection paths the simulator serves and the schema of their items."""

_COMMON = ("limit", "offset", "fields", "include", "sort", "q", "includeInactive")
PATH_PARAMETERS: dict[str, frozenset[str]] = {
    "regions": frozenset(_COMMON + (
        "scope", "subRegionTreeOfRegionId", "byCoordinates", "id", "idIn", "hasFeature",
        "hasSettingWithValue", "inZone")),
    "clients": frozenset(_COMMON + (
        "scope", "isChildOf", "id", "idIn", "hasFeature", "hasSettingWithValue", "inZone")),
    "positions": frozenset(_COMMON + (
        "scope", "positionsByKeyword", "includeById", "byClientZone",
        "membersFromTeamLeaderTeam", "availableMembersForTeam", "id", "idIn")),
    "employees": frozenset(_COMMON + (
        "scope", "assignedToClient", "hasExternalId", "assignableResources",
        "assignedToLeavePolicy", "assignedOrCanBeAssignedToLeavePolicy",
        "excludeAlreadyAssignedToOperationCenter", "presentOnOperationCenters",
        "presentBySystemExceptionTicket", "availableMembersForTeam", "id", "idIn")),
    "shifts": frozenset(_COMMON + ("scope", "id", "idIn")),
    "shift-logs": frozenset(_COMMON + ("id", "idIn")),
    "position-bill-settings": frozenset(_COMMON + ("id", "idIn")),
    "overtime-rules": frozenset(_COMMON + ("id", "idIn")),
    "overtime-rule-items": frozenset(_COMMON + ("id", "idIn")),
    "holiday-groups": frozenset(_COMMON + ("id", "idIn")),
    "holidays": frozenset(_COMMON + ("id", "idIn")),
    "holiday-dates": frozenset(_COMMON + ("scope", "byHolidayGroupId", "id", "idIn")),
    "billable-items": frozenset(_COMMON + ("id", "idIn")),
}
SCOPES: dict[str, tuple[str, ...]] = {
    "regions": ("CONTEXT_REGION", "WITHOUT_OPERATION_CENTER", "HAS_EMPLOYEE_ASSIGNED"),
    "clients": ("ALARM_ORGANIZATION", "HAS_EMPLOYEE_ASSIGNED"),
    "positions": ("NOT_REACHED_END_DATE",),
    "employees": ("WITHOUT_POLICY", "WITHOUT_ACTIVE_POLICY"),
    "shifts": (
        "HAS_HOLIDAY", "HAS_OVERTIME", "CURRENTLY_LATE", "IS_CURRENT", "IS_ACKNOWLEDGED",
        "NOT_ACKNOWLEDGED", "VACANT", "PUBLISHED", "NOT_PUBLISHED", "NOT_VACANT", "NEEDS_APPROVAL",
        "WAS_MISSED", "WAS_LATE", "ENDED_EARLY", "CAN_CLOCK_IN", "IS_WORKABLE",
        "MY_AVAILABLE_SHIFT_BOARD", "ON_SHIFT_BOARD", "IN_THE_FUTURE", "NEW", "UPDATED",
        "NOT_VIEWED", "HAS_INCOMPLETE_BREAKS", "IS_LONE_WORKER"),
    "holiday-dates": ("DEFAULT_HOLIDAY_GROUP", "CURRENT_YEAR"),
}
"""The documented values of each path's ``scope`` parameter."""

SHIFT_REQUIRED_FILTERS = frozenset({
    "customId", "startDateTime", "startsOn", "startTimestamp", "endDateTime", "endsOn",
    "endTimestamp", "employee", "publishedBy", "vendor", "modifiedOn", "lastModified", "id",
    "scope"})
"""``GET /shifts`` answers 400 unless one of these is filtered on."""


def kind_of(schema: str, prop: str) -> str | None:
    """The property's code in :data:`PROPERTIES`, or None when it is not documented."""
    return PROPERTIES.get(schema, {}).get(prop)


def on_demand(code: str) -> bool:
    """A plain property absent unless included (relations and lists are handled apart)."""
    return code.endswith("*")


def target_of(code: str) -> str | None:
    """The related schema of a ``rel:``/``list:`` code."""
    kind, _, target = code.partition(":")
    return target if kind in ("rel", "list") else None
