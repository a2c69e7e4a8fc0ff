"""``hrl skills``: the skill sets shipped with the package (:mod:`hrl_wrappers.skill_zoo`).

``hrl skills list`` prints a table of the registered sets (name, environment, method, skills, training steps, file
size); ``hrl skills show NAME`` rolls every skill of one set out in its environment, prints the per-skill table
(displacement and speed; the shipped files hold the policy only, so no discriminator scores them), writes the table
and the trajectory plot into ``--out`` and, for MuJoCo sets, one video per skill.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import pathlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from agents.app.core import _plain, _positive_int

__all__ = ["add_skills_command"]

#: reset seed of the rollouts of ``hrl skills show``.
SHOW_SEED = 0


class _LibrarySkills:
    """A :class:`~hrl_wrappers.SkillLibrary` as the evaluators want it: ``skill_layout`` and
    ``predict_skill(obs, skill)`` (``skill`` an index of the original skills, or a continuous skill's vector)."""

    def __init__(self, library: Any) -> None:
        self.library = library
        self.skill_layout = library.layout

    def predict_skill(self, observation: Any, skill: Any, *, deterministic: bool = True) -> tuple[Any, None]:
        library = self.library
        if library.deterministic != deterministic:
            library = copy.copy(library)
            library.deterministic = deterministic
        position = skill if library.indices is None else library.indices.index(int(skill))  # continuous: the vector
        return library.act(observation, position), None


def _size(n_bytes: int | None) -> str:
    if n_bytes is None:
        return "missing"
    return f"{n_bytes / 1024:.1f} KiB" if n_bytes < 1024 * 1024 else f"{n_bytes / 1024 / 1024:.2f} MiB"


def _count(n_skills: int | None, skill_dim: int | None) -> str:
    """How many skills a set has: a number, or ``2-D`` for continuous skills."""
    return str(n_skills) if n_skills is not None else f"{skill_dim}-D"


def _list(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from hrl_wrappers.skill_zoo import list_skill_sets

    rows = [
        [s["name"], s["env_id"], s["method"], _count(s["n_skills"], s["skill_dim"]), str(s["steps"]), _size(s["size"])]
        for s in list_skill_sets()
    ]
    header = ["name", "env", "method", "skills", "steps", "file size"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print("\nLoad one with `hrl_wrappers.load_skills(NAME)`; `hrl skills show NAME` rolls its skills out.")
    return 0


def _skill_value(skill: Any) -> int | list[float]:
    """A categorical skill's index, or a continuous skill's vector as a list."""
    values = np.asarray(skill, dtype=np.float64).reshape(-1)
    return int(values[0]) if values.size == 1 else [float(x) for x in values]


def skill_table(evaluation: Any, discriminability: Sequence[float | None] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The per-skill Markdown table of ``hrl skills show`` and its rows: displacement, its length, mean speed and,
    when the set's file recorded it, each skill's discriminability measured when the set was made.

    Speed is the straight-line distance from start to end over the rollout's duration (per second when the
    environment has a time step ``dt``, else per step).
    """
    scores = list(discriminability or [])
    if len(scores) != len(evaluation.per_skill) or all(d is None for d in scores):
        scores = []
    unit = evaluation.velocity_unit
    rows: list[dict[str, Any]] = []
    for group, trajectory, steps in zip(
        evaluation.per_skill, evaluation.trajectories, evaluation.episode_lengths, strict=True
    ):
        distance = float(np.linalg.norm(trajectory[-1] - trajectory[0]))
        duration = steps * (evaluation.dt if evaluation.dt is not None else 1.0)
        rows.append(
            {
                "skill": _skill_value(group["skill"]),
                "displacement": [float(x) for x in group["displacement"]],
                "distance": distance,
                "speed": distance / duration if duration > 0 else 0.0,
                "steps": int(steps),
            }
        )
        if scores:
            rows[-1]["discriminability"] = scores[len(rows) - 1]
    extra = " discriminability (when made) |" if scores else ""
    lines = [
        f"| skill | displacement | distance | speed ({unit}) | steps |{extra}",
        "|---|---|---|---|---|" + "---|" * bool(extra),
    ]
    for r in rows:
        shown = "(" + ", ".join(f"{x:.2f}" for x in r["displacement"]) + ")"
        skill = r["skill"] if isinstance(r["skill"], int) else "(" + ", ".join(f"{x:.2f}" for x in r["skill"]) + ")"
        score = "" if not scores else (" - |" if r["discriminability"] is None else f" {r['discriminability']:.3f} |")
        lines.append(f"| {skill} | {shown} | {r['distance']:.2f} | {r['speed']:.3f} | {r['steps']} |{score}")
    return "\n".join(lines), rows


def _show(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from hrl_wrappers import load_skills
    from hrl_wrappers.evaluation import evaluate_skills, plot_skill_trajectories
    from hrl_wrappers.skill_zoo import read_metadata, skill_set, skill_set_file

    entry = skill_set(args.name)
    out: pathlib.Path = args.out if args.out is not None else pathlib.Path(entry.name)
    library = load_skills(entry.name, env=entry.make_env())
    with skill_set_file(entry.name) as file:
        metadata = read_metadata(file)
    skills = _LibrarySkills(library)
    env = entry.make_env()
    try:
        evaluation = evaluate_skills(
            skills, env, skills=entry.shown_skill_vectors(), features=entry.displacement_features(), seed=SHOW_SEED
        )
    finally:
        env.close()
    table, rows = skill_table(evaluation, metadata.get("discriminability"))
    accuracy = metadata.get("heldout_accuracy")
    made = f", held-out discriminator accuracy {accuracy:.3f} when it was made" if accuracy is not None else ""
    scored = (
        "the discriminability column was measured when the file was made (the share of each skill's held-out states "
        "the discriminator gave to it)"
        if any("discriminability" in row for row in rows)
        else "displacement and speed only"
    )
    count = _count(entry.n_skills, entry.skill_dim)
    header = (
        f"{entry.name}: {entry.description}.\n{entry.method} on {entry.env_id}, {count} skills, "
        f"{entry.steps} steps, seed {entry.seed}{made}.\nOne deterministic rollout per skill from reset seed "
        f"{SHOW_SEED}; displacement on {entry.features_name}. The shipped file holds the policy only (no "
        f"reward model): {scored}.\nMade by: {entry.command}"
    )
    print(header + "\n\n" + table)
    out.mkdir(parents=True, exist_ok=True)
    (out / "skills.md").write_text(header.replace("\n", "  \n") + "\n\n" + table + "\n")
    (out / "skills.json").write_text(
        json.dumps(_plain({"skill_set": entry.to_dict(), "metadata": metadata, "skills": rows}), indent=2) + "\n"
    )
    dims = (0, 1) if evaluation.feature_dim >= 2 else (0, 0)
    plot_skill_trajectories(
        evaluation, path=str(out / "skills.png"), dims=dims, title=f"{entry.name} on {entry.env_id}: {entry.method}"
    )
    written = [out / "skills.md", out / "skills.json", out / "skills.png"]
    if entry.is_mujoco and not args.no_video:
        from hrl_wrappers.evaluation import record_skill_videos

        os.environ.setdefault("MUJOCO_GL", "egl")
        record_skill_videos(
            skills,
            entry.make_env,
            str(out / "videos"),
            video_length=args.video_length,
            seed=SHOW_SEED,
        )
        written.append(out / "videos")
    print(f"\nwrote {', '.join(str(p) for p in written)}")
    return 0


def add_skills_command(commands: argparse._SubParsersAction) -> None:
    """Add ``hrl skills list`` and ``hrl skills show NAME`` to the sub-parsers ``commands``."""
    skills = commands.add_parser(
        "skills",
        help="the pretrained skill sets shipped with the package",
        description="List the skill sets shipped with the package, or roll out the skills of one.",
    )
    actions = skills.add_subparsers(dest="skills_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the registered skill sets", description="Print the registered skill sets.")
    listing.set_defaults(handler=_list)
    show = actions.add_parser(
        "show",
        help="roll out every skill of a set",
        description="Roll out every skill of skill set NAME in its environment; print the per-skill table and write "
        "it (skills.md, skills.json), the trajectory plot (skills.png) and, for MuJoCo sets, one video per skill "
        "(videos/) into --out.",
    )
    show.add_argument("name", metavar="NAME", help="a registered skill set (`hrl skills list`)")
    show.add_argument("--out", type=pathlib.Path, metavar="DIR", help="where to write (default: ./NAME)")
    show.add_argument(
        "--video-length", type=_positive_int, default=200, metavar="N", help="steps per video (default: %(default)s)"
    )
    show.add_argument("--no-video", action="store_true", help="MuJoCo sets: write no videos")
    show.set_defaults(handler=_show)
