"""errors.redact and errors.redact_dsn: secrets never reach a message, ordinary text stays."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from tracktik_etl.errors import redact, redact_dsn


def test_short_secrets_are_never_masked_and_long_ones_only_whole():
    assert redact("a cat and a dog", ["a", "cat"]) == "a cat and a dog"
    assert redact("a cat and a dog", ["a", "and a"]) == "a cat *** dog"
    assert redact("token abcd1234 and abcd12345", ["abcd1234"]) == "token *** and abcd12345"


@pytest.mark.parametrize("dsn", [
    "host=127.0.0.1 port=1 password=pa ss word dbname=x",
    "postgresql://etl:pa ss word@127.0.0.1:1/x",
    "host=127.0.0.1 port=1 password='pa ss word' dbname=x",
    "postgresql://etl@127.0.0.1:1/x?password=pa%20ss%20word",
])
def test_a_dsn_password_with_spaces_is_never_printed(dsn: str):
    """Issue 11: libpq quotes pieces of such a password in its parse error."""
    try:
        psycopg.connect(dsn, connect_timeout=1).close()
    except psycopg.Error as exc:
        message = redact_dsn(str(exc), dsn)
    else:  # pragma: no cover - nothing listens on port 1
        pytest.fail("connected")
    for piece in ("pa ss", '"ss"', "ss word", '"word"', "pa%20ss"):
        assert piece not in message, message


@pytest.mark.parametrize("how", ["--dsn", "DATABASE_URL"])
def test_the_cli_prints_no_dsn_password_in_its_error_line(how: str):
    dsn = "host=127.0.0.1 port=1 password=hunter 2 secret dbname=x connect_timeout=1"
    argv = [sys.executable, "-m", "tracktik_etl.cli", "migrate", *(["--dsn", dsn] if how == "--dsn" else [])]
    env = {"PATH": "/usr/bin:/bin", **({"DATABASE_URL": dsn} if how == "DATABASE_URL" else {})}
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)  # noqa: S603
    assert proc.returncode == 2
    assert proc.stderr.startswith("tracktik-etl: error: cannot connect to the database")
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "hunter" not in proc.stderr and '"2"' not in proc.stderr and "secret" not in proc.stderr
