"""``hrl sweep --address``: a real Ray cluster on loopback, joined by a two-trial sweep, stopped by its own process id.

The cluster is one ``ray start --head --block`` process with its own ports, its own temporary folder and its own
token (``RAY_AUTH_MODE=token``, ``RAY_AUTH_TOKEN``), so it clashes with no other Ray on the machine; it is stopped by
terminating that process (never ``ray stop``), and the test checks that none of the processes it started survive.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

pytest.importorskip("ray", reason="the [ray] extra is not installed")

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG: dict[str, Any] = {
    "algorithm": "diayn",
    "seeds": [0, 1],
    "base": {
        "env": "hrl_wrappers/PointWorld-v0", "steps": 200, "n-skills": 3, "net": [16], "batch-size": 16,
        "learning-starts": 50, "eval-every": 0, "checkpoint-every": 100,
    },
    "settings": [{"name": "lr", "learning-rate": 0.001}],
    "resources": {"cpu": 1},
}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _group_pids(pgid: int, known: set[int]) -> list[int]:
    """The live processes of process group ``pgid`` (everything the cluster started) or among ``known`` pids."""
    import psutil  # a dependency of Ray

    pids = []
    for process in psutil.process_iter(["pid", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if process.pid in known or os.getpgid(process.pid) == pgid:
                pids.append(process.pid)
        except (psutil.Error, ProcessLookupError, OSError):
            pass
    return pids


def _env(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "RAY_AUTH_TOKEN_PATH")}
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=token, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    return env


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict[str, Any]]:
    """A one-node Ray cluster on loopback: ``{"address", "token", "pid"}``; stopped by its pid afterwards."""
    token = uuid.uuid4().hex
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="hrl-raytest-")
    command = [
        sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", "--node-ip-address=127.0.0.1",
        f"--port={port}", "--num-cpus=2", f"--temp-dir={temp}", "--include-dashboard=false",
        f"--dashboard-port={_free_port()}", f"--ray-client-server-port={_free_port()}",
        f"--dashboard-agent-listen-port={_free_port()}", "--disable-usage-stats",
    ]  # fmt: skip
    log = open(pathlib.Path(temp) / "head.log", "w")
    head = subprocess.Popen(command, env=_env(token), stdout=log, stderr=subprocess.STDOUT, cwd=temp, start_new_session=True)
    started: set[int] = {head.pid}
    try:
        deadline = time.monotonic() + 60
        text = ""
        while time.monotonic() < deadline:
            text = (pathlib.Path(temp) / "head.log").read_text()
            if "Ray runtime started" in text:
                break
            if head.poll() is not None:
                pytest.fail(f"ray start exited with {head.returncode}:\n{text[-2000:]}")
            time.sleep(0.5)
        else:
            pytest.fail(f"ray start did not come up in 60 s:\n{text[-2000:]}")
        import psutil

        started = {p.pid for p in psutil.Process(head.pid).children(recursive=True)} | {head.pid}
        yield {"address": f"127.0.0.1:{port}", "token": token, "pid": head.pid, "port": port}
    finally:
        pgid = head.pid  # start_new_session: the group of everything the cluster started
        if head.poll() is None:
            head.send_signal(signal.SIGTERM)
            try:
                head.wait(timeout=30)
            except subprocess.TimeoutExpired:
                head.kill()
                head.wait(timeout=10)
        deadline = time.monotonic() + 20
        while _group_pids(pgid, started) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = _group_pids(pgid, started)
        for pid in left:  # only processes of the cluster's own group, by id
            os.kill(pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(temp, ignore_errors=True)
        assert not left, f"Ray processes of the test cluster outlived it: {left}"


def _sweep(tmp_path: pathlib.Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    return subprocess.run(
        [sys.executable, "-m", "agents.app", "sweep", str(path), "--output", str(tmp_path / "out"), *extra],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip


def test_a_two_trial_sweep_joins_the_cluster(cluster: dict[str, Any], tmp_path: pathlib.Path) -> None:
    done = _sweep(tmp_path, _env(cluster["token"]), "--address", cluster["address"], "--num-cpus", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Ray joined at" in done.stdout and f":{cluster['port']}" in done.stdout.split("Ray joined at")[1][:40]
    table = (tmp_path / "out" / "results.md").read_text()
    assert "| lr-seed0 | lr | 0 | done |" in table and "| lr-seed1 | lr | 1 | done |" in table
    for seed in (0, 1):
        assert (tmp_path / "out" / f"lr-seed{seed}" / "model.zip").is_file()


def test_without_the_auth_mode_the_sweep_says_what_to_set(cluster: dict[str, Any], tmp_path: pathlib.Path) -> None:
    env = _env(cluster["token"])
    del env["RAY_AUTH_MODE"]
    done = _sweep(tmp_path, env, "--address", cluster["address"])
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "set RAY_AUTH_MODE as the cluster has it" in done.stderr and "export RAY_AUTH_MODE=token" in done.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("lr-seed*"))


def test_a_wrong_token_is_a_clear_error(cluster: dict[str, Any], tmp_path: pathlib.Path) -> None:
    done = _sweep(tmp_path, _env("not-the-token"), "--address", cluster["address"])
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"hrl: error: could not join the Ray cluster at {cluster['address']}"), last
    assert "it refused this machine's token: use the head node's token (`ray get-auth-token` there)" in last


def test_the_auth_check_names_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    """Before connecting: RAY_AUTH_MODE unset, or token mode without a token, is an error saying what to set."""
    from agents.app.sweep import SweepError, check_cluster_auth

    for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.ray/auth_token
    with pytest.raises(SweepError, match="set RAY_AUTH_MODE as the cluster has it before joining: `export RAY_AUTH"):
        check_cluster_auth("10.0.0.1:6379")
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    with pytest.raises(SweepError, match="RAY_AUTH_MODE=token but no Ray token here: put the head node's token"):
        check_cluster_auth("10.0.0.1:6379")
    (tmp_path / ".ray").mkdir()
    (tmp_path / ".ray" / "auth_token").write_text("abc\n")
    check_cluster_auth("10.0.0.1:6379")
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    (tmp_path / ".ray" / "auth_token").unlink()
    check_cluster_auth("10.0.0.1:6379")


def test_the_default_run_starts_its_own_ray(cluster: dict[str, Any], tmp_path: pathlib.Path) -> None:
    """With the cluster up (and even named by RAY_ADDRESS), a sweep without --address does not join it."""
    env = _env(cluster["token"])
    env["RAY_ADDRESS"] = cluster["address"]
    done = _sweep(tmp_path, env, "--num-cpus", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    where = done.stdout.split("Ray started on this machine at")[1].split(":")[1]
    assert int(where) != cluster["port"]
