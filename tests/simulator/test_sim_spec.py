"""tracktik_sim.spec is what the OpenAPI files say: re-derived here, compared exactly."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from tracktik_sim import spec

FOLDER = Path(os.environ.get("TRACKTIK_OPENAPI_DIR", "").strip()
              or Path(__file__).resolve().parents[1] / "contract" / "openapi")
FILES = ("core.entities_schema.json", "bos.scheduling_schema.json", "bos.billing_schema.json",
         "bos.common_schema.json")
_KIND = {"Integer": "int", "SortIndex": "int", "Boolean": "bool", "DateTime": "dt",
         "TimeStampDate": "dt", "TimeStampNumber": "dt", "Date": "date", "JSON": "obj"}
_NUM = {"Hours", "Minutes", "Decimal", "CurrencyRate", "Currency", "Percentage", "Number",
        "GeoPosition", "GeoPositionLatitude", "GeoPositionLongitude"}


def _docs() -> dict[str, Any]:
    return {f: json.loads((FOLDER / f).read_text()) for f in FILES}


def _kind(prop: dict[str, Any]) -> str:
    if prop.get("type") == "integer":
        return "int"
    for member in prop.get("allOf", []):
        ref = member.get("$ref", "").split("/")[-1]
        if ref in _KIND:
            return _KIND[ref]
        if ref in _NUM:
            return "num"
    if prop.get("type") == "number":
        return "num"
    if prop.get("type") == "object":
        return "obj"
    return "str"


def _code(prop: dict[str, Any]) -> str:
    desc = prop.get("description") or ""
    found = re.search(r"objects? of type \[?(\w+)", desc)
    target = found.group(1) if found else None
    if "ID of the resource by default" in desc:
        return f"rel:{target}"
    if "List of JSON objects" in desc:
        return f"list:{target}"
    return _kind(prop) + ("*" if re.search(r"on demand", desc, re.I) else "")


def test_properties_and_enums_match_the_item_schemas():
    schemas: dict[str, Any] = {}
    for doc in _docs().values():
        schemas.update(doc["components"]["schemas"])
    for name, table in spec.PROPERTIES.items():
        props = schemas[name + "Item"]["properties"]
        assert table == {p: _code(v) for p, v in props.items()}, name
        enums = {p: tuple(v["enum"]) for p, v in props.items() if "enum" in v}
        assert spec.ENUMS.get(name, {}) == enums, name


def test_path_parameters_scopes_and_required_filters_match_the_paths():
    paths: dict[str, Any] = {}
    for doc in _docs().values():
        paths.update(doc["paths"])
    for resource, schema in spec.RESOURCE_SCHEMA.items():
        get = paths["/" + resource]["get"]
        ref = get["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
        assert ref.endswith(f"/{schema}Collection")
        params = [p for p in get["parameters"] if "name" in p]
        named = {p["name"] for p in params if "[" not in p["name"] and p["name"] != "filters"}
        assert spec.PATH_PARAMETERS[resource] == named, resource
        scope = next((p for p in params if p["name"] == "scope"), None)
        assert spec.SCOPES.get(resource) == (tuple(scope["schema"]["enum"]) if scope else None)
        filters = next((p for p in params if p["name"] == "filters"), None)
        if resource == "shifts":
            assert filters is not None and filters["required"]
            assert spec.SHIFT_REQUIRED_FILTERS == set(filters["schema"]["properties"])
        else:
            assert filters is None


def test_every_held_property_is_documented():
    from tracktik_sim.query import HELD

    for resource, names in HELD.items():
        documented = spec.PROPERTIES[spec.RESOURCE_SCHEMA[resource]]
        assert names <= set(documented), names - set(documented)
