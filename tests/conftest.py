"""Test harness: a real PostgreSQL server, a migrated template database, a clone per test.

* Server: ``$TRACKTIK_TEST_DATABASE_URL`` (a superuser DSN of an existing server) when set;
  otherwise a private cluster started for the session (as the unprivileged ``postgres`` user
  when the tests run as root, since ``pg_ctl`` refuses root).
* Template: built once per run by pytest-postgresql's janitor with the project's own
  ``migrate()``, the pgTAP extension and the SQL helpers of ``db/tests/helpers``.
* Each test that asks for ``postgresql`` (a psycopg connection) or ``db_dsn`` gets a fresh
  database cloned from that template, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pytest_postgresql import factories

from tracktik_etl.cluster import PrivateCluster
from tracktik_etl.migrate import migrate

pytest_plugins = ["contract_plugin"]

TEST_SERVER_ENV = "TRACKTIK_TEST_DATABASE_URL"
DBNAME = f"tracktik_test_{os.getpid()}"
TEST_HELPERS = Path(__file__).resolve().parents[1] / "db" / "tests" / "helpers"


@dataclass
class ServerInfo:
    """What pytest-postgresql's ``depends_on`` expects of a base fixture."""

    host: str
    port: int
    user: str
    password: str | None
    options: str = ""
    maintenance_dbname: str = "postgres"
    template_dbname: str | None = None

    def dsn(self, dbname: str) -> str:
        return make_conninfo(
            host=self.host, port=self.port, user=self.user, dbname=dbname,
            **({"password": self.password} if self.password else {}),
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[ServerInfo]:
    url = os.environ.get(TEST_SERVER_ENV)
    if url:
        params = conninfo_to_dict(url)
        yield ServerInfo(
            host=str(params.get("host", "127.0.0.1")),
            port=int(params.get("port", 5432)),
            user=str(params.get("user", "postgres")),
            password=params.get("password"),  # type: ignore[arg-type]
            maintenance_dbname=str(params.get("dbname", "postgres")),
        )
        return
    # Not under pytest's tmp dir: that is private to root, and the server may run as postgres.
    base = Path(tempfile.mkdtemp(prefix="tracktik-test-pg-"))
    os.chmod(base, 0o755)
    cluster = PrivateCluster(base / "data", durable=False)
    try:
        cluster.start()
        yield ServerInfo(host="127.0.0.1", port=int(cluster.port or 0), user="postgres", password=None)
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def load_warehouse(host: str, port: int, user: str, dbname: str, password: str | None,
                   **_: object) -> None:
    """Template loader: the project's own migrate, then pgTAP for the SQL test suites."""
    dsn = make_conninfo(host=host, port=port, user=user, dbname=dbname,
                        **({"password": password} if password else {}))
    migrate(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgtap")
        for helper in sorted(TEST_HELPERS.glob("*.sql")):
            conn.execute(helper.read_text())  # type: ignore[arg-type]  # repo file


postgresql_template = factories.postgresql_noproc(
    depends_on="pg_server", dbname=DBNAME, load=[load_warehouse]
)
postgresql = factories.postgresql("postgresql_template")


@pytest.fixture
def db_dsn(postgresql: psycopg.Connection) -> str:
    """DSN of this test's fresh database (for tests that open their own connections)."""
    info = postgresql.info
    return make_conninfo(
        host=info.host, port=info.port, user=info.user, dbname=info.dbname,
        **({"password": info.password} if info.password else {}),
    )


@pytest.fixture
def empty_db_dsn(pg_server: ServerInfo) -> Iterator[str]:
    """An empty database (no migrations), dropped afterwards."""
    name = f"{DBNAME}_empty"
    with psycopg.connect(pg_server.dsn(pg_server.maintenance_dbname), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.dsn(name)
    finally:
        with psycopg.connect(pg_server.dsn(pg_server.maintenance_dbname), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
