"""The TrackTik API contract, read from the OpenAPI 3.0 files a real portal publishes, kept in
``tests/contract/openapi/`` (a copy of the project's shared ``tracktik-openapi`` folder).

:func:`load_contract` reads the files once (per folder, per process) into a ``referencing``
registry, each file under the document URL its own ``$ref``\\ s use for it (e.g.
``.../back-office-suite/scheduling/schema.json?referenceRelations=0`` for
``bos.scheduling_schema.json``). A :class:`Contract` then checks, returning violation strings:

* :meth:`Contract.check_request`: a ``GET /rest/v1/<collection>`` query string against the
  path's ``get.parameters`` and the API guide (``info.description`` of
  ``tracktik_api_schema.json``): documented parameters and filter operators only, filters on
  properties of the item, the required filter of ``/shifts``, ``:between`` on a date-time at most
  one month, ``:in`` at most 100 values, ``include`` names that are on-demand fields or relations,
  date-time values in ISO 8601 with an offset, no ``page``.
* :meth:`Contract.check_response`: a 2xx list answer is the envelope ``{"meta": {...},
  "data": [...]}`` whose items are the path's documented ``<Resource>Collection`` item, made
  strict (no undocumented property, no null where not ``nullable``, types and formats as
  documented) with the on-demand rules of ``<Resource>Item``: a field described *On demand* is
  absent unless named in ``include=``, a relation is an integer id unless included (then an object
  of the related item, checked the same way with the nested includes). A 4xx/5xx answer is
  ``{"status": n, "error": "..."}``.

Values are validated with ``jsonschema`` (Draft 4 semantics, as OpenAPI 3.0 schemas are), the
OpenAPI ``nullable`` keyword and the ``format`` values the files use (``date-time``, ``date``,
``int32``, ``email``, ``uri``) included.
"""

from __future__ import annotations

import calendar
import json
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT4

logger = logging.getLogger(__name__)

OPENAPI_ENV = "TRACKTIK_OPENAPI_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = Path(__file__).resolve().parent / "openapi"
GUIDE_FILE = "tracktik_api_schema.json"
DATA_PREFIX = "/rest/v1"

MAX_IN_VALUES = 100
"""``:in`` takes at most this many comma-separated values (``/shifts`` ``filters`` description)."""
IGNORED_DATE_TIME_OPS = frozenset({"gte", "lte"})
"""On date-time properties these were seen silently ignored on a real portal: they do not
satisfy a required filter."""
DATE_OPS = frozenset({"after", "before", "between"})
"""The guide's "Date Filters"."""
NO_VALUE_OPS = frozenset({"isnull", "isnotnull"})
TEXT_OPS = frozenset({"contains", "startswith", "endswith", "inset"})

_DATE_TIME_COMPONENTS = frozenset({"DateTime", "TimeStampDate", "TimeStampNumber"})
_DATE_COMPONENTS = frozenset({"Date"})
_ISO_OFFSET = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.(\d+))?(?:[Zz]|[+-]\d{2}:\d{2})\Z")
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_INTEGER = re.compile(r"[+-]?\d+\Z")
_RELATION = re.compile(r"ID of the resource by default OR", re.IGNORECASE)
_RELATION_LIST = re.compile(r"List of JSON objects of type", re.IGNORECASE)
_ON_DEMAND = re.compile(r"on demand", re.IGNORECASE)
_TYPE_NAME = re.compile(r"JSON objects? of type \[?([A-Za-z0-9_]+)")
_GUIDE_OPERATOR = re.compile(r"^#+\s*:([A-Za-z]+)\s*$", re.MULTILINE)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_VALUES = ("items", "additionalProperties", "not")
_ANNOTATIONS = frozenset({"description", "example", "examples", "deprecated", "title", "default",
                          "readOnly", "writeOnly", "externalDocs", "xml", "discriminator",
                          "nullable"})


class ContractUnavailable(RuntimeError):
    """The OpenAPI folder is missing or unreadable: contract checks cannot run."""


# --------------------------------------------------------------------------- values

