"""One ETL run: fetch the Kaiser scope from TrackTik, stage it with COPY, call the database.

The shell plans requests and streams pages; it never transforms a record. Order:

1. ``regions`` (all, ``includeInactive``): the root region (id or exact name) and its
   sub-region tree; only the tree is staged.
2. ``clients`` (sites) of those regions and ``positions`` (posts) of those sites, each post
   with its ``billingSetting`` and that setting's ``billSettings`` (the effective-dated bill
   rates): always fetched whole within the scope (they are small), so they count as fully
   synced and deletions are detected on every run.
3. ``shifts`` of those posts, cancelled ones included: by ``startDateTime`` in windows of
   less than a month (full sync and backfill) or by ``modifiedOn`` after the watermark minus
   the lookback (incremental); both are documented required filters of ``/shifts``.
   A full sync or backfill passes its window of shift dates in the batch's metadata
   (``shift_window``) and lists ``shifts`` as fully synced: a stored shift of those posts and
   dates that TrackTik no longer returns was deleted there. An incremental run also reads the
   ``/shift-logs`` entries of ``changeType`` REMOVED since the watermark minus the lookback.
4. ``employees``: those the staged shifts reference, plus (full sync) every employee of the
   region tree, or (incremental) those changed since the watermark.

A record PostgreSQL cannot store as jsonb (``\\u0000``, ``NaN``, a lone surrogate) is set
aside in ``staging.rejected_records`` (:mod:`tracktik_etl.staging`), never dropped or fatal.

Then ``tracktik.mark_batch_staged`` and ``CALL tracktik.run_kaiser_batch(batch)``, which does
everything else inside PostgreSQL in one transaction.

A run holds a session advisory lock, so two runs never overlap; the connection that staged a
batch holds its liveness lock (taken by ``tracktik.start_batch``) until it closes, so a shell
killed mid-fetch leaves a ``running`` batch that the next run marks ``abandoned``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from .client import Page, TrackTikClient, between_windows, chunk_ids
from .config import Config
from .errors import BatchBusy, ConfigError, TrackTikEtlError, from_database_error
from .migrate import connect
from .staging import copy_records, copy_rejected, split_stageable

logger = logging.getLogger(__name__)

RUN_LOCK_KEY = "tracktik.shell_run"

# What a run asks TrackTik for, per resource (DESIGN.md §7; the OpenAPI description of the
# portal is the authority). On-demand fields are named in ``include``: without them a real
# portal leaves out a site's name and time zone, a region's time zone, a shift's hours and
# its ``modifiedOn``. Relations (``region``, ``account``, ``employee``, ``position``) stay ids.
STAMPS = "createdOn,updatedOn"
INCLUDE: dict[str, str] = {
    "regions": f"{STAMPS},timeZone",
    "clients": f"{STAMPS},name,timeZone,address",
    # the post's billing setting and its effective-dated rate history (the bill settings have
    # no collection of their own that can be filtered by post)
    "positions": f"{STAMPS},billingSetting,billingSetting.billSettings",
    "employees": STAMPS,
    "shifts": f"{STAMPS},modifiedOn,customId,clockedHours,approvedHours,billableHours,payableHours",
}
SHIFT_LOG_PARAMS = {"changeType": "REMOVED"}
"""What an incremental run asks ``/shift-logs`` for (with ``createdOn:after``): deletions."""
SHIFT_CHANGE_FIELD = "modifiedOn"
"""The documented required filter of ``/shifts`` that an incremental run filters on; its
watermark is kept on the same field (``tracktik.etl_sync_status``)."""
BILLING_CONFIG: dict[str, dict[str, str]] = {
    "overtime-rules": {"ruleType": "BILLING"},
    "holiday-groups": {},
    "holidays": {"include": "groups"},
    "holiday-dates": {},
}
"""TrackTik's billing configuration, read whole on every run (it is small): the BILLING
overtime rules (their items follow, by rule) and the holidays (a holiday lists its groups)."""
FULLY_FETCHED_EVERY_RUN = ("regions", "clients", "positions", "position-bill-settings",
                           *BILLING_CONFIG, "overtime-rule-items")
"""Resources re-read whole on every run (the bill settings arrive inside the positions)."""


def list_params(resource: str, **filters: Any) -> dict[str, Any]:
    """The parameters a run sends to list ``resource`` with ``filters`` (``{"region:in": [..]}``):
    every object, inactive and cancelled ones too, with the on-demand fields the warehouse
    needs. ``tracktik-etl doctor`` probes with exactly these."""
    return {**filters, "includeInactive": "true", "include": INCLUDE[resource]}


def shift_windows(lo: date, hi: date) -> list[tuple[datetime, datetime]]:
    """``startDateTime:between`` windows (under a month each) covering every shift whose local
    start date is in [lo, hi]: shift times are UTC and a local day spans UTC-12..UTC+14."""
    return between_windows(
        datetime.combine(lo, datetime.min.time(), UTC) - timedelta(hours=14),
        datetime.combine(hi + timedelta(days=1), datetime.min.time(), UTC)
        + timedelta(hours=12) - timedelta(seconds=1))


class Interrupted(TrackTikEtlError):
    """The run was asked to stop (SIGTERM) between two pages; nothing was loaded."""


@dataclass
class RunSummary:
    batch_id: UUID
    mode: str
    staged: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    database: dict[str, Any] = field(default_factory=dict)
    fetch_seconds: float = 0.0
    """Time spent fetching and staging (until the batch was marked staged)."""
    rejected: dict[str, int] = field(default_factory=dict)
    """Records set aside because they cannot be stored as jsonb (reported as issues)."""

    def lines(self) -> list[str]:
        db = self.database
        out = [
            f"batch {self.batch_id} ({self.mode}): {db.get('status', '?')} in {self.seconds:.1f} s"
            f" (fetch and stage {self.fetch_seconds:.1f} s)",
            "staged: " + ", ".join(f"{k} {v}" for k, v in self.staged.items())
            + ("; set aside (not storable as jsonb): "
               + ", ".join(f"{k} {v}" for k, v in self.rejected.items()) if self.rejected else ""),
            f"records processed {db.get('records_processed', 0)}, failed {db.get('records_failed', 0)}",
        ]
        merge = (db.get("metadata") or {}).get("merge")
        if isinstance(merge, dict):
            parts = []
            for dim, counts in merge.items():
                if isinstance(counts, dict):
                    parts.append(f"{dim} +{counts.get('inserted', 0)} new / {counts.get('closed', 0)} closed")
            if parts:
                out.append("versions: " + "; ".join(parts))
        facts = (db.get("metadata") or {}).get("facts")
        if isinstance(facts, dict):
            shown = ("new", "changed", "unchanged", "moved", "failed", "inferred", "missing_rate")
            out.append("facts: " + ", ".join(f"{k} {facts[k]}" for k in shown if k in facts))
        issues = db.get("issues") or {}
        out.append("issues: " + (", ".join(f"{k} {v}" for k, v in issues.items()) if issues else "none"))
        return out


def _relation_id(value: Any) -> int | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if type(value) is int else None


def _add_id(ids: set[int], value: Any) -> None:
    if type(value) is int:
        ids.add(value)


def _field(item: Any, name: str) -> Any:
    """``item[name]`` when the record is an object, else None (a malformed record)."""
    return item.get(name) if isinstance(item, Mapping) else None


def region_tree(regions: Iterable[Mapping[str, Any]], root: str) -> set[int]:
    """Ids of the root region (given by id or exact name) and everything below it."""
    by_parent: dict[int | None, list[int]] = {}
    root_ids: list[int] = []
    for r in regions:
        rid = r.get("id")
        if not isinstance(rid, int):
            continue
        by_parent.setdefault(_relation_id(r.get("parentRegion")), []).append(rid)
        if (root.isdigit() and rid == int(root)) or r.get("name") == root:
            root_ids.append(rid)
    if not root_ids:
        raise ConfigError(f"TRACKTIK_ROOT_REGION: no region with id or name {root!r} in TrackTik")
    if len(root_ids) > 1:
        raise ConfigError(f"TRACKTIK_ROOT_REGION: {len(root_ids)} regions are named {root!r}; give its id")
    tree: set[int] = set()
    todo = list(root_ids)
    while todo:
        rid = todo.pop()
        if rid in tree:
            continue
        tree.add(rid)
        todo.extend(by_parent.get(rid, []))
    return tree


class Run:
    """One batch: planned requests, pages streamed to staging, the database called."""

    def __init__(self, config: Config, client: TrackTikClient, conn: psycopg.Connection,
                 mode: str, *, start: date | None = None, end: date | None = None,
                 stop: threading.Event | None = None,
                 progress: Callable[[str, int, int | None], None] | None = None,
                 dry_run: bool = False) -> None:
        self.config = config
        self.dry_run = dry_run
        self.client = client
        self.conn = conn
        self.mode = mode
        self.start = start
        self.end = end
        self.stop = stop or threading.Event()
        self.progress = progress
        self.staged: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        """Records set aside per resource because they cannot be stored as jsonb."""
        self.count_changes: list[dict[str, Any]] = []
        """Listings whose ``meta.count`` differed from the records read (TrackTik changed while
        the run paged): a warning, and part of the batch's metadata."""
        self.metadata: dict[str, Any] = {}
        """What the batch's processing needs to know beyond the records (the shift window)."""
        self.batch_id: UUID | None = None

    # -- fetching ----------------------------------------------------------------------
    def _pages(self, resource: str, params: Mapping[str, Any]) -> Iterator[Page]:
        first_count: int | None = None
        read = 0
        for page in self.client.iter_pages(resource, params):
            if self.stop.is_set():
                raise Interrupted("stop requested; the batch is left to be marked abandoned")
            if page.offset == 0:
                first_count = page.count
            read += len(page)
            yield page
        if first_count is not None and first_count != read:
            logger.warning("%s: TrackTik counted %d matching records at the first page, %d were "
                           "read: its data changed while the run paged", resource, first_count, read)
            self.count_changes.append({"resource": resource, "counted": first_count, "read": read})

    def _stage(self, resource: str, pages: Iterable[Page],
               keep: Callable[[Mapping[str, Any]], bool] | None = None,
               collect: Callable[[Mapping[str, Any]], None] | None = None) -> int:
        """Stage every page (only the records ``keep`` accepts, when given), calling
        ``collect`` on each staged record; return how many were staged. Nothing is kept
        beyond the current page, so memory stays bounded whatever the extract's size."""
        staged = 0
        for page in pages:
            if keep is None:
                records, items = page.records, page.items
            else:
                pairs = [(t, i) for t, i in zip(page.records, page.items, strict=True) if keep(i)]
                records, items = [t for t, _ in pairs], [i for _, i in pairs]
            records, items, rejected = split_stageable(records, items)
            if rejected:
                self.rejected[resource] = self.rejected.get(resource, 0) + len(rejected)
                if not self.dry_run:
                    copy_rejected(self.conn, self.batch_id, resource, rejected)  # type: ignore[arg-type]
            if records and not self.dry_run:
                copy_records(self.conn, self.batch_id, resource, records)  # type: ignore[arg-type]
            if collect is not None:
                for item in items:
                    collect(item)
            staged += len(records)
            self.staged[resource] = self.staged.get(resource, 0) + len(records)
            if self.progress:
                self.progress(resource, self.staged[resource], page.count)
        self.staged.setdefault(resource, 0)
        return staged

    def _by_ids(self, resource: str, field_name: str, ids: list[int],
                filters: Mapping[str, Any] | None = None, *, plain: bool = False) -> Iterator[Page]:
        """Pages of ``resource`` whose ``field_name`` is one of ``ids``, 100 ids a request, with
        ``filters``; ``plain``: nothing else (no ``includeInactive``, no ``include``)."""
        for chunk in chunk_ids(ids):
            query = {f"{field_name}:in": chunk, **(filters or {})}
            yield from self._pages(resource, query if plain else list_params(resource, **query))

    def _billable_by_date(self, region_ids: list[int], window: Mapping[str, str]) -> Iterator[Page]:
        """``/billable-items`` of the region tree by service date, over the shift window (a
        day wider on each side: a service date is the shift's local day, in UTC terms)."""
        lo = date.fromisoformat(window["from"]) - timedelta(days=1)
        hi = date.fromisoformat(window["to"]) + timedelta(days=1)
        for chunk in chunk_ids(region_ids):
            yield from self._pages("billable-items", {"region:in": chunk,
                                                      "serviceDate:between": (lo, hi)})

    def _shift_pages(self, post_ids: list[int], marks: Mapping[str, datetime | None]
                     ) -> Iterator[Page]:
        since = self._since("shifts", marks) if self.mode == "incremental" else None
        if since is not None:
            yield from self._by_ids("shifts", "position", post_ids,
                                    {f"{SHIFT_CHANGE_FIELD}:after": since})
            return
        today = datetime.now(UTC).date()
        lo = self.start or today - timedelta(days=self.config.full_sync_days)
        hi = self.end or today + timedelta(days=self.config.future_days)
        # every shift of these posts dated in [lo, hi] is read: a stored one that TrackTik no
        # longer returns was deleted there (the database applies its circuit breaker)
        self.metadata["shift_window"] = {"from": lo.isoformat(), "to": hi.isoformat()}
        for chunk in chunk_ids(post_ids):
            for a, b in shift_windows(lo, hi):
                yield from self._pages("shifts", list_params(
                    "shifts", **{"position:in": chunk, "startDateTime:between": (a, b)}))

    def _since(self, resource: str, marks: Mapping[str, datetime | None]) -> datetime | None:
        mark = marks.get(resource)
        if mark is None:
            return None
        return mark - timedelta(minutes=self.config.lookback_minutes)

    def resolve_scope(self) -> tuple[list[Page], set[int]]:
        """Fetch the regions and find the Kaiser tree: done before a batch is opened, so a
        wrong password, an unreachable portal or an unknown root region leaves no batch."""
        pages = list(self._pages("regions", list_params("regions")))
        return pages, region_tree((i for p in pages for i in p.items if isinstance(i, Mapping)),
                                  self.config.root_region)

    def fetch(self, marks: Mapping[str, datetime | None],
              scope: tuple[list[Page], set[int]] | None = None) -> list[str]:
        """Fetch and stage the whole scope; return the resources that were fully synced.

        A record of an unexpected shape (not an object, no integer id) is staged as it came
        (the database records it as a data-quality issue); it only adds nothing to the ids
        collected for the next requests."""
        regions, tree = scope if scope is not None else self.resolve_scope()
        self._stage("regions", regions, keep=lambda r: _field(r, "id") in tree)
        region_ids = sorted(tree)
        site_set: set[int] = set()
        self._stage("clients", self._by_ids("clients", "region", region_ids),
                    collect=lambda i: _add_id(site_set, _field(i, "id")))
        post_set: set[int] = set()
        self._stage("positions", self._by_ids("positions", "account", sorted(site_set)),
                    collect=lambda i: _add_id(post_set, _field(i, "id")))
        rule_set: set[int] = set()
        for resource, params in BILLING_CONFIG.items():
            self._stage(resource, self._pages(resource, params),
                        collect=(lambda i: _add_id(rule_set, _field(i, "id")))
                        if resource == "overtime-rules" else None)
        self._stage("overtime-rule-items", self._by_ids("overtime-rule-items", "overtimeRule",
                                                        sorted(rule_set), plain=True))
        referenced_set: set[int] = set()
        shift_set: set[int] = set()

        def shift_refs(item: Any) -> None:
            _add_id(referenced_set, _relation_id(_field(item, "employee")))
            _add_id(shift_set, _field(item, "id"))

        self._stage("shifts", self._shift_pages(sorted(post_set), marks), collect=shift_refs)
        # what TrackTik billed for those shifts: the reconciliation reference
        window = self.metadata.get("shift_window")
        if window is not None:
            self._stage("billable-items", self._billable_by_date(region_ids, window))
        else:
            self._stage("billable-items", self._by_ids("billable-items", "serviceModelShifts",
                                                       sorted(shift_set), plain=True))
        since_logs = self._since("shifts", marks) if self.mode == "incremental" else None
        if since_logs is not None:
            # deletions an incremental run cannot see in /shifts: the shift log's REMOVED entries
            self._stage("shift-logs", self._pages("shift-logs", {
                **SHIFT_LOG_PARAMS, "createdOn:after": since_logs}))

        employee_ids: set[int] = set()

        def new_employee(item: Any) -> bool:
            eid = _field(item, "id")
            if not isinstance(eid, int) or eid in employee_ids:
                return not isinstance(eid, int)  # a record without an id is staged, reported
            employee_ids.add(eid)
            return True

        self._stage("employees", self._by_ids("employees", "id", sorted(referenced_set)),
                    keep=new_employee)
        full_synced = list(FULLY_FETCHED_EVERY_RUN)
        if "shift_window" in self.metadata:
            full_synced.append("shifts")
        if self.mode == "full":
            self._stage("employees", self._by_ids("employees", "region", region_ids),
                        keep=new_employee)
            full_synced.append("employees")
        else:
            since_emp = self._since("employees", marks)
            if since_emp is not None:
                self._stage("employees", self._by_ids("employees", "region", region_ids,
                                                      {"updatedOn:after": since_emp}),
                            keep=new_employee)
        return full_synced


