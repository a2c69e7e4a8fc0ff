"""A sweep of DIAYN on the point world through Ray Tune on this machine: 2 seeds x 2 settings, its results table.

Runs ``examples/sweeps/diayn_point.yaml`` with :func:`agents.app.run_sweep` (Ray started here, 1 CPU per
trial, 2 trials at a time), then writes the results table, Ray's startup time and the sweep's wall time into
``docs/results/runs.md``. The trials' run folders go to ``--output`` (by default ``runs/sweep_diayn_point`` under the
current directory; not committed: they hold checkpoints and TensorBoard logs).

    python -m benchmarks.runs.sweep_diayn_point --output runs/sweep_diayn_point
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil

from agents.app import run_sweep
from benchmarks.report import ROOT, page_link, write_section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=pathlib.Path, default=ROOT / "examples" / "sweeps" / "diayn_point.yaml")
    parser.add_argument("--output", type=pathlib.Path, default=pathlib.Path("runs") / "sweep_diayn_point")
    parser.add_argument("--num-cpus", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.output.exists():
        shutil.rmtree(args.output)
    load_before = os.getloadavg()
    result = run_sweep(args.config, output=args.output, num_cpus=args.num_cpus)
    load_after = os.getloadavg()
    results_dir = ROOT / "benchmarks" / "results" / "sweep_diayn_point"
    results_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(args.output / "results.csv", results_dir / "results.csv")
    config = args.config.relative_to(ROOT) if args.config.is_relative_to(ROOT) else args.config
    output = args.output.resolve()  # the trials' run folders are named by absolute paths: shown as OUTPUT
    body = (
        f"`hrl sweep {config}` run as `run_sweep` with Ray started on this machine (`ray.init(num_cpus="
        f"{args.num_cpus})`), 1 CPU per trial, at most 2 trials at a time; each trial is one plain `hrl train diayn` "
        f"(4 skills, 4000 steps of SAC 32x32) whose run folder sits under the sweep's output. The metric is the "
        "discriminator accuracy of the final evaluation (`evaluation.json`, one deterministic rollout per skill).\n\n"
        f"Ray startup (`ray.init`): {result.startup_s:.1f} s; whole sweep (startup, 4 trials, shutdown): "
        f"{result.wall_s:.1f} s. 1-minute load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} "
        "(2 cores shared with other jobs).\n\n"
        + result.markdown().replace(str(output), "OUTPUT")
        + f"\nPer-trial rows: `{page_link(results_dir / 'results.csv')}`.\n"
    )
    print(body)
    if not args.no_write:
        write_section("sweep-diayn-point", "Ray Tune sweep: DIAYN on the point world, 2 seeds x 2 settings", body)


if __name__ == "__main__":
    main()
