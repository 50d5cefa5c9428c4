"""A simulated TrackTik REST API for tests, benchmarks and demos (loopback HTTP).

Typical use::

    from tracktik_sim import Simulator, SimulatorConfig

    with Simulator(SimulatorConfig(seed=7, employees=50, weeks=4)).serve() as api:
        api.url                      # "http://127.0.0.1:<port>/"
        api.faults.set("rate_limit", count=2, retry_after=1)
        api.sim.mutate()             # deterministic changes, stamped with api.sim.clock
        api.sim.delete_shifts([id])  # TrackTik deletes a shift (a REMOVED shift log)
        api.sim.truth()              # ground truth of the Kaiser scope
        api.stats.snapshot()         # requests per path/status, logins

or ``python -m tracktik_sim --port 8765 --employees 5000 --weeks 52``.

It serves ``/rest/v1/`` regions, clients, positions, employees, shifts, shift-logs,
position-bill-settings, the billing configuration (overtime-rules, overtime-rule-items,
holiday-groups, holidays, holiday-dates; each post's ``billingSetting``) and billable-items in
the shapes of the portal's OpenAPI description (:mod:`tracktik_sim.spec`), and refuses what the
portal refuses (:mod:`tracktik_sim.query`). What TrackTik bills is computed by the simulator's
own billing code (:mod:`tracktik_sim.billing`); ``api.faults.set("billing_discrepancy",
count=3, amount=10)`` makes some of it off on purpose.
"""

from tracktik_sim.core import Simulator
from tracktik_sim.data import KAISER_ROOT_NAME, OTHER_ROOT_NAME, SimulatorConfig
from tracktik_sim.query import ApiProblem
from tracktik_sim.server import (
    OBSERVERS,
    AuthState,
    Exchange,
    FaultState,
    RunningSimulator,
    Stats,
    main,
    serve,
)

__all__ = [
    "KAISER_ROOT_NAME",
    "OTHER_ROOT_NAME",
    "ApiProblem",
    "OBSERVERS",
    "AuthState",
    "Exchange",
    "FaultState",
    "RunningSimulator",
    "Simulator",
    "SimulatorConfig",
    "Stats",
    "main",
    "serve",
]
