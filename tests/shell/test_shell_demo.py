"""The README's main command from a checkout the cluster's user cannot enter (a clone under
/root): the demo moves its cluster, loads, and says what to run next as a reader login."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from tracktik_etl.cli import cli, main
from tracktik_etl.cluster import PrivateCluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="the cluster runs as another user only under root"),
]


def test_demo_runs_from_a_directory_the_cluster_user_cannot_enter(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    home = Path(tempfile.mkdtemp(prefix="tracktik-root-home-"))  # 0700, root's: like /root
    demo_dir = home / "clone" / ".tracktik" / "demo"
    moved = PrivateCluster(demo_dir / "pgdata").data_dir
    monkeypatch.delenv("DATABASE_URL", raising=False)
    try:
        assert not moved.is_relative_to(home)
        assert main(["demo", "--demo-dir", str(demo_dir), "--employees", "20", "--weeks", "3"]) == 0
        out = capsys.readouterr().out
        assert f"the cluster lives in {moved} instead" in out
        row = r"^  (\d{4}_\d{2}) +\d{4}-\d\d-\d\d \.\. \d{4}-\d\d-\d\d +[\d,]+ +[\d,.]+ +([\d,.]+)"
        periods = re.findall(row, out, re.M)  # period, days, shifts, billable hours, billed
        assert periods and any(float(total.replace(",", "")) > 0 for _, total in periods), out
        reader_dsn = re.search(r"^  export DATABASE_URL='(postgresql://demo_reader@[^']+)'$", out, re.M)
        assert reader_dsn, out
        commands = re.findall(r"^  \S*tracktik-etl (status|report --period \S+ --out \S+)$", out, re.M)
        assert [c.split()[0] for c in commands] == ["status", "report"], out
        for command in commands:  # each printed command is one the CLI accepts
            name, *args = command.split()
            cli.commands[name].make_context(name, args)
        assert f"--stop --demo-dir {demo_dir}" in out
        with psycopg.connect(reader_dsn.group(1)) as conn:  # the login reads, and only reads
            assert conn.execute("SELECT count(*) FROM tracktik.mv_billing_period_totals").fetchone()[0] \
                == len(periods)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("DELETE FROM tracktik.fact_shifts")
        monkeypatch.setenv("DATABASE_URL", reader_dsn.group(1))
        assert main(["status"]) in (0, 1)
    finally:
        main(["demo", "--demo-dir", str(demo_dir), "--stop"])
        shutil.rmtree(moved.parent, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