def parse_iso_offset(text: str) -> datetime | None:
    """An ISO 8601 / RFC 3339 date-time with seconds and an offset (``Z`` or ``±hh:mm``), or
    None when ``text`` is not one."""
    m = _ISO_OFFSET.match(text)
    if not m:
        return None
    if m.group(1) and len(m.group(1)) > 6:  # fromisoformat takes at most microseconds
        text = text[:m.start(1)] + m.group(1)[:6] + text[m.end(1):]
    try:
        return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None


def parse_full_date(text: str) -> date | None:
    if not _FULL_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def add_month(moment: datetime) -> datetime:
    """The same wall-clock moment one calendar month later (day clamped to the month's end)."""
    year, month = moment.year + moment.month // 12, moment.month % 12 + 1
    return moment.replace(year=year, month=month,
                          day=min(moment.day, calendar.monthrange(year, month)[1]))


FORMATS = FormatChecker(formats=())
"""The ``format`` values of the OpenAPI files (OpenAPI 3.0 meanings)."""


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or parse_iso_offset(value) is not None


@FORMATS.checks("date")
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or parse_full_date(value) is not None


@FORMATS.checks("int32")
def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or -(2 ** 31) <= value < 2 ** 31


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or "@" in value


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:\S*\Z", value) is not None


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


IncludeTree = dict[str, "IncludeTree"]


def include_tree(names: Iterable[str]) -> IncludeTree:
    """``["a", "b.c"]`` -> ``{"a": {}, "b": {"c": {}}}``; a nested name includes its parents."""
    tree: IncludeTree = {}
    for name in names:
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})
    return tree


def include_names(query_pairs: Sequence[tuple[str, str]]) -> list[str]:
    return [token.strip() for key, value in query_pairs if key == "include"
            for token in value.split(",") if token.strip()]


# --------------------------------------------------------------------------- model

@dataclass(frozen=True)
class Field:
    """One property of an item, as the two schemas of its resource describe it."""

    name: str
    kind: str
    """``plain``, ``relation`` (id by default, object when included) or ``list`` (an on-demand
    list of related objects)."""
    on_demand: bool
    target: tuple[str, str | None] | None
    """The related resource (name, document URL if the file says) of a relation or list."""
    value: str
    """What a filter value must look like: date-time, date, integer, number, boolean, string,
    object, array or any."""
    nullable: bool
    enum: tuple[Any, ...] | None
    properties: frozenset[str] | None
    """Sub-properties of a plain object value (for filter paths), when documented."""


@dataclass
class ResourceType:
    """A resource's item (``<Name>Item`` and ``<Name>Collection`` of one document)."""

    name: str
    url: str
    fields: dict[str, Field]
    validator: Draft4Validator
    """Validates the plain values of an object (additional properties are judged elsewhere)."""


@dataclass(frozen=True)
class Collection:
    """A documented ``GET`` list path."""

    path: str
    item: str
    item_url: str
    named: frozenset[str]
    """Named query parameters (``limit``, ``include``, custom filters such as ``idIn``...)."""
    filters_allowed: bool
    """The ``[att]`` parameter: filters on the item's properties."""
    required_filters: frozenset[str] | None
    """Properties (or ``scope``) one of which a request must filter on, if the path says so."""
    scopes: frozenset[str] | None


