"""Which run of the ant recipe becomes the shipped ``ant-metra-xy``: chosen on goals held out from the test goals.

The test of the ant set is zero-shot goal reaching at the four goals (+-10, +-10) (``goal_reaching_ant``). To choose
among runs of the same recipe (seeds) without choosing on the test, each run is first scored on four other goals,
(+10, 0), (0, +10), (-10, 0), (0, -10) (reset seeds 200-203; METRA's phi chooser, skill re-chosen every 10 steps,
one 200-step episode each). The run with the lowest mean normalised distance there is the choice; every run's test
goals (reset seeds 100-103, as ``goal_reaching_ant``) are then shown beside it. Writes RUN/goals_held_out.json and
RUN/goals.json (with their plots) per run, and the table into docs/results/metra.md. A run without its model.zip
(models are not committed) keeps the numbers of its JSON files.

  python -m benchmarks.metra.choose_ant_skills benchmarks/results/zoo_ant_metra_xy_800k \\
      benchmarks/results/zoo_ant_metra_xy_seed1_800k benchmarks/results/zoo_ant_metra_xy_seed2_800k
"""

from __future__ import annotations

import argparse
import json
import pathlib

import numpy as np
import torch

from benchmarks.metra.goal_reaching_ant import GOALS, measure
from benchmarks.report import page_link, write_section

HELD_OUT = [(10.0, 0.0), (0.0, 10.0), (-10.0, 0.0), (0.0, -10.0)]
HELD_OUT_SEED = 200
TEST_SEED = 100


def _label(run: pathlib.Path) -> str:
    config = json.loads((run / "config.json").read_text())
    label = f"METRA (xy state), {config['steps']:,} steps, seed {config['seed']}"
    if config.get("resample_every"):
        label += f", skill redrawn every {config['resample_every']} steps"
    return label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=pathlib.Path, nargs="+", help="run folders of train_skills --env ant (METRA)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    held, test = {}, {}
    for run in args.runs:
        label = _label(run)
        held[run] = measure(run, "goals_held_out", f"{label}, held-out goals", False, 200, HELD_OUT_SEED, HELD_OUT)
        print(run, "held-out", [round(x, 3) for x in held[run]], flush=True)
    chosen = min(args.runs, key=lambda r: float(np.mean(held[r])))
    for run in args.runs:
        test[run] = measure(run, "goals", _label(run), False, 200, TEST_SEED, GOALS)
        print(run, "test", [round(x, 3) for x in test[run]], flush=True)

    def cells(values: list[float]) -> str:
        return " | ".join(f"{x:.2f}" for x in values)

    head_h = " | ".join(f"({g[0]:+.0f}, {g[1]:+.0f})" for g in HELD_OUT)
    head_t = " | ".join(f"({g[0]:+.0f}, {g[1]:+.0f})" for g in GOALS)
    rows = []
    for run in args.runs:
        name = f"`{run.name}`" + (" **(lowest held-out mean)**" if run == chosen else "")
        rows.append(
            f"| {name} | {cells(held[run])} | {np.mean(held[run]):.2f} | {cells(test[run])} | "
            f"{max(test[run]):.2f} | [held-out]({page_link(run / 'goals_held_out.png')}), "
            f"[test]({page_link(run / 'goals.png')}) |"
        )
    body = (
        "Normalised distance (distance averaged over the 200-step episode / initial distance), one episode per goal, "
        "METRA's phi chooser re-choosing the skill every 10 steps. The choice is the run with the lowest mean on the "
        f"held-out goals (reset seeds {HELD_OUT_SEED}-{HELD_OUT_SEED + 3}); the test goals (reset seeds "
        f"{TEST_SEED}-{TEST_SEED + 3}) are shown for every run, not used to choose.\n\n"
        f"| run | held out: {head_h} | mean | test: {head_t} | worst test goal | plots |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )
    write_section("metra-ant-choice", "Choosing the shipped ant run on held-out goals", body)
    print("lowest held-out mean:", chosen)


if __name__ == "__main__":
    main()
