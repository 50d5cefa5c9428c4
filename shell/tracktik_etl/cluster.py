"""A private PostgreSQL cluster for tests and the demo.

``pg_ctl`` refuses to run as root, and CI runs as root: when the current user is root the
cluster is initialised and run as an unprivileged system user (``postgres`` by default,
which Debian's PostgreSQL packages create). When that user cannot reach the data directory
(a checkout under ``/root``), the cluster lives in a directory of that user's own under
``/var/tmp`` instead (:func:`reachable_dir`). The server listens on 127.0.0.1 only, on a
free port, with trust authentication for local connections; it is meant for throw-away
and demo data, never for production.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

logger = logging.getLogger(__name__)

SUPERUSER = "postgres"


class ClusterError(RuntimeError):
    """The private cluster could not be initialised, started or stopped."""


def find_bindir() -> Path:
    """Directory holding initdb/pg_ctl: ``$PG_BINDIR``, else the newest Debian install."""
    env = os.environ.get("PG_BINDIR")
    if env:
        path = Path(env)
        if not (path / "initdb").exists():
            raise ClusterError(f"PG_BINDIR={env} holds no initdb")
        return path
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (int(p.name) for p in root.glob("*") if p.name.isdigit() and (p / "bin/initdb").exists()),
        reverse=True,
    )
    if versions:
        return root / str(versions[0]) / "bin"
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise ClusterError(
        "no PostgreSQL server binaries found (initdb); run scripts/bootstrap.sh "
        "or set PG_BINDIR"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


FALLBACK_ROOT = Path("/var/tmp")


def reachable(path: Path, user: str) -> bool:
    """Whether ``user`` can enter every existing directory on the way to ``path``."""
    pw = pwd.getpwnam(user)
    groups = os.getgrouplist(user, pw.pw_gid)
    for parent in reversed((path, *path.parents)):
        if not parent.exists():
            break
        st = parent.stat()
        if st.st_uid == pw.pw_uid:
            continue
        if not (st.st_mode & 0o001 or (st.st_mode & 0o010 and st.st_gid in groups)):
            return False
    return True


def reachable_dir(data_dir: Path, user: str) -> Path:
    """``data_dir`` when ``user`` can reach it, else ``<FALLBACK_ROOT>/tracktik-<user>-<hash of
    data_dir>/<name>``: always the same place for the same ``data_dir``, in a directory owned
    by ``user`` alone."""
    if reachable(data_dir, user):
        return data_dir
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]
    home = FALLBACK_ROOT / f"tracktik-{user}-{digest}"
    pw = pwd.getpwnam(user)
    home.mkdir(mode=0o700, exist_ok=True)
    if home.is_symlink() or home.stat().st_uid not in (pw.pw_uid, os.geteuid()):
        raise ClusterError(f"{home} exists and belongs to someone else; remove it or set --demo-dir")
    os.chown(home, pw.pw_uid, pw.pw_gid)
    return home / data_dir.name


def _demote(user: str) -> Callable[[], None]:
    pw = pwd.getpwnam(user)

    def preexec() -> None:
        os.setgid(pw.pw_gid)
        os.initgroups(user, pw.pw_gid)
        os.setuid(pw.pw_uid)

    return preexec


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster in ``data_dir``, started on 127.0.0.1. ``requested_dir`` is the
    directory asked for, when ``data_dir`` had to move elsewhere (see :func:`reachable_dir`)."""

    data_dir: Path
    port: int | None = None
    run_as: str | None = None
    durable: bool = True
    bindir: Path = field(default_factory=find_bindir)
    requested_dir: Path | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()
        if self.run_as is None and os.geteuid() == 0:
            self.run_as = os.environ.get("TRACKTIK_CLUSTER_USER", "postgres")
        if self.run_as is not None:
            try:
                pwd.getpwnam(self.run_as)
            except KeyError as exc:
                raise ClusterError(
                    f"running as root, the private cluster needs the unprivileged user "
                    f"{self.run_as!r} (set TRACKTIK_CLUSTER_USER)"
                ) from exc
            usable = reachable_dir(self.data_dir, self.run_as)
            if usable != self.data_dir:
                self.requested_dir, self.data_dir = self.data_dir, usable

    # -- paths -------------------------------------------------------------------
    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / (self.data_dir.name + ".log")

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        preexec = _demote(self.run_as) if self.run_as else None
        return subprocess.run(  # noqa: S603 - fixed binaries, no shell
            args, preexec_fn=preexec, capture_output=True, text=True, cwd="/")  # noqa: PLW1509

    def _chown(self, path: Path) -> None:
        if self.run_as:
            pw = pwd.getpwnam(self.run_as)
            os.chown(path, pw.pw_uid, pw.pw_gid)

    # -- lifecycle -----------------------------------------------------------------
    def is_initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def initialize(self) -> None:
        if self.is_initialized():
            return
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        self._chown(self.data_dir)
        proc = self._run(
            [str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
             "--auth=trust", "--encoding=UTF8", "--no-locale"]
        )
        if proc.returncode != 0:
            raise ClusterError(f"initdb failed:\n{proc.stdout}\n{proc.stderr}")

    def running_port(self) -> int | None:
        """Port of the server running on this data directory, if any."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return None
        status = self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "status"])
        if status.returncode != 0:
            return None
        lines = pid_file.read_text().splitlines()
        return int(lines[3]) if len(lines) > 3 else None

    def start(self) -> str:
        """Initialise if needed, start if not running; return a libpq DSN as superuser."""
        self.initialize()
        port = self.running_port()
        if port is None:
            port = self.port or free_port()
            opts = [
                f"-p {port}",
                "-c listen_addresses=127.0.0.1",
                "-c unix_socket_directories=''",
                "-c max_connections=200",
            ]
            if not self.durable:
                opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
            if not self.log_file.exists():
                self.log_file.touch()
                self._chown(self.log_file)
            proc = self._run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                 "-o", " ".join(opts), "-w", "-t", "60", "start"]
            )
            if proc.returncode != 0:
                tail = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
                raise ClusterError(f"pg_ctl start failed:\n{proc.stdout}{proc.stderr}\n{tail}")
        self.port = port
        dsn = self.dsn()
        self._wait_ready(dsn)
        return dsn

    def dsn(self, dbname: str = "postgres") -> str:
        if self.port is None:
            raise ClusterError("cluster not started")
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname}"

    @staticmethod
    def _wait_ready(dsn: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(dsn, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        proc = self._run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
        )
        if proc.returncode != 0 and "not running" not in proc.stderr:
            raise ClusterError(f"pg_ctl stop failed:\n{proc.stdout}{proc.stderr}")