class Contract:
    """The OpenAPI files of one folder, loaded; thread-safe, build with :func:`load_contract`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.documents: dict[str, dict[str, Any]] = {}
        """Document URL -> parsed file."""
        self.files: dict[str, str] = {}
        """File name -> document URL."""
        self._lock = threading.RLock()
        self._types: dict[tuple[str, str | None], ResourceType | None] = {}
        self._collections: dict[str, Collection | None] = {}
        self._load()
        self.registry: Registry = Registry().with_resources(
            (url, DRAFT4.create_resource(doc)) for url, doc in self.documents.items())
        self._resolver = self.registry.resolver()
        self.get_paths: dict[str, str] = {}
        """Documented GET path -> document URL."""
        for url, doc in self.documents.items():
            for path, item in (doc.get("paths") or {}).items():
                if isinstance(item, dict) and "get" in item:
                    self.get_paths.setdefault(path, url)
        guide = self.documents[self.files[GUIDE_FILE]]
        self.operators: frozenset[str] = frozenset(
            op.lower() for op in _GUIDE_OPERATOR.findall(guide["info"]["description"])) - {"equal"}
        """Filter operators the API guide documents (``in``, ``gt``, ``between``...)."""
        if not self.operators:
            raise ContractUnavailable(f"{GUIDE_FILE}: no filter operators found in info.description")

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        paths = sorted(self.directory.glob("*.json"))
        if GUIDE_FILE not in {p.name for p in paths}:
            raise ContractUnavailable(
                f"TrackTik OpenAPI files not found in {self.directory} (no {GUIDE_FILE}); the "
                f"contract tests need them: restore tests/contract/openapi/ from the repository "
                f"or set {OPENAPI_ENV} to their folder")
        for path in paths:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.0"):
                raise ContractUnavailable(f"{path}: not an OpenAPI 3.0 document")
            name = path.name
            url = self._own_url(doc) or path_uri(path)
            if url in self.documents:
                raise ContractUnavailable(f"{name}: its document URL {url} is already taken")
            self.documents[url] = doc
            self.files[name] = url
        logger.info("OpenAPI documents: %s", ", ".join(f"{n} = {u}" for n, u in self.files.items()))

    @staticmethod
    def _own_url(doc: dict[str, Any]) -> str | None:
        """The absolute document URL a file uses for itself: the most used one in its ``$ref``\\ s
        whose every fragment exists in the file."""
        found = [urldefrag(ref) for ref in _refs(doc) if re.match(r"https?://", ref)]
        for url, _ in Counter(u for u, _ in found).most_common():
            if all(_pointer(doc, frag) is not None for u, frag in found if u == url):
                return url
        return None

    # ------------------------------------------------------------------ schemas

    def lookup(self, uri: str) -> Any:
        """The schema at an absolute ``$ref`` URI (raises ``Unresolvable``)."""
        return self._resolver.lookup(uri).contents

    def inline(self, schema: Any, base: str, seen: frozenset[str] = frozenset()) -> Any:
        """``schema`` (found in document ``base``) with its ``$ref``\\ s replaced by their
        targets (recursive ones kept as absolute refs), annotations dropped and OpenAPI's
        ``nullable: true`` made a JSON Schema ``null`` alternative."""
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:  # OpenAPI 3.0: siblings of $ref are ignored
            uri = urljoin(base, schema["$ref"])
            if uri in seen:
                return {"$ref": uri}
            try:
                target = self.lookup(uri)
            except Unresolvable:
                logger.info("contract: unresolvable $ref %s (its file is not in the folder)", uri)
                return {}
            return self.inline(target, urldefrag(uri).url, seen | {uri})
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in _ANNOTATIONS or key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {n: self.inline(s, base, seen) for n, s in value.items()}
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.inline(s, base, seen) for s in value]
            elif key in _SCHEMA_VALUES and isinstance(value, dict):
                out[key] = self.inline(value, base, seen)
            else:
                out[key] = value
        if schema.get("nullable") is True:
            return {"anyOf": [{"type": "null"}, out]}
        return out

    def validator(self, schema: Any) -> Draft4Validator:
        return Draft4Validator(schema, registry=self.registry, format_checker=FORMATS)

    def _component_names(self, schema: Any, base: str, depth: int = 0) -> set[str]:
        """Names of the components a property schema is built from (through allOf/$ref)."""
        names: set[str] = set()
        if not isinstance(schema, dict) or depth > 8:
            return names
        if "$ref" in schema:
            uri = urljoin(base, schema["$ref"])
            names.add(uri.rsplit("/", 1)[-1])
            try:
                names |= self._component_names(self.lookup(uri), urldefrag(uri).url, depth + 1)
            except Unresolvable:
                pass
            return names
        for member in schema.get("allOf") or ():
            names |= self._component_names(member, base, depth + 1)
        return names

    # ------------------------------------------------------------------ resources

    def resource_type(self, name: str, url: str | None = None) -> ResourceType | None:
        """The item of resource ``name`` (``<name>Item``, preferably in document ``url``)."""
        key = (name, url)
        with self._lock:
            if key not in self._types:
                self._types[key] = self._build_type(name, url)
            return self._types[key]

    def _build_type(self, name: str, url: str | None) -> ResourceType | None:
        candidates = ([url] if url in self.documents else []) + list(self.documents)
        for doc_url in candidates:
            schemas = self.documents[doc_url].get("components", {}).get("schemas", {})
            if f"{name}Item" in schemas:
                break
        else:
            return None
        item = schemas[f"{name}Item"].get("properties") or {}
        coll = (schemas.get(f"{name}Collection") or {}).get("properties") or {}
        fields: dict[str, Field] = {}
        plain_schemas: dict[str, Any] = {}
        for prop in list(item) + [p for p in coll if p not in item]:
            fields[prop], schema = self._build_field(prop, item.get(prop), coll.get(prop), doc_url)
            if schema is not None:
                plain_schemas[prop] = schema
        validator = self.validator({"type": "object", "properties": plain_schemas})
        return ResourceType(name, doc_url, fields, validator)

    def _build_field(self, name: str, item_prop: Any, coll_prop: Any,
                     base: str) -> tuple[Field, Any]:
        """A field and the inlined schema of its plain value (None for relations)."""
        raw = item_prop if isinstance(item_prop, dict) else coll_prop
        description = str(raw.get("description", ""))
        if _RELATION.search(description) or (_RELATION_LIST.search(description)
                                             and raw.get("type") == "array"):
            kind = "relation" if _RELATION.search(description) else "list"
            refs = [m.get("$ref", "") for m in raw.get("oneOf", [])] if kind == "relation" \
                else [(raw.get("items") or {}).get("$ref", "")]
            target: tuple[str, str | None] | None = None
            for ref in refs:
                last = ref.rsplit("/", 1)[-1]
                if last.endswith("Item"):
                    target = (last[:-len("Item")], urldefrag(urljoin(base, ref)).url)
            if target is None:
                m = _TYPE_NAME.search(description)
                target = (m.group(1), None) if m else None
            return Field(name, kind, True, target, "integer", False, None, None), None
        # A plain value: typed by the documented collection item where it has the property.
        source = coll_prop if isinstance(coll_prop, dict) else item_prop
        schema = self.inline(source, base)
        components = self._component_names(source, base)
        merged = _merged(schema)
        if components & _DATE_TIME_COMPONENTS or merged.get("format") == "date-time":
            value = "date-time"
        elif components & _DATE_COMPONENTS or merged.get("format") == "date":
            value = "date"
        else:
            value = str(merged.get("type", "any"))
        enum = tuple(merged["enum"]) if isinstance(merged.get("enum"), list) else None
        props = merged.get("properties")
        return Field(name, "plain", bool(_ON_DEMAND.search(description)), None, value,
                     _accepts_null(schema), enum,
                     frozenset(props) if isinstance(props, dict) else None), schema

    def target_type(self, f: Field) -> ResourceType | None:
        return self.resource_type(*f.target) if f.target else None

    def collection(self, path: str) -> Collection | None:
        """The documented GET list path ``path`` (e.g. ``/shifts``), or None."""
        with self._lock:
            if path not in self._collections:
                self._collections[path] = self._build_collection(path)
            return self._collections[path]

    def _build_collection(self, path: str) -> Collection | None:
        url = self.get_paths.get(path)
        if url is None:
            return None
        op = self.documents[url]["paths"][path]["get"]
        try:
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        except KeyError:
            return None
        if ok.get("type") != "array" or "$ref" not in (ok.get("items") or {}):
            return None
        ref = urljoin(url, ok["items"]["$ref"])
        name = ref.rsplit("/", 1)[-1]
        if not name.endswith("Collection"):
            return None
        named: set[str] = set()
        filters_allowed = False
        required: frozenset[str] | None = None
        scopes: frozenset[str] | None = None
        for param in op.get("parameters") or ():
            if "$ref" in param:
                param = self.lookup(urljoin(url, param["$ref"]))
            if param.get("in") != "query":
                continue
            pname = param["name"]
            if pname.startswith("[att]"):
                filters_allowed = True
            elif pname == "filters" and (param.get("schema") or {}).get("type") == "object":
                # An exploded object: its properties are the query keys (of the item).
                if param.get("required"):
                    required = frozenset(param["schema"].get("properties") or {})
            else:
                named.add(pname)
                if pname == "scope":
                    scopes = frozenset((param.get("schema") or {}).get("enum") or ()) or None
        return Collection(path, name[:-len("Collection")], urldefrag(ref).url, frozenset(named),
                          filters_allowed, required, scopes)

    # ------------------------------------------------------------------ requests

    def check_request(self, method: str, path: str, query: str) -> list[str]:
        """Violations of a request to ``/rest/v1/...`` (``query`` raw, percent-encoded)."""
        if method != "GET" or not path.startswith(DATA_PREFIX + "/"):
            return []
        rel = "/" + path[len(DATA_PREFIX):].strip("/")
        coll = self.collection(rel)
        if coll is None:
            if rel in self.get_paths or self._templated(rel):
                return []  # a documented path, but not a collection: not checked here
            return [f"GET {rel} is not a documented collection path"]
        item = self.resource_type(coll.item, coll.item_url)
        if item is None:
            return [f"{rel}: item schema {coll.item}Item not found"]
        pairs = parse_qsl(query, keep_blank_values=True)
        out: list[str] = []
        required_met = coll.required_filters is None
        for key, value in pairs:
            if key == "page":
                out.append("'page' is not a documented parameter (page with limit/offset)")
            elif key in ("limit", "offset"):
                if not _INTEGER.match(value) or not -(2 ** 31) <= int(value) < 2 ** 31:
                    out.append(f"{key}={value!r}: not an int32")
            elif key == "include":
                tokens = [t.strip() for t in value.split(",")]
                if any(not t for t in tokens):
                    out.append(f"include={value!r}: empty name")
                out += self._check_includes(item, include_tree(t for t in tokens if t), "")
            elif key == "sort":
                for token in value.split(","):
                    field_path = token.strip().lstrip("+-")
                    _, problem = self.resolve_path(item, field_path)
                    if problem:
                        out.append(f"sort={value!r}: {problem}")
            elif key == "scope" and "scope" in coll.named:
                bad = [s for s in value.split(",") if coll.scopes and s.strip() not in coll.scopes]
                if bad:
                    out.append(f"scope={value!r}: {bad} not in {sorted(coll.scopes or ())}")
                elif coll.required_filters and "scope" in coll.required_filters:
                    required_met = True
            elif key in coll.named and key not in ("id",):
                pass  # a named custom filter or option (q, fields, includeInactive, idIn...)
            else:
                problems, counts = self._check_filter(coll, item, key, value)
                out += problems
                required_met = required_met or counts
        if not required_met:
            out.append(f"{rel} requires a filter on one of {sorted(coll.required_filters or ())} "
                       f"(:gte/:lte on a date-time do not count)")
        return out

    def _templated(self, path: str) -> bool:
        parts = path.strip("/").split("/")
        for documented in self.get_paths:
            d = documented.strip("/").split("/")
            if len(d) == len(parts) and all(a == b or a.startswith("{")
                                            for a, b in zip(d, parts, strict=True)):
                return True
        return False

    def _check_includes(self, rtype: ResourceType, tree: IncludeTree, prefix: str) -> list[str]:
        out: list[str] = []
        for name, sub in tree.items():
            f = rtype.fields.get(name)
            if f is None or not f.on_demand:
                out.append(f"include={prefix}{name}: not an on-demand field or relation of "
                           f"{rtype.name}")
            elif sub:
                if f.kind == "plain":
                    out.append(f"include={prefix}{name}.*: {name} is not a relation")
                    continue
                target = self.target_type(f)
                if target is not None:
                    out += self._check_includes(target, sub, f"{prefix}{name}.")
        return out

    def resolve_path(self, rtype: ResourceType, path: str) -> tuple[Field | None, str | None]:
        """The field a property path (``region.id``) names, or a problem; (None, None) when
        the path leads into a resource whose schema is not in the files."""
        parts = path.split(".")
        current: ResourceType | None = rtype
        for i, part in enumerate(parts):
            assert current is not None
            f = current.fields.get(part)
            if f is None:
                return None, f"'{part}' is not a property of {current.name}"
            if i == len(parts) - 1:
                return f, None
            if f.kind == "plain":
                if f.properties is not None and parts[i + 1] in f.properties and i + 2 == len(parts):
                    return None, None
                return None, f"'{'.'.join(parts[:i + 2])}' is not a property path of {rtype.name}"
            current = self.target_type(f)
            if current is None:
                return None, None
        return None, None

    def _check_filter(self, coll: Collection, item: ResourceType, key: str,
                      value: str) -> tuple[list[str], bool]:
        """Problems of one ``[att][:op]=value`` filter, and whether it counts as a required
        filter of the path."""
        field_path, _, op = key.partition(":")
        op_l = op.lower()
        if not coll.filters_allowed:
            return [f"'{key}' is not a documented parameter of {coll.path}"], False
        if op and op_l not in self.operators:
            return [f"'{key}': ':{op}' is not a filter operator of the API guide "
                    f"(documented: {', '.join(sorted(self.operators))})"], False
        f, problem = self.resolve_path(item, field_path)
        if problem:
            return [f"'{key}': unknown filter: {problem}"], False
        root = field_path.split(".", 1)[0]
        counts = bool(coll.required_filters and root in coll.required_filters)
        if f is None:
            return [], counts
        kind = f.value
        if op_l in IGNORED_DATE_TIME_OPS and kind == "date-time":
            counts = False
        out: list[str] = []
        if op_l in DATE_OPS and kind not in ("date", "date-time"):
            out.append(f"'{key}': ':{op}' is a date filter, {field_path} is {kind}")
            return out, counts
        if op_l in NO_VALUE_OPS or op_l in TEXT_OPS:
            return out, counts
        if op_l == "in":
            values = value.split(",")
            if len(values) > MAX_IN_VALUES:
                out.append(f"'{key}': {len(values)} values, at most {MAX_IN_VALUES} allowed")
        elif op_l == "between":
            values = value.split("|")
            if len(values) != 2:
                return [f"'{key}={value}': :between takes two values separated by '|'"], counts
        else:
            values = [value]
        for v in values:
            problem = _value_problem(f, v)
            if problem:
                out.append(f"'{key}={value}': {problem}")
        if op_l == "between" and kind == "date-time" and not out:
            lo, hi = (parse_iso_offset(v) for v in values)
            assert lo is not None and hi is not None
            lo_utc, hi_utc = lo.astimezone(UTC), hi.astimezone(UTC)
            if hi_utc < lo_utc:
                out.append(f"'{key}={value}': the range ends before it starts")
            elif hi_utc > add_month(lo_utc):
                out.append(f"'{key}={value}': a date-time :between spans at most one month "
                           f"(this one {(hi_utc - lo_utc) / timedelta(days=1):.1f} days)")
        return out, counts

    # ------------------------------------------------------------------ responses

    def check_response(self, method: str, path: str, query: str, status: int, body: Any,
                       faults: Sequence[str] = ()) -> list[str]:
        """Violations of the answer to a request to ``/rest/v1/...``."""
        if not path.startswith(DATA_PREFIX + "/"):
            return []
        if 400 <= status < 600:
            return _check_error(status, body)
        if not 200 <= status < 300 or method != "GET":
            return []
        coll = self.collection("/" + path[len(DATA_PREFIX):].strip("/"))
        if coll is None:
            return []
        out: list[str] = []
        if not isinstance(body, dict):
            return [f"body: a list answer is {{\"meta\": ..., \"data\": [...]}}, got {_json_type(body)}"]
        meta, data = body.get("meta"), body.get("data")
        if not isinstance(meta, dict):
            out.append(f"meta: expected an object, got {_json_type(meta)}")
        elif not isinstance(meta.get("request"), list):
            out.append(f"meta.request: expected a list, got {_json_type(meta.get('request'))}")
        if not isinstance(data, list):
            out.append(f"data: expected an array, got {_json_type(data)}")
            return out
        if "malformed" in faults:
            return out  # records broken on purpose by the test
        item = self.resource_type(coll.item, coll.item_url)
        if item is None:
            return out + [f"{coll.path}: item schema {coll.item}Item not found"]
        tree = include_tree(include_names(parse_qsl(query, keep_blank_values=True)))
        found: dict[str, list[int]] = {}
        for i, record in enumerate(data):
            problems: list[str] = []
            self.check_object(record, item, tree, "", problems)
            for problem in problems:
                found.setdefault(problem, []).append(i)
        for problem, rows in found.items():
            more = f" (also in {len(rows) - 1} more items)" if len(rows) > 1 else ""
            out.append(f"data[{rows[0]}]{problem}{more}")
        return out

    def check_item(self, record: Any, resource: str, includes: Iterable[str] = ()) -> list[str]:
        """Violations of one item of resource ``resource`` (e.g. ``Shifts``)."""
        rtype = self.resource_type(resource)
        if rtype is None:
            raise KeyError(f"no {resource}Item schema in the OpenAPI files")
        out: list[str] = []
        self.check_object(record, rtype, include_tree(includes), "", out)
        return out

    def check_object(self, obj: Any, rtype: ResourceType, includes: IncludeTree, where: str,
                     out: list[str]) -> None:
        """Append the violations of one object of ``rtype`` given what was included."""
        if not isinstance(obj, dict):
            out.append(f"{where}: expected a {rtype.name} object, got {_json_type(obj)} {_short(obj)}")
            return
        nulls: list[str] = []
        for key, value in obj.items():
            at = f"{where}.{key}"
            f = rtype.fields.get(key)
            if f is None:
                out.append(f"{at}: property not in the {rtype.name} schema")
                continue
            included = key in includes
            if value is None and not f.nullable:
                out.append(f"{at}: null, but the schema does not make it nullable")
                nulls.append(key)
            if f.kind == "plain":
                if f.on_demand and not included:
                    out.append(f"{at}: 'On demand' field present although not named in include=")
                continue
            target = self.target_type(f)
            if f.kind == "list":
                if not included:
                    out.append(f"{at}: on-demand list of {f.target and f.target[0]} present "
                               f"although not named in include=")
                if value is None:
                    continue
                if not isinstance(value, list):
                    out.append(f"{at}: expected a list of objects, got {_json_type(value)}")
                    continue
                for i, element in enumerate(value):
                    if target is not None:
                        self.check_object(element, target, includes.get(key, {}), f"{at}[{i}]", out)
                    elif not isinstance(element, dict):
                        out.append(f"{at}[{i}]: expected an object, got {_json_type(element)}")
            elif value is None:
                continue
            elif included:
                if not isinstance(value, dict):
                    out.append(f"{at}: relation named in include= must be an object, got "
                               f"{_json_type(value)} {_short(value)}")
                elif target is not None:
                    self.check_object(value, target, includes[key], at, out)
            elif isinstance(value, dict):
                out.append(f"{at}: relation object although not named in include= (expected "
                           f"an integer id)")
            elif not isinstance(value, int) or isinstance(value, bool):
                out.append(f"{at}: relation id must be an integer, got {_json_type(value)} "
                           f"{_short(value)}")
        subject = {k: v for k, v in obj.items() if k not in nulls} if nulls else obj
        for error in rtype.validator.iter_errors(subject):
            at = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
            out.append(f"{at}: {message}")


def _merged(schema: Any) -> dict[str, Any]:
    """type/format/enum/properties of an inlined schema, looking through allOf."""
    out: dict[str, Any] = {}
    if not isinstance(schema, dict):
        return out
    for member in schema.get("allOf") or ():
        for k, v in _merged(member).items():
            out.setdefault(k, v)
    for k in ("type", "format", "enum", "properties"):
        if k in schema:
            out[k] = schema[k]
    return out


def _accepts_null(schema: Any) -> bool:
    return isinstance(schema, dict) and any(
        isinstance(m, dict) and m.get("type") == "null" for m in schema.get("anyOf") or ())


def _value_problem(f: Field, text: str) -> str | None:
    kind = f.value
    if kind == "date-time":
        if parse_iso_offset(text) is None:
            return (f"{text!r} is not an ISO 8601 date-time with an offset "
                    f"(YYYY-MM-DDThh:mm:ss±hh:mm; a '+' must be sent as %2B)")
    elif kind == "date":
        if parse_full_date(text) is None and parse_iso_offset(text) is None:
            return f"{text!r} is not a date (YYYY-MM-DD)"
    elif kind == "integer":
        if not _INTEGER.match(text):
            return f"{text!r} is not an integer"
    elif kind == "number":
        try:
            float(text)
        except ValueError:
            return f"{text!r} is not a number"
    elif kind == "boolean":
        if text.lower() not in ("true", "false", "1", "0"):
            return f"{text!r} is not a boolean"
    if f.enum is not None and kind == "string" and text not in f.enum:
        return f"{text!r} is not one of {list(f.enum)}"
    return None


def _check_error(status: int, body: Any) -> list[str]:
    if not isinstance(body, dict):
        return [f"error body: expected {{\"status\": {status}, \"error\": \"...\"}}, got {_short(body)}"]
    out = []
    if body.get("status") != status or isinstance(body.get("status"), bool):
        out.append(f"error body: 'status' must be the HTTP status {status}, got {_short(body.get('status'))}")
    if not isinstance(body.get("error"), str) or not body.get("error"):
        out.append(f"error body: 'error' must be a message, got {_short(body.get('error'))}")
    extra = sorted(set(body) - {"status", "error"})
    if extra:
        out.append(f"error body: unexpected properties {extra}")
    return out


def _refs(doc: Any) -> Iterable[str]:
    """Every ``$ref`` value in a document."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))


