"""The pytest plugin's rules on hand-made exchanges (no simulator needed)."""

from __future__ import annotations

import pytest

import contract_plugin
import tracktik_sim
from contract.openapi import Contract

BAD_QUERY = "colour=blue"
GOOD_BODY = {"meta": {"request": []}, "data": [{"id": 1, "name": "East", "status": "ACTIVE"}]}


def exchange(query: str, status: int, body: object, path: str = "/rest/v1/regions",
             faults: tuple[str, ...] = ()) -> tracktik_sim.Exchange:
    return tracktik_sim.Exchange("GET", path, query, status, body, faults)


def test_an_invalid_request_answered_2xx_is_always_a_violation(contract: Contract) -> None:
    for allowed in (False, True):
        problems = contract_plugin.judge(exchange(BAD_QUERY, 200, GOOD_BODY), allowed)
        assert len(problems) == 1 and problems[0].startswith("request accepted (200)")


def test_an_invalid_request_refused_with_400_needs_the_marker(contract: Contract) -> None:
    refused = exchange(BAD_QUERY, 400, {"status": 400, "error": "Unknown filter field 'colour'"})
    problems = contract_plugin.judge(refused, False)
    assert len(problems) == 1 and "invalid_requests" in problems[0]
    assert contract_plugin.judge(refused, True) == []


def test_a_valid_exchange_and_the_token_endpoint_are_not_violations(contract: Contract) -> None:
    assert contract_plugin.judge(exchange("sort=id&limit=10", 200, GOOD_BODY), False) == []
    token = exchange("", 401, {"error": "invalid_grant"}, path="/rest/oauth2/access_token")
    assert contract_plugin.judge(token, False) == []


def test_a_response_violation_is_reported_unless_records_were_broken_on_purpose(
        contract: Contract) -> None:
    broken = {"meta": {"request": []}, "data": [{"id": "one"}]}
    problems = contract_plugin.judge(exchange("", 200, broken), False)
    assert len(problems) == 1 and problems[0].startswith("response: data[0].id")
    assert contract_plugin.judge(exchange("", 200, broken, faults=("malformed",)), False) == []


def test_the_observer_records_against_the_running_test_with_the_request(
        contract: Contract, request: pytest.FixtureRequest) -> None:
    observer = contract_plugin.ContractObserver()
    observer(exchange(BAD_QUERY, 200, GOOD_BODY))  # no test running: ignored
    observer.start(request.node)
    observer(exchange("sort=id", 200, GOOD_BODY))
    observer(exchange(BAD_QUERY, 200, GOOD_BODY))
    found = observer.take()
    assert len(found) == 1
    assert found[0].splitlines()[0] == "GET /rest/v1/regions?colour=blue -> 200"
    assert observer.take() == []
    observer(exchange(BAD_QUERY, 400, {"status": 400, "error": "Unknown filter"}))
    assert len(observer.finish()) == 1


@pytest.mark.invalid_requests
def test_the_marker_lets_refused_requests_pass(request: pytest.FixtureRequest) -> None:
    observer = contract_plugin.ContractObserver()
    observer.start(request.node)
    observer(exchange(BAD_QUERY, 400, {"status": 400, "error": "Unknown filter"}))
    assert observer.finish() == []


def test_the_observer_is_registered_with_the_simulator_for_the_session() -> None:
    assert contract_plugin.OBSERVER in tracktik_sim.OBSERVERS
