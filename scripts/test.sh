#!/usr/bin/env bash
# The whole test suite: lint, type check, then pytest (which starts its own PostgreSQL cluster
# and runs every pgTAP suite of db/tests as its own test). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/mypy    # shell/tracktik_etl, configured in pyproject.toml
exec .venv/bin/pytest "$@"
