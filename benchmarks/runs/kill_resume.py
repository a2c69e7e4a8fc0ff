"""Kill a training run with SIGKILL mid-run, resume it with ``hrl train --resume``, and show what was restored.

What ``tests/test_resume.py::test_sigkill_mid_run_then_resume_continues_from_the_last_checkpoint`` asserts, run once
with its numbers printed: a DIAYN-SAC ``hrl train`` process on the point world (16-unit networks, a checkpoint every
``--every`` steps) is killed with SIGKILL once it has passed ``--kill-after`` steps; the run is resumed through the
command line in this process, and the learner it resumed with is compared with the last checkpoint (timesteps,
discriminator weights, discriminator Adam state). Writes the table into docs/results/runs.md.

    python -m benchmarks.runs.kill_resume --every 100 --kill-after 300 --extra 200
"""

from __future__ import annotations

import argparse
import csv
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

import torch
import yaml

import hrl_wrappers.training_run as training_run_module
from agents import DIAYN
from agents.app import main as hrl_main
from benchmarks.report import ROOT, write_section
from hrl_wrappers.sb3.checkpoint import Checkpoint, latest_checkpoint


def _steps(run: pathlib.Path) -> list[int]:
    with (run / "logs" / "progress.csv").open(newline="") as handle:
        return [int(float(r["time/total_timesteps"])) for r in csv.DictReader(handle) if r["time/total_timesteps"]]


def _adam_steps(model: Any) -> list[float]:
    return sorted(float(s["step"]) for s in model.reward_model.optimizer.state_dict()["state"].values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=int, default=100, help="checkpoint interval (steps)")
    parser.add_argument("--kill-after", type=int, default=300, help="kill once a checkpoint at this many steps exists")
    parser.add_argument("--extra", type=int, default=200, help="steps to train after resuming")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    run = pathlib.Path(tempfile.mkdtemp()) / "run"
    argv = [
        "train", "diayn", "--env", "hrl_wrappers/PointWorld-v0", "--steps", "1000000", "--n-skills", "3",
        "--net", "16", "--batch-size", "16", "--learning-starts", "50", "--eval-every", "0", "--log-interval", "1",
        "--checkpoint-every", str(args.every), "--run-dir", str(run), "--no-progress",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "agents.app", *argv], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    while True:
        checkpoint = latest_checkpoint(run / "checkpoints")
        if checkpoint is not None and checkpoint.num_timesteps >= args.kill_after:
            break
        if proc.poll() is not None:
            raise SystemExit(f"training exited early with status {proc.returncode}")
        time.sleep(0.05)
    time.sleep(0.5)  # run on past the checkpoint
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_after = time.perf_counter() - started
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None
    last_logged = max(_steps(run))
    kept = [s for s in _steps(run) if s <= checkpoint.num_timesteps]
    saved = DIAYN.load(checkpoint.model_path)

    restored: dict[str, Any] = {}
    real_load = training_run_module.load_checkpoint

    def spy(ckpt: Checkpoint, model: Any, device: str | None = None) -> Any:
        loaded: Any = real_load(ckpt, model, device)
        restored["timesteps"] = loaded.num_timesteps
        restored["state"] = {k: v.clone() for k, v in loaded.reward_model.state_dict().items()}
        restored["adam"] = _adam_steps(loaded)
        restored["fresh_differs"] = any(
            not torch.equal(model.reward_model.state_dict()[k], v) for k, v in saved.reward_model.state_dict().items()
        )
        return loaded

    training_run_module.load_checkpoint = spy  # type: ignore[assignment]
    target = checkpoint.num_timesteps + args.extra
    resume_started = time.perf_counter()
    status = hrl_main(["train", "--resume", str(run), "--steps", str(target)])
    resume_wall = time.perf_counter() - resume_started
    training_run_module.load_checkpoint = real_load  # type: ignore[assignment]
    assert status == 0, status
    max_diff = max(float((restored["state"][k] - v).abs().max()) for k, v in saved.reward_model.state_dict().items())
    config = yaml.safe_load((run / "config.yaml").read_text())
    steps = _steps(run)
    rows = [
        ("process killed (SIGKILL) after", f"{killed_after:.1f} s; last step it logged: {last_logged}"),
        ("last checkpoint before the kill", f"{checkpoint.num_timesteps} steps (`{checkpoint.model_path.name}`)"),
        (
            "steps lost",
            f"< {args.every} (one interval): the process was killed before its next checkpoint at "
            f"{checkpoint.num_timesteps + args.every} steps",
        ),
        ("resumed learner's timestep count when loaded", str(restored["timesteps"])),
        ("discriminator weights: max abs difference to the checkpoint", f"{max_diff:.1e}"),
        ("discriminator Adam steps (resumed / checkpoint)", f"{restored['adam'][0]:.0f} / {_adam_steps(saved)[0]:.0f}"),
        ("a freshly built learner's discriminator differs from the checkpoint's", str(restored["fresh_differs"])),
        ("total steps after resuming", f"{config['total_timesteps']} (target {target}), status {config['status']}"),
        (
            "progress.csv: rows up to the checkpoint kept, then the resumed ones, steps non-decreasing",
            f"{steps == sorted(steps) and [s for s in steps if s <= checkpoint.num_timesteps] == kept} ({steps})",
        ),
        ("resume wall time (load, train, evaluate)", f"{resume_wall:.1f} s"),
    ]
    body = (
        "DIAYN-SAC `hrl train` on the point world (3 skills, 16-unit networks, a checkpoint every "
        f"{args.every} steps) killed with SIGKILL once a checkpoint at >= {args.kill_after} steps existed, then "
        f"`hrl train --resume RUN --steps {target}` in-process. The same flow is the test "
        "`python -m pytest tests/test_resume.py -k sigkill` (it asserts the restored timesteps, weights, Adam state "
        "and curve). 1-minute load average: "
        f"{os.getloadavg()[0]:.2f} (2 cores shared with other jobs).\n\n| | |\n|---|---|\n"
        + "\n".join(f"| {a} | {b} |" for a, b in rows)
        + "\n"
    )
    print(body)
    if not args.no_write:
        write_section("kill-resume", "SIGKILL mid-run, then `hrl train --resume`", body)


if __name__ == "__main__":
    main()
