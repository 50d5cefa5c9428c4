#!/usr/bin/env bash
# Installs whatever this machine lacks to run the project, and nothing else:
#   * a PostgreSQL server (Debian's postgresql package) and pgTAP for the same major version;
#   * Chromium (Debian's chromium package) for the browser test of the report;
#   * Python 3.11+ with venv;
#   * a virtual environment in .venv with the package and its test tools.
# Safe to run again: every step checks first. Needs root (or sudo) only when a Debian
# package is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

log() { printf 'bootstrap: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else log "need root to run: $*"; exit 1
    fi
}

apt_updated=""
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        log "missing $*, and this is not a Debian-like system: install them by hand"; exit 1
    fi
    if [ -z "$apt_updated" ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    log "installing $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

server_major() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V -r); do
        basename "$(dirname "$(dirname "$d")")"; return 0
    done
    return 1
}

# --- PostgreSQL server -------------------------------------------------------------------
if ! major="$(server_major)"; then
    # The tests and the demo run private clusters: do not let the package create and
    # start a system-wide one.
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
        as_root mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.d/tracktik.conf >/dev/null
    fi
    apt_install postgresql postgresql-contrib
    major="$(server_major)" || { log "PostgreSQL installed but no initdb found"; exit 1; }
fi
log "PostgreSQL server $major"

# --- pgTAP for that server -----------------------------------------------------------------
if [ ! -e "/usr/share/postgresql/$major/extension/pgtap.control" ]; then
    apt_install "postgresql-$major-pgtap"
fi

# --- Chromium for the report's browser test (tests/test_report.py) ------------------------
# A test tool like pgTAP: the test opens a report in headless Chromium and fails without it.
if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
fi

# --- Python ---------------------------------------------------------------------------------
python_ok() { "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
py="${PYTHON:-python3}"
if ! command -v "$py" >/dev/null 2>&1 || ! python_ok "$py"; then
    apt_install python3 python3-venv python3-pip
    py=python3
    python_ok "$py" || { log "Python 3.11+ with venv is required"; exit 1; }
fi

# --- virtual environment ------------------------------------------------------------------
stamp=".venv/.bootstrap-$(cat pyproject.toml shell/simulator/pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -x .venv/bin/python ] || [ ! -e "$stamp" ]; then
    [ -x .venv/bin/python ] || "$py" -m venv .venv
    log "installing the package and its test tools into .venv"
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -e ".[test,dev]" -e shell/simulator
    rm -f .venv/.bootstrap-*
    touch "$stamp"
fi
log "ready"
