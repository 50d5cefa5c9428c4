"""A service host gets the runtime only: no PostgreSQL server, no pgTAP, no simulator, no
test tools (scripts/install-runtime.sh, used by the README's service instructions)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-runtime.sh"
TOOLS = {"pytest", "pytest-postgresql", "hypothesis", "jsonschema", "ruff", "mypy", "tracktik-sim"}


def test_runtime_dependencies_hold_no_test_tools() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[\[<>=! ]", d)[0].lower() for d in project["dependencies"]}
    assert not names & TOOLS


def test_install_script_installs_the_runtime_only() -> None:
    text = SCRIPT.read_text()
    commands = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert re.search(r"pip install [^\n]*-e \.\s*$", commands, re.M), "installs the package without extras"
    for forbidden in ("postgresql", "pgtap", "[test", "simulator", "bootstrap.sh"):
        assert forbidden not in commands.lower(), forbidden
    assert subprocess.run(["bash", "-n", str(SCRIPT)]).returncode == 0  # noqa: S603, S607


def test_readme_service_instructions_use_the_runtime_install() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Running it as a service"):]
    section = section[:section.find("\n## ", 5)]
    assert "scripts/install-runtime.sh" in section and "bootstrap.sh" not in section


def test_the_service_needs_neither_the_simulator_nor_test_tools() -> None:
    probe = ("import sys; from tracktik_etl.cli import main; "
             "import tracktik_etl.service, tracktik_etl.pipeline; "
             "main(['serve', '--help']);"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('tracktik_sim', 'pytest', 'hypothesis', 'jsonschema', 'yoyo_test')))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)  # noqa: S603
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