def make_client(config: Config) -> TrackTikClient:
    """The API client for ``config`` (TLS always verified; secrets stay in the client)."""
    return TrackTikClient(
        config.portal_url or "", config.client_id or "",
        config.client_secret.get() if config.client_secret else "",
        config.username or "", config.password.get() if config.password else "",
        ca_bundle=config.ca_bundle,
    )


def _watermarks(conn: psycopg.Connection) -> dict[str, datetime | None]:
    rows = conn.execute("SELECT resource, last_sync_timestamp FROM tracktik.sync_watermarks()").fetchall()
    return {r: ts for r, ts in rows}


def run_once(config: Config, *, mode: str = "incremental", start: date | None = None,
             end: date | None = None, stop: threading.Event | None = None,
             client: TrackTikClient | None = None,
             progress: Callable[[str, int, int | None], None] | None = None,
             wait_for_lock: bool = False) -> RunSummary:
    """Fetch, stage and load one batch; return its summary. ``mode``: incremental, full, backfill."""
    if mode not in ("incremental", "full", "backfill"):
        raise ValueError(f"unknown mode {mode!r}")
    config.require("dsn", "portal_url", "client_id", "client_secret", "username", "password")
    began = time.monotonic()
    own_client = client is None
    if client is None:
        client = make_client(config)
    try:
        with connect(config.dsn or "", autocommit=True) as conn:
            _take_run_lock(conn, wait_for_lock)
            marks = _watermarks(conn)
            if mode == "incremental" and marks.get("shifts") is None:
                logger.info("no watermark yet: this incremental run fetches like a full sync")
            metadata = {"mode": mode, "root_region": config.root_region,
                        "start": start.isoformat() if start else None,
                        "end": end.isoformat() if end else None,
                        "lookback_minutes": config.lookback_minutes}
            try:
                run = Run(config, client, conn, mode, start=start, end=end, stop=stop, progress=progress)
                scope = run.resolve_scope()
                batch_id = conn.execute("SELECT tracktik.start_batch(%s, %s)",
                                        (mode, Jsonb(metadata))).fetchone()[0]  # type: ignore[index]
                run.batch_id = batch_id
                logger.info("batch started", extra={"batch_id": str(batch_id), "mode": mode})
                full_synced = run.fetch(marks, scope)
                conn.execute("SELECT tracktik.mark_batch_staged(%s, %s, %s)",
                             (batch_id, full_synced, Jsonb({
                                 "staged": run.staged, "rejected": run.rejected,
                                 "count_changes": run.count_changes, **run.metadata})))
                fetch_seconds = time.monotonic() - began
                logger.info("batch staged", extra={"batch_id": str(batch_id), "staged": run.staged})
                _process_staged(conn, batch_id, stop)
                summary = conn.execute("SELECT tracktik.batch_summary(%s)", (batch_id,)).fetchone()[0]  # type: ignore[index]
            except psycopg.Error as exc:
                mapped = from_database_error(exc)
                if mapped is not exc:
                    raise mapped from exc
                raise
        result = RunSummary(batch_id, mode, run.staged, time.monotonic() - began, summary,
                            fetch_seconds, run.rejected)
        logger.info("batch done", extra={"batch_id": str(batch_id), "status": summary.get("status"),
                                         "seconds": round(result.seconds, 2)})
        return result
    finally:
        if own_client:
            client.close()


