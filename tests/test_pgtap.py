"""Every ``db/tests/**/*.test.sql`` file is one pytest test, run on a fresh database clone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapfile import parse_tap, run_tap_file

ROOT = Path(__file__).resolve().parents[1]
TAP_FILES = sorted((ROOT / "db" / "tests").rglob("*.test.sql"))


@pytest.mark.parametrize(
    "tap_file", TAP_FILES, ids=[str(p.relative_to(ROOT / "db" / "tests")) for p in TAP_FILES]
)
def test_pgtap(tap_file: Path, db_dsn: str) -> None:
    result, errors = run_tap_file(tap_file, db_dsn)
    problems = result.problems()
    if errors:
        problems.insert(0, errors)
    if problems:
        pytest.fail("\n".join(problems) + "\n--- TAP output ---\n" + "\n".join(result.lines),
                    pytrace=False)


def test_suites_exist() -> None:
    assert TAP_FILES, "no db/tests/**/*.test.sql files were found"


def test_parse_tap_judges_plan_and_failures() -> None:
    ok = parse_tap("1..2\nok 1 - a\nok 2 - b\n")
    assert ok.problems() == []
    missing = parse_tap("1..3\nok 1 - a\nok 2 - b\n# Looks like you planned 3 tests but ran 2")
    assert missing.problems() == ["planned 3 test(s) but ran 2"]
    failed = parse_tap("1..2\nok 1 - a\nnot ok 2 - b\n# Failed test 2")
    assert failed.problems() == ["failed assertion(s): 2"]
    assert parse_tap("").problems() == ["no TAP plan (1..N) in the output"]
    todo = parse_tap("1..1\nnot ok 1 - later # TODO not yet")
    assert todo.problems() == []
