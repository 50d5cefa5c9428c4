#!/usr/bin/env bash
# Runtime-only install for a service host (what `tracktik-etl serve`, `run`, `doctor`, `status`,
# `report` and `migrate` need): Python 3.11+ with venv, and a virtual environment .venv holding
# the package with its runtime dependencies. No PostgreSQL server, no pgTAP, no simulator, no
# test tools: those are scripts/bootstrap.sh's, for development and CI.
# Safe to run again. Needs root (or sudo) only when Debian's Python packages are missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'install-runtime: %s\n' "$*" >&2; }
python_ok() { "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

py="${PYTHON:-python3}"
if ! command -v "$py" >/dev/null 2>&1 || ! python_ok "$py"; then
    command -v apt-get >/dev/null 2>&1 || { log "install Python 3.11+ with venv by hand"; exit 1; }
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3 python3-venv python3-pip >/dev/null
    py=python3
    python_ok "$py" || { log "Python 3.11+ with venv is required"; exit 1; }
fi
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
log "installing the package and its runtime dependencies into .venv"
.venv/bin/python -m pip install -q -e .
log "ready: $(pwd)/.venv/bin/tracktik-etl"
