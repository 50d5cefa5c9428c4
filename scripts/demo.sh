#!/usr/bin/env bash
# The main job on the embedded default: a private PostgreSQL cluster (in .tracktik/demo, or
# under /var/tmp when the cluster's user cannot reach the checkout, e.g. a clone under /root),
# migrated, loaded from the bundled simulator and summarised. Extra arguments go to
# `tracktik-etl demo` (e.g. --stop).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
exec .venv/bin/tracktik-etl demo "$@"
