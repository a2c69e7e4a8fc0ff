"""Zero-shot goal reaching on the gear-30 ant: METRA's ``z = normalise(phi(g) - phi(s))`` against DADS's planner.

For each run folder of ``benchmarks/metra/train_skills.py`` on ``--env ant`` (METRA / LSD or DADS), one 200-step
episode per goal (+-10, +-10), the metric of the DADS paper: the distance to the goal averaged over the episode
divided by the initial distance (1.0 for an ant that does not move). METRA re-chooses its skill every 10 steps from
the state reached, the goal being the current observation with its x-y replaced by the goal's; DADS plans with MPPI
over its skill dynamics (H_P=1, H_Z=10, K=50, R=10, gamma=10, the paper's settings). Writes RUN/goals.json and
RUN/goals.png per run, and the table into docs/results/metra.md. A run folder without its model.zip (models are not
committed) but with a goals.json keeps the numbers measured when the model was there.

  python -m benchmarks.metra.goal_reaching_ant benchmarks/results/metra_ant/metra_full_s0 \
      benchmarks/results/metra_ant/dads_xy_s0 benchmarks/results/metra_ant/dads_full_s0
"""

from __future__ import annotations

import argparse
import json
import pathlib
from collections.abc import Sequence

import numpy as np
import torch

from agents import DADS, SkillPlanner, plot_plans, reach_goal, skill_directions
from agents.common.goal_result import PlanResult
from benchmarks.metra.train_skills import ALGORITHMS, make_env
from benchmarks.report import page_link, write_section

GOALS = [(10.0, 10.0), (-10.0, 10.0), (-10.0, -10.0), (10.0, -10.0)]
#: unit skills measured for the skill-direction chooser (``--directions``).
N_DIRECTIONS = 64


def run_goals(
    run: pathlib.Path,
    max_steps: int,
    seed: int,
    directions: bool = False,
    goals: Sequence[tuple[float, float]] = GOALS,
) -> tuple[str, list[PlanResult]]:
    """The goal-reaching episodes of one run (one per goal, reset seeds ``seed``, ``seed + 1``, ...), and how its
    skills were chosen (``directions``: METRA/LSD skills chosen by their measured directions of travel,
    :func:`~agents.skill_directions`, instead of phi)."""
    config = json.loads((run / "config.json").read_text())
    method = config["method"]
    env = make_env("ant", config["episode_steps"])
    results: list[PlanResult] = []
    if method in ("metra", "lsd"):
        model = ALGORITHMS[method].load(run / "model.zip", device="cpu")
        how = "METRA: z = normalise(phi(g) - phi(s)), re-chosen every 10 steps"
        table = None
        if directions:
            how = f"skill directions: of {N_DIRECTIONS} unit skills, the one whose 200-step walk from a reset points "
            how += "most nearly at the goal, re-chosen every 10 steps"
            table = skill_directions(model, env, [0, 1], n_skills=N_DIRECTIONS, steps=200, seed=0)
        for k, goal in enumerate(goals):
            results.append(
                reach_goal(model, env, goal, goal_indices=[0, 1], max_steps=max_steps, seed=seed + k, directions=table)
            )
    elif method == "dads":
        dads = DADS.load(run / "model.zip", device="cpu")
        features = dads.reward_model.features
        goal_features = None if features is not None else [0, 1]  # full-state dynamics: x, y are features 0 and 1
        how = "DADS: MPPI over skills with the skill dynamics (H_P=1, H_Z=10, K=50, R=10)"
        for k, goal in enumerate(goals):
            planner = SkillPlanner(dads, goal_features=goal_features, seed=seed + k)
            results.append(planner.run(env, goal=goal, max_steps=max_steps, seed=seed + k))
    else:
        raise ValueError(f"{run}: goal reaching is measured for METRA, LSD and DADS runs, not {method}")
    return how, results


def measure(
    run: pathlib.Path,
    stem: str,
    label: str,
    directions: bool,
    max_steps: int,
    seed: int,
    goals: Sequence[tuple[float, float]] = GOALS,
) -> list[float]:
    """The normalised distances of one run and chooser: measured and written to RUN/STEM.json and RUN/STEM.png, or
    read from RUN/STEM.json when the run's model.zip is not kept."""
    if not (run / "model.zip").exists() and (run / f"{stem}.json").exists():
        # the model is not kept in the repository: its episodes, measured when it was, stay in the table
        return list(json.loads((run / f"{stem}.json").read_text())["normalized_distance"])
    how, results = run_goals(run, max_steps, seed, directions, goals)
    plot_plans(results, str(run / f"{stem}.png"), title=f"{label}: zero-shot goal reaching")
    norm = [round(r.normalized_distance, 4) for r in results]  # as stored, so a table reads the same either way
    record = {
        "goals": [list(g) for g in goals],
        "reset_seeds": [seed + k for k in range(len(goals))],
        "how": how,
        "normalized_distance": norm,
        "final_distance": [round(r.final_distance, 3) for r in results],
        "final_xy": [[round(float(v), 2) for v in r.executed[-1]] for r in results],
    }
    (run / f"{stem}.json").write_text(json.dumps(record, indent=2))
    return norm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=pathlib.Path, nargs="+")
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument(
        "--directions", action="store_true", help="METRA/LSD runs: also choose skills by their measured directions"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for run in args.runs:
        config = json.loads((run / "config.json").read_text())
        label = f"{config['method'].upper()} ({config['prior']} state), {config['steps']:,} steps"
        if config.get("hide_position"):
            label += ", policy blind to x-y"
        choosers = [("goals", False)]
        kept = (run / "model.zip").exists()
        if (args.directions and kept and config["method"] in ("metra", "lsd")) or (run / "goals_directions.json").exists():
            choosers.append(("goals_directions", True))
        for stem, directions in choosers:
            name = f"{label}, skill directions" if directions else label
            norm = measure(run, stem, name, directions, args.max_steps, args.seed)
            cells = " | ".join(f"{x:.2f}" for x in norm)
            plot = page_link(run / f"{stem}.png")
            rows.append(f"| {name} | {cells} | **{np.mean(norm):.2f}** | [plot]({plot}) |")
            print(name, [round(x, 3) for x in norm], flush=True)
    header = " | ".join(f"({g[0]:+.0f}, {g[1]:+.0f})" for g in GOALS)
    body = (
        "Normalised distance to each goal (distance averaged over the 200-step episode / initial distance; 1.0 is an "
        "ant that stays still, lower is better), one episode per goal. METRA chooses its skill every 10 steps as "
        "`z = normalise(phi(g) - phi(s))` with g the current observation with the goal's x-y written in; DADS plans "
        "with MPPI over its learned skill dynamics (H_P=1, H_Z=10, K=50, R=10, gamma=10). Rows marked *skill directions* "
        f"choose, every 10 steps, the one of {N_DIRECTIONS} unit skills whose 200-step walk from a reset points most "
        "nearly at the goal (`agents.skill_directions`; no phi, no model).\n\n"
        f"| run | {header} | mean | plot |\n|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )
    write_section("metra-ant-goals", "Zero-shot goal reaching on the gear-30 ant: METRA beside DADS planning", body)


if __name__ == "__main__":
    main()