PROCESS_RETRY_SECONDS = 600.0


def _process_staged(conn: psycopg.Connection, batch_id: UUID, stop: threading.Event | None) -> None:
    """``CALL tracktik.run_kaiser_batch()``: every staged batch, oldest first, so a batch left
    staged by an earlier run (a shell that died after staging, a run that found the database
    busy) is loaded before this one and never overwrites newer data. While a DBA's CALL holds
    the database (TT004) it retries for up to PROCESS_RETRY_SECONDS; after that this batch
    stays staged and the next run loads it."""
    deadline = time.monotonic() + PROCESS_RETRY_SECONDS
    delay = 2.0
    while True:
        try:
            conn.execute("CALL tracktik.run_kaiser_batch()")
            return
        except psycopg.Error as exc:
            if getattr(exc, "sqlstate", None) != "TT004" or time.monotonic() > deadline:
                if getattr(exc, "sqlstate", None) == "TT004":
                    raise BatchBusy(f"batch {batch_id} is staged but the database stayed busy; "
                                    "the next run loads it") from exc
                raise
        logger.warning("batch processing busy; retrying in %.0f s", delay, extra={"batch_id": str(batch_id)})
        if stop is not None and stop.wait(delay):
            raise Interrupted(f"stop requested; batch {batch_id} stays staged for the next run")
        if stop is None:
            time.sleep(delay)
        delay = min(delay * 2, 30.0)


def _take_run_lock(conn: psycopg.Connection, wait: bool) -> None:
    if wait:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (RUN_LOCK_KEY,))
        return
    got = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (RUN_LOCK_KEY,)).fetchone()[0]  # type: ignore[index]
    if not got:
        raise BatchBusy("another tracktik-etl run is in progress; not starting a second one")


def fetch_only(config: Config, *, mode: str = "full", start: date | None = None,
               end: date | None = None, client: TrackTikClient | None = None,
               progress: Callable[[str, int, int | None], None] | None = None) -> dict[str, int]:
    """Fetch every page a run would fetch, without staging or touching the database
    (``--dry-run``: checks credentials, scope and volumes). Returns records per resource."""
    config.require("portal_url", "client_id", "client_secret", "username", "password")
    own_client = client is None
    if client is None:
        client = make_client(config)
    try:
        run = Run(config, client, None, mode, start=start, end=end,  # type: ignore[arg-type]
                  progress=progress, dry_run=True)
        run.fetch({})
        return run.staged
    finally:
        if own_client:
            client.close()
