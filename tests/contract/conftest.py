"""Fixtures of the contract tests: the OpenAPI contract, loaded once per session."""

from __future__ import annotations

import pytest

from contract.openapi import Contract, ContractUnavailable, load_contract


@pytest.fixture(scope="session")
def contract() -> Contract:
    """The contract of the OpenAPI folder; a missing folder fails the test (never skips)."""
    try:
        return load_contract()
    except ContractUnavailable as e:
        pytest.fail(str(e), pytrace=False)
