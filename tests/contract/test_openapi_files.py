"""Loading the OpenAPI folder: where it is found, how its cross-file ``$ref``\\ s resolve, and a
missing folder failing loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.openapi import (
    DEFAULT_DIR,
    OPENAPI_ENV,
    REPO_ROOT,
    Contract,
    ContractUnavailable,
    load_contract,
    openapi_dir,
)

BASE = "https://blackstoneconsulting.staffr.us/rest/schema/v1/2020-01-01/"
QUERY = "/schema.json?referenceRelations=0"


def test_the_folder_is_the_repositorys_copy_unless_the_environment_says_otherwise(
        tmp_path: Path) -> None:
    assert DEFAULT_DIR == REPO_ROOT / "tests" / "contract" / "openapi"
    assert sorted(p.name for p in DEFAULT_DIR.glob("*.json")) == [
        "bos.back_office_schema.json", "bos.billing_schema.json", "bos.common_schema.json",
        "bos.payroll_schema.json", "bos.scheduling_schema.json", "core.entities_schema.json",
        "system.config_schema.json", "tracktik_api_schema.json"]
    assert openapi_dir({}) == DEFAULT_DIR
    assert openapi_dir({OPENAPI_ENV: str(tmp_path)}) == tmp_path
    assert openapi_dir({OPENAPI_ENV: " "}) == DEFAULT_DIR


def test_a_missing_folder_fails_with_a_message_saying_where_and_how(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ContractUnavailable) as e:
        load_contract(missing)
    assert str(missing) in str(e.value) and OPENAPI_ENV in str(e.value)


def test_a_folder_without_the_files_fails_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(ContractUnavailable) as e:
        load_contract(tmp_path)
    assert "tracktik_api_schema.json" in str(e.value) and OPENAPI_ENV in str(e.value)


def test_the_contract_is_loaded_once(contract: Contract) -> None:
    assert load_contract(contract.directory) is contract


@pytest.mark.parametrize(("file", "module"), [
    ("core.entities_schema.json", "core/entities"),
    ("bos.scheduling_schema.json", "back-office-suite/scheduling"),
    ("bos.billing_schema.json", "back-office-suite/billing"),
    ("bos.common_schema.json", "back-office-suite/common"),
    ("bos.payroll_schema.json", "back-office-suite/payroll"),
    ("bos.back_office_schema.json", "back-office-suite/backoffice"),
    ("system.config_schema.json", "system/config"),
])
def test_each_file_is_registered_under_the_document_url_its_refs_use(contract: Contract, file: str,
                                                                    module: str) -> None:
    assert contract.files[file] == BASE + module + QUERY


def test_an_absolute_ref_resolves_to_the_local_file(contract: Contract) -> None:
    uri = BASE + "back-office-suite/scheduling" + QUERY + "#/components/schemas/ShiftsCollection"
    schema = contract.lookup(uri)
    assert "startDateTime" in schema["properties"]


def test_cross_file_relations_reach_the_related_item(contract: Contract) -> None:
    positions = contract.resource_type("Positions")
    assert positions is not None
    billing = contract.target_type(positions.fields["billingSetting"])
    assert billing is not None and billing.url == contract.files["bos.billing_schema.json"]
    bill_settings = contract.target_type(billing.fields["billSettings"])
    assert bill_settings is not None and bill_settings.url == contract.files["bos.common_schema.json"]
    shifts = contract.resource_type("Shifts")
    assert shifts is not None
    employees = contract.target_type(shifts.fields["employee"])
    assert employees is not None and employees.url == contract.files["core.entities_schema.json"]


def test_the_filter_operators_come_from_the_api_guide(contract: Contract) -> None:
    assert {"in", "contains", "gt", "gte", "lt", "lte", "after", "before", "between"} <= contract.operators
    assert "like" not in contract.operators


def test_on_demand_and_relations_are_read_from_the_item_descriptions(contract: Contract) -> None:
    shifts = contract.resource_type("Shifts")
    assert shifts is not None
    on_demand = {n for n, f in shifts.fields.items() if f.kind == "plain" and f.on_demand}
    assert {"customId", "modifiedOn", "clockedHours", "createdOn", "updatedOn"} <= on_demand
    assert not {"startDateTime", "status", "timeZone", "breakInMinutes"} & on_demand
    assert shifts.fields["position"].kind == "relation"
    assert shifts.fields["startDateTime"].value == "date-time"


def test_the_shifts_collection_requires_one_of_the_documented_filters(contract: Contract) -> None:
    shifts = contract.collection("/shifts")
    assert shifts is not None and shifts.required_filters is not None
    assert {"startDateTime", "modifiedOn", "id", "scope"} <= shifts.required_filters
    assert "position" not in shifts.required_filters
    logs = contract.collection("/shift-logs")
    assert logs is not None and logs.required_filters is None
