"""``python -m tracktik_sim`` serves until SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests


def test_module_entry_point_serves_and_stops_on_sigterm():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracktik_sim", "--port", "0", "--employees", "30",
         "--weeks", "2", "--seed", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in first
        url = first.split("listening on ", 1)[1].strip()
        banner = [proc.stdout.readline() for _ in range(4)]
        assert any("client_id=sim-client" in line for line in banner)
        token = requests.post(url + "rest/oauth2/access_token", data={
            "grant_type": "password", "client_id": "sim-client", "client_secret": "sim-secret",
            "username": "sim-user", "password": "sim-pass"}, timeout=10).json()["access_token"]
        resp = requests.get(url + "rest/v1/regions",
                            headers={"Authorization": "Bearer " + token}, timeout=10)
        assert resp.status_code == 200 and resp.json()["meta"]["count"] > 5
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()
