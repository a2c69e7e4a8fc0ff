"""Tables of the METRA comparisons run with ``benchmarks/metra/train_skills.py``: state coverage and distance travelled
per method and seed, read from each run's ``eval.json``, written into docs/results/metra.md.

  python -m benchmarks.metra.report_metra benchmarks/results/metra_point benchmarks/results/metra_halfcheetah ...

One section per folder (its name is the section's). Coverage is METRA's metric: distinct 1 m cells (x-y; x for
HalfCheetah) visited by 48 deterministic rollouts of skills from the prior (discrete skills: every skill equally
often); distance is the mean over those rollouts of the straight-line distance from start to end.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
from collections import defaultdict
from typing import Any

from benchmarks.report import page_link, write_section

TITLES = {
    "metra_point": "Point world, 8 discrete skills: METRA, LSD and DIAYN from the full state",
    "metra_point_continuous": "Point world, 2-D continuous skills: METRA and DIAYN from the full state",
    "metra_halfcheetah": "HalfCheetah, 16 discrete skills, from the full state: METRA against DIAYN",
    "metra_ant": "Gear-30 ant, 2-D continuous skills: METRA from the full state beside DIAYN and DADS",
}
ENV_TEXT = {
    "point": "the point world (the state is the x-y position; 100-step episodes)",
    "halfcheetah": "HalfCheetah-v5 with x in the observation (18 values), 200-step episodes",
    "ant": "Ant-v5 with x-y in the observation (29 values, no contact forces), no termination, actions x 0.2 "
    "(gear 30), 200-step episodes",
}


def _fmt(values: list[float], digits: int) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


def folder_section(folder: pathlib.Path) -> None:
    runs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    configs: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(folder.glob("*/eval.json")):
        result = json.loads(path.read_text())
        key = (result["method"], result["prior"])
        runs[key].append({**result, "run": path.parent})
        configs[key] = json.loads((path.parent / "config.json").read_text())
    if not runs:
        raise SystemExit(f"{folder}: no run has an eval.json yet")
    any_config = next(iter(configs.values()))
    n_skills, skill_dim = any_config["n_skills"], any_config["skill_dim"]
    skills = f"{n_skills} discrete skills" if n_skills else f"{skill_dim}-D continuous skills"
    lines = [
        "| method | reward model sees | seeds | coverage per seed (cells) | median coverage | distance per seed (m) | "
        "median distance | training s per run | skills (first seed) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (method, prior), results in sorted(runs.items(), key=lambda kv: (kv[0][0] != "metra", kv[0])):
        results.sort(key=lambda r: r["seed"])
        cov = [r["coverage"] for r in results]
        dist = [r["mean_distance"] for r in results]
        secs = statistics.median(r["train_seconds"] for r in results)
        sees = "the full state" if prior == "full" else "the x-y position only"
        link = page_link(results[0]["run"] / "skills.png")
        lines.append(
            f"| {method.upper()} | {sees} | {', '.join(str(r['seed']) for r in results)} | {', '.join(map(str, cov))} | "
            f"**{statistics.median(cov):g}** | {_fmt(dist, 2)} | **{statistics.median(dist):.2f}** | {secs:.0f} | "
            f"[plot]({link}) |"
        )
    body = (
        f"Environment: {ENV_TEXT[any_config['env']]}; {skills}; {any_config['steps']:,} environment steps per run; "
        f"policy and reward model {'x'.join(map(str, any_config['net']))} for every method; one SAC gradient step "
        f"(batch {any_config['batch_size']}) every {any_config['train_freq']} environment steps, and one reward-model "
        "gradient step per SAC batch. Coverage: distinct 1 m cells visited by 48 deterministic rollouts; distance: "
        "mean start-to-end distance of those rollouts.\n\n" + "\n".join(lines)
    )
    cmd_runs = "python -m benchmarks.metra.train_skills " + " ".join(
        f"--{k.replace('_', '-')} {' '.join(map(str, v)) if isinstance(v, list) else v}"
        for k, v in any_config.items()
        if k in ("env", "steps", "n_skills", "net", "train_freq") and v
    )
    body += f"\n\nEach run: `{cmd_runs} --method M --prior P --seed S --out {folder.as_posix()}/M_S` (its config.json)."
    write_section(folder.name.replace("_", "-"), TITLES.get(folder.name, folder.name), body, page="metra")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=pathlib.Path, nargs="+")
    args = parser.parse_args()
    for folder in args.folders:
        folder_section(folder)


if __name__ == "__main__":
    main()
