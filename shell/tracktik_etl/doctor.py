"""``tracktik-etl doctor``: a read-only check of a TrackTik portal before the first run.

It logs in and reads one page of every resource a run reads, with exactly the parameters a
run sends (:func:`tracktik_etl.pipeline.list_params`), and says per request whether the
portal answered, how many records match, whether every field the warehouse needs came back in
the shape it needs (an on-demand field the portal left out although it was asked for, a
relation that is an object where an id was expected, a billing setting without its rate
history), and whether each filter form a run uses was accepted. It opens no batch, stages
nothing and needs no database. Exit status 0 only when a run would work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .client import Page, TrackTikClient, TrackTikError, chunk_ids
from .config import Config
from .errors import ConfigError
from .pipeline import (
    BILLING_CONFIG,
    INCLUDE,
    SHIFT_CHANGE_FIELD,
    SHIFT_LOG_PARAMS,
    list_params,
    region_tree,
    shift_windows,
)

logger = logging.getLogger(__name__)

PROBE_PAGE_SIZE = 100
"""Records a probe asks for: one page of this size per request form."""

# What the warehouse needs of each resource: field -> the shape it must have. "id": an
# integer relation id (relations stay ids: the run does not include them); "text"/"number"/
# "stamp": a scalar; "object": an included object; "history": an included billing setting
# whose on-demand "billSettings" is a list. A field need not be on every record (a vacant
# shift has no employee, a root region no parent), but it must be on some record of a page
# and never in the wrong shape.
NEEDED: dict[str, dict[str, str]] = {
    "regions": {"id": "number", "name": "text", "status": "text", "parentRegion": "id",
                "timeZone": "text", "updatedOn": "stamp"},
    "clients": {"id": "number", "name": "text", "status": "text", "region": "id",
                "timeZone": "text", "address": "object", "updatedOn": "stamp"},
    "positions": {"id": "number", "name": "text", "status": "text", "account": "id",
                  "billingSetting": "history", "updatedOn": "stamp"},
    "employees": {"id": "number", "firstName": "text", "lastName": "text", "status": "text",
                  "region": "id", "updatedOn": "stamp"},
    "shifts": {"id": "number", "status": "text", "startDateTime": "stamp", "endDateTime": "stamp",
               "timeZone": "text", "employee": "id", "position": "id", "breakInMinutes": "number",
               SHIFT_CHANGE_FIELD: "stamp", "clockedHours": "number", "approvedHours": "number"},
    "shift-logs": {"id": "number", "changeType": "text", "shift": "id", "createdOn": "stamp"},
    "overtime-rules": {"id": "number", "periodLength": "text", "method": "text", "ruleType": "text"},
    "overtime-rule-items": {"id": "number", "overtimeRule": "id", "ruleType": "text",
                            "rateType": "text", "threshold": "number"},
    "holiday-groups": {"id": "number", "name": "text"},
    "holidays": {"id": "number", "label": "text", "groups": "list"},
    "holiday-dates": {"id": "number", "holidayDate": "text", "holiday": "id"},
    "billable-items": {"id": "number", "serviceModelShifts": "id", "quantity": "number",
                       "price": "number", "serviceDate": "text"},
}
OPTIONAL_IN_A_PAGE = frozenset({"parentRegion", "address", "employee", "clockedHours", "approvedHours"})
"""Fields a whole page may legitimately lack (no sub-regions on it, sites without an address,
only vacant or unclocked shifts): their absence is a note, not a problem."""


@dataclass
class Check:
    """One probe: a request form of a run and what its answer showed."""

    resource: str
    form: str
    status: str = "not checked"
    count: int | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "skipped") and not self.problems

    def lines(self) -> list[str]:
        head = f"{'ok  ' if self.ok else 'FAIL'} {self.resource:<10} {self.form:<44} "
        if self.status == "skipped":
            head += "skipped"
        elif self.status == "ok":
            head += f"answered, {self.count if self.count is not None else '?'} matching"
        else:
            head += self.status
        return [head, *(f"     problem: {p}" for p in self.problems),
                *(f"     note: {n}" for n in self.notes)]


def _shape_ok(kind: str, value: Any) -> bool:
    if kind == "id":
        return type(value) is int
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind in ("text", "stamp"):
        return isinstance(value, str)
    if kind == "object":
        return isinstance(value, Mapping)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, Mapping) and isinstance(value.get("billSettings"), list)  # history


_SHAPE_WORDS = {"id": "an integer id", "number": "a number", "text": "a string",
                "stamp": "an ISO date-time string", "object": "an object (it is included)",
                "history": "an object with its billSettings list (both are included)",
                "list": "a list (it is included)"}


def inspect_fields(resource: str, items: Iterable[Any]) -> tuple[list[str], list[str]]:
    """Problems and notes about the fields of one page of ``resource``."""
    records = [r for r in items if isinstance(r, Mapping)]
    problems: list[str] = []
    notes: list[str] = []
    if not records:
        return problems, ["no records on the page: fields not checked"]
    included = set(INCLUDE.get(resource, "").split(","))
    for name, kind in NEEDED[resource].items():
        present = [r[name] for r in records if name in r]
        wrong = [v for v in present if not _shape_ok(kind, v)]
        if wrong:
            problems.append(f"'{name}' is not {_SHAPE_WORDS[kind]} on {len(wrong)} of "
                            f"{len(records)} records (e.g. {str(wrong[0])[:60]!r})")
        elif not present:
            asked = f" although include={name} was sent" if name in included else ""
            text = f"'{name}' is missing on every record of the page{asked}"
            (notes if name in OPTIONAL_IN_A_PAGE else problems).append(text)
    return problems, notes


class Doctor:
    """The probes of one portal; :meth:`run` returns them in order."""

    def __init__(self, config: Config, client: TrackTikClient, shift_date: date | None = None) -> None:
        self.config = config
        self.client = client
        self.shift_date = shift_date or datetime.now(UTC).date()
        self.checks: list[Check] = []

    def _probe(self, resource: str, form: str, params: Mapping[str, Any]) -> Page | None:
        check = Check(resource, form)
        self.checks.append(check)
        pages = self.client.iter_pages(resource, params)
        try:
            page = next(iter(pages))
        except TrackTikError as exc:
            check.status = f"refused: {exc}"
            return None
        finally:
            pages.close()
        check.status = "ok"
        check.count = page.count if page.count is not None else len(page.items)
        check.problems, check.notes = inspect_fields(resource, page.items)
        return page

    def _not_checked(self, resource: str, form: str, why: str, *, blocked: bool = False) -> None:
        """A probe that cannot be made: a failure when an earlier one failed (``blocked``),
        else a note (the portal has no data of that kind to show)."""
        check = Check(resource, form, status=f"not checked: {why}")
        if not blocked:
            check.status = "skipped"
            check.notes.append(f"not checked: {why}")
        self.checks.append(check)

    @staticmethod
    def _ids(page: Page | None, name: str = "id") -> list[int]:
        out: list[int] = []
        for item in page.items if page is not None else []:
            value = item.get(name) if isinstance(item, Mapping) else None
            if isinstance(value, Mapping):
                value = value.get("id")
            if type(value) is int:
                out.append(value)
        return out

    def run(self) -> list[Check]:
        region_check = Check("regions", "all, inactive included")
        self.checks.append(region_check)
        try:
            regions = [i for p in self.client.iter_pages("regions", list_params("regions"))
                       for i in p.items]
        except TrackTikError as exc:
            region_check.status = f"refused: {exc}"
            for resource in ("clients", "positions", "shifts", "employees"):
                self._not_checked(resource, "", "the regions could not be read", blocked=True)
            return self.checks
        region_check.status, region_check.count = "ok", len(regions)
        region_check.problems, region_check.notes = inspect_fields("regions", regions)
        try:
            tree = sorted(region_tree((r for r in regions if isinstance(r, Mapping)),
                                      self.config.root_region))
        except ConfigError as exc:
            region_check.problems.append(str(exc))
            tree = []
        region_chunk = chunk_ids(tree)[0] if tree else []
        if not region_chunk:
            for resource in ("clients", "positions", "shifts", "employees"):
                self._not_checked(resource, "", "no root region to start from", blocked=True)
            return self.checks

        clients = self._probe("clients", "by region:in",
                              list_params("clients", **{"region:in": region_chunk}))
        site_ids = self._ids(clients)[:100]
        posts = None
        if site_ids:
            posts = self._probe("positions", "by account:in",
                                list_params("positions", **{"account:in": site_ids}))
        else:
            self._not_checked("positions", "by account:in", "no site under the root region",
                              blocked=clients is None)
        rules = None
        for resource, params in BILLING_CONFIG.items():
            page = self._probe(resource, "all" + (f" ({', '.join(params)})" if params else ""), params)
            rules = page if resource == "overtime-rules" else rules
        rule_ids = self._ids(rules)[:100]
        if rule_ids:
            self._probe("overtime-rule-items", "by overtimeRule:in", {"overtimeRule:in": rule_ids})
        else:
            self._not_checked("overtime-rule-items", "by overtimeRule:in", "no BILLING overtime rule",
                              blocked=rules is None)
        post_ids = self._ids(posts)[:100]
        shifts = None
        if post_ids:
            lo, hi = shift_windows(self.shift_date - timedelta(days=6), self.shift_date)[-1]
            shifts = self._probe("shifts", "by position:in, startDateTime:between (full sync)",
                                 list_params("shifts", **{"position:in": post_ids,
                                                          "startDateTime:between": (lo, hi)}))
            since = datetime.combine(self.shift_date - timedelta(days=1), datetime.min.time(), UTC)
            self._probe("shifts", f"by position:in, {SHIFT_CHANGE_FIELD}:after (incremental)",
                        list_params("shifts", **{"position:in": post_ids,
                                                 f"{SHIFT_CHANGE_FIELD}:after": since}))
            self._probe("shift-logs", "changeType=REMOVED, createdOn:after (deletions)",
                        {**SHIFT_LOG_PARAMS, "createdOn:after": since})
        else:
            self._not_checked("shifts", "by position:in", "no post under the root region's sites",
                              blocked=posts is None)
        if post_ids:
            self._probe("billable-items", "by region:in, serviceDate:between (full sync)",
                        {"region:in": region_chunk, "serviceDate:between": (
                            self.shift_date - timedelta(days=7), self.shift_date)})
        shift_ids = self._ids(shifts)[:100]
        if shift_ids:
            self._probe("billable-items", "by serviceModelShifts:in (incremental)",
                        {"serviceModelShifts:in": shift_ids})
        employee_ids = self._ids(shifts, "employee")[:100]
        if employee_ids:
            self._probe("employees", "by id:in (the shifts' guards)",
                        list_params("employees", **{"id:in": employee_ids}))
        else:
            self._not_checked("employees", "by id:in",
                              f"no staffed shift in the week to {self.shift_date}",
                              blocked=shifts is None)
        self._probe("employees", "by region:in (full sync)",
                    list_params("employees", **{"region:in": region_chunk}))
        since = datetime.combine(self.shift_date - timedelta(days=1), datetime.min.time(), UTC)
        self._probe("employees", "by region:in, updatedOn:after (incremental)",
                    list_params("employees", **{"region:in": region_chunk, "updatedOn:after": since}))
        return self.checks


def run_doctor(config: Config, client: TrackTikClient | None = None,
               shift_date: date | None = None) -> tuple[bool, list[str]]:
    """Probe the configured portal; (a run would work, the report's lines). The shift probes
    read the week up to ``shift_date`` (default today) and the changes since the day before."""
    from .pipeline import make_client

    config.require("portal_url", "client_id", "client_secret", "username", "password")
    own = client is None
    if client is None:
        client = make_client(config)
        client.page_size = PROBE_PAGE_SIZE
    try:
        checks = Doctor(config, client, shift_date).run()
    finally:
        if own:
            client.close()
    lines = [line for c in checks for line in c.lines()]
    failed = [c for c in checks if not c.ok]
    lines.append(f"doctor: {len(checks) - len(failed)} of {len(checks)} checks passed; "
                 + ("a run would work" if not failed else "a run would NOT work (see FAIL above)"))
    return not failed, lines