def _pointer(doc: Any, fragment: str) -> Any:
    node = doc
    for part in fragment.lstrip("/").split("/") if fragment.strip("/") else ():
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def path_uri(path: Path) -> str:
    return path.resolve().as_uri()


# --------------------------------------------------------------------------- loading

def openapi_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$TRACKTIK_OPENAPI_DIR``, else ``tests/contract/openapi/`` of the repository."""
    env = (environ if environ is not None else os.environ).get(OPENAPI_ENV, "").strip()
    return Path(env).expanduser() if env else DEFAULT_DIR


_CACHE: dict[Path, Contract] = {}
_CACHE_LOCK = threading.Lock()


def load_contract(directory: Path | None = None) -> Contract:
    """The contract of ``directory`` (default :func:`openapi_dir`), loaded once per process.

    Raises :class:`ContractUnavailable` with a message saying what to do when the folder or its
    files are missing."""
    folder = (directory or openapi_dir()).resolve()
    with _CACHE_LOCK:
        if folder not in _CACHE:
            if not folder.is_dir():
                raise ContractUnavailable(
                    f"TrackTik OpenAPI folder {folder} does not exist; the contract tests need "
                    f"it: restore tests/contract/openapi/ from the repository "
                    f"or set {OPENAPI_ENV} to its path")
            try:
                _CACHE[folder] = Contract(folder)
            except (OSError, ValueError, KeyError) as e:
                raise ContractUnavailable(f"TrackTik OpenAPI files in {folder} unusable: {e}") from e
        return _CACHE[folder]
