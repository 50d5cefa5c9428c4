#!/usr/bin/env bash
# The main job on the embedded default: a private PostgreSQL cluster (in .tracktik/demo),
# migrated and summarised. Extra arguments go to `tracktik-etl demo`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
exec .venv/bin/tracktik-etl demo "$@"
