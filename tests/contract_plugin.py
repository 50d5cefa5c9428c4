"""pytest plugin: every API exchange a TrackTik simulator serves during a test must keep the
contract of the OpenAPI files (``tests/contract/openapi.py``).

An observer in :data:`tracktik_sim.OBSERVERS` (registered for the session) checks each
``/rest/v1/...`` request and answer as the simulator serves it, on the server's thread, and
records the violations against the running test; the test then fails in its teardown with every
violation listed, request included. Rules:

* a request the contract refuses, answered 2xx: always a violation (the simulator accepted what
  the real API refuses, or the client sent it);
* such a request answered 400: a violation unless the test is marked
  ``@pytest.mark.invalid_requests`` (it sends bad requests on purpose to check refusals);
* the answer: a list envelope whose items are the documented item (item checks skipped when the
  ``malformed`` fault broke records on purpose), or an error body ``{"status", "error"}``.

The token endpoint is not in the files and is not checked. A missing OpenAPI folder fails every
test that talks to a simulator, with the message saying where it was looked for.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

import pytest

import tracktik_sim
from contract.openapi import DATA_PREFIX, ContractUnavailable, load_contract

logger = logging.getLogger(__name__)

MARKER = "invalid_requests"


@dataclass
class _Running:
    nodeid: str
    invalid_requests_allowed: bool
    violations: list[str] = field(default_factory=list)


def judge(exchange: tracktik_sim.Exchange, invalid_requests_allowed: bool) -> list[str]:
    """The contract violations of one exchange, under the rules of this plugin."""
    if not exchange.path.startswith(DATA_PREFIX + "/"):
        return []
    try:
        contract = load_contract()
    except ContractUnavailable as e:
        return [f"contract unavailable: {e}"]
    out: list[str] = []
    request = contract.check_request(exchange.method, exchange.path, exchange.query)
    if request and 200 <= exchange.status < 300:
        out += [f"request accepted ({exchange.status}) although the contract refuses it: {v}"
                for v in request]
    elif request and exchange.status == 400 and not invalid_requests_allowed:
        out += [f"request refused (400), test not marked {MARKER}: {v}" for v in request]
    faults = tuple(getattr(exchange, "faults", ()) or ())
    out += [f"response: {v}" for v in contract.check_response(
        exchange.method, exchange.path, exchange.query, exchange.status, exchange.body, faults)]
    return out


def describe(exchange: tracktik_sim.Exchange) -> str:
    query = f"?{unquote_plus(exchange.query)}" if exchange.query else ""
    faults = tuple(getattr(exchange, "faults", ()) or ())
    shaped = f" (faults: {', '.join(faults)})" if faults else ""
    return f"{exchange.method} {exchange.path}{query} -> {exchange.status}{shaped}"


class ContractObserver:
    """Checks exchanges and keeps their violations for the running test; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: _Running | None = None

    def start(self, item: pytest.Item) -> None:
        with self._lock:
            self._current = _Running(item.nodeid, item.get_closest_marker(MARKER) is not None)

    def take(self) -> list[str]:
        """The violations recorded so far for the running test (and forget them)."""
        with self._lock:
            if self._current is None:
                return []
            found, self._current.violations = self._current.violations, []
            return found

    def finish(self) -> list[str]:
        with self._lock:
            current, self._current = self._current, None
        return current.violations if current else []

    def __call__(self, exchange: tracktik_sim.Exchange) -> None:
        with self._lock:
            current = self._current
        if current is None:
            return
        problems = judge(exchange, current.invalid_requests_allowed)
        if not problems:
            return
        block = "\n".join([describe(exchange)] + [f"  - {p}" for p in problems])
        with self._lock:
            if problems[0].startswith("contract unavailable") and \
                    any(v.endswith(problems[0]) for v in current.violations):
                return
            current.violations.append(block)


OBSERVER = ContractObserver()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: the test sends requests the API contract refuses, on purpose "
        "(answered 400, they are not contract violations)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    OBSERVER.start(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield
    late = OBSERVER.finish()
    if late:
        logger.warning("contract violations after %s was judged:\n%s", item.nodeid, "\n".join(late))


@pytest.fixture(scope="session", autouse=True)
def contract_observer() -> Iterator[ContractObserver]:
    """Registers the contract observer with the simulator package for the session."""
    tracktik_sim.OBSERVERS.append(OBSERVER)
    try:
        yield OBSERVER
    finally:
        tracktik_sim.OBSERVERS.remove(OBSERVER)


@pytest.fixture(autouse=True)
def contract_kept(contract_observer: ContractObserver) -> Iterator[None]:
    """Fails the test (in teardown) if a simulator served an exchange that breaks the contract."""
    yield
    violations = contract_observer.take()
    if violations:
        pytest.fail(f"{len(violations)} API exchange(s) break the TrackTik OpenAPI contract "
                    f"(tests/contract/openapi.py; a test that sends refused requests on purpose is "
                    f"marked @pytest.mark.{MARKER}):\n" + "\n".join(violations), pytrace=False)
