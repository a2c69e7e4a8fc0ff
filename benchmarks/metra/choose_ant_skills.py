"""Which trained ant model becomes the shipped ``ant-metra-xy``: chosen on goals held out from the test goals.

The test of the ant set is zero-shot goal reaching at the four goals (+-10, +-10). To choose among candidates (runs of
the recipe with other seeds, checkpoints of one run) without choosing on the test, each candidate is first scored on
four other goals, (+10, 0), (0, +10), (-10, 0), (0, -10). The candidate with the lowest mean normalised distance there
is the choice; every candidate's test goals are then shown beside it. METRA's phi chooser re-chooses the skill every 10
steps; each goal is reached ``--episodes`` times (200 steps each, DADS's metric: the distance averaged over the
episode divided by the initial distance), from reset seeds ``base + 10 * episode + goal`` with base 200 for the held-out
goals and 100 for the test goals (episode 0 is ``goal_reaching_ant``'s episode).

A candidate is a run folder of ``train_skills --env ant`` (its model.zip) or one of its checkpoints
(RUN/checkpoints/model_<steps>_steps.zip). Every candidate's episodes are written to RUN/choice.json, its test
episodes (the first of each goal) are plotted to RUN/choice_<steps>.png, and the table goes into
docs/results/metra.md (``--check``: other seeds of the shipped recipe, shown in a section of their own, nothing
chosen). A candidate whose model is not kept (models are not committed) but whose episodes are in its
run's choice.json keeps them.

  python -m benchmarks.metra.choose_ant_skills benchmarks/results/zoo_ant_metra_xy_800k \\
      benchmarks/results/zoo_ant_metra_xy_seed1_800k benchmarks/results/zoo_ant_metra_xy_seed2_800k \\
      benchmarks/results/zoo_ant_metra_xy_1400k/checkpoints/model_1150000_steps.zip
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from agents import METRA, plot_plans, reach_goal
from agents.common.goal_result import PlanResult
from benchmarks.metra.goal_reaching_ant import GOALS
from benchmarks.metra.train_skills import make_env
from benchmarks.report import page_link, write_section

HELD_OUT = [(10.0, 0.0), (0.0, 10.0), (-10.0, 0.0), (0.0, -10.0)]
HELD_OUT_SEED = 200
TEST_SEED = 100
_CHECKPOINT = re.compile(r"model_(\d+)_steps\.zip")


@dataclass(frozen=True)
class Candidate:
    """One model to choose from: its run folder, its file inside that folder and its training steps."""

    run: pathlib.Path
    key: str
    steps: int

    @classmethod
    def of(cls, path: pathlib.Path) -> Candidate:
        """The candidate at ``path``: a run folder (its model.zip) or a checkpoint file of one."""
        if path.is_dir() or path.suffix != ".zip":
            config = json.loads((path / "config.json").read_text())
            return cls(path, "model.zip", int(config["steps"]))
        match = _CHECKPOINT.fullmatch(path.name)
        if match is None or path.parent.name != "checkpoints":
            raise ValueError(f"{path}: a candidate is a run folder or RUN/checkpoints/model_<steps>_steps.zip")
        return cls(path.parent.parent, f"checkpoints/{path.name}", int(match.group(1)))

    @property
    def label(self) -> str:
        return f"`{self.run.name}` at {self.steps:,} steps"


def episodes(
    model: METRA, goals: Sequence[tuple[float, float]], base_seed: int, n: int
) -> tuple[list[list[float]], list[PlanResult]]:
    """Normalised distances ``[episode][goal]`` of ``n`` episodes per goal, and the first episode of each goal."""
    env = make_env("ant", 200)
    table: list[list[float]] = []
    first: list[PlanResult] = []
    for j in range(n):
        results = [
            reach_goal(model, env, goal, goal_indices=[0, 1], max_steps=200, seed=base_seed + 10 * j + k)
            for k, goal in enumerate(goals)
        ]
        table.append([round(r.normalized_distance, 4) for r in results])
        first = first or results
    return table, first


def measure(candidate: Candidate, n: int) -> dict[str, list[list[float]]]:
    """The candidate's held-out and test episodes: measured and stored in RUN/choice.json, or read from there when
    its model is not kept."""
    store = candidate.run / "choice.json"
    record = json.loads(store.read_text()) if store.exists() else {"candidates": {}}
    kept = record["candidates"].get(candidate.key)
    model_path = candidate.run / candidate.key
    if not model_path.exists():
        if kept is None or len(kept["test"]) != n:
            raise FileNotFoundError(f"{model_path}: no model, and {store} has no {n} episodes of it")
        return kept
    model = METRA.load(model_path, device="cpu")
    held, _ = episodes(model, HELD_OUT, HELD_OUT_SEED, n)
    test, first = episodes(model, GOALS, TEST_SEED, n)
    record.update(
        held_out_goals=[list(g) for g in HELD_OUT],
        test_goals=[list(g) for g in GOALS],
        reset_seeds="base + 10 * episode + goal index; base 200 (held out), 100 (test)",
        how="METRA: z = normalise(phi(g) - phi(s)), re-chosen every 10 steps; 200-step episodes",
    )
    record["candidates"][candidate.key] = {"steps": candidate.steps, "held_out": held, "test": test}
    store.write_text(json.dumps(record, indent=1))
    plot_plans(first, str(candidate.run / f"choice_{candidate.steps}.png"), title=f"{candidate.label}: test goals")
    return record["candidates"][candidate.key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("candidates", type=pathlib.Path, nargs="+", help="run folders or RUN/checkpoints/*.zip")
    parser.add_argument("--episodes", type=int, default=5, help="episodes per goal")
    parser.add_argument(
        "--check",
        action="store_true",
        help="the candidates are other seeds of the shipped recipe: show them in their own section, choose nothing",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    candidates = [Candidate.of(path) for path in args.candidates]
    scores = {}
    for c in candidates:
        scores[c] = measure(c, args.episodes)
        test = np.mean(scores[c]["test"], axis=0)
        print(c.label, f"held-out mean {np.mean(scores[c]['held_out']):.3f}, test", test.round(3).tolist(), flush=True)
    chosen = min(candidates, key=lambda c: float(np.mean(scores[c]["held_out"])))

    head = " | ".join(f"({g[0]:+.0f}, {g[1]:+.0f})" for g in GOALS)
    rows = []
    for c in candidates:
        held, test = np.asarray(scores[c]["held_out"]), np.asarray(scores[c]["test"])
        name = c.label + (" **(chosen: lowest held-out mean)**" if c == chosen and not args.check else "")
        plot = c.run / f"choice_{c.steps}.png"
        link = f"[plot]({page_link(plot)})" if plot.exists() else ""
        cells = " | ".join(f"{x:.2f}" for x in test.mean(axis=0))
        rows.append(f"| {name} | {held.mean():.3f} | {cells} | {test.mean(axis=0).max():.2f} | {test.max():.2f} | {link} |")
    how = (
        "A check of the shipped recipe on other seeds, after the choice (nothing is chosen here): "
        if args.check
        else "The choice is the candidate with the lowest mean on the held-out goals (+10, 0), (0, +10), (-10, 0), "
        "(0, -10); the test goals are shown for every candidate, not used to choose. "
    )
    body = (
        f"Normalised distance (distance averaged over the 200-step episode / initial distance), {args.episodes} "
        "episodes per goal from different resets, METRA's phi chooser re-choosing the skill every 10 steps. "
        f"{how}Held-out mean: over the goals (+10, 0), (0, +10), (-10, 0), (0, -10) and their episodes. Test columns: "
        "each goal's mean over its episodes; *worst goal* is the largest of those, *worst episode* the largest single "
        "episode.\n\n"
        f"| candidate | held-out mean | test: {head} | worst goal | worst episode | plot |\n"
        "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )
    if args.check:
        write_section("metra-ant-recipe-seeds", "The shipped ant recipe on other seeds", body)
    else:
        write_section("metra-ant-choice", "Choosing the shipped ant model on held-out goals", body)
        print("chosen (lowest held-out mean):", chosen.run / chosen.key)


if __name__ == "__main__":
    main()
