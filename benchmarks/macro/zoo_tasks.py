"""Shipped skills against flat agents on sparse MuJoCo tasks (the DIAYN paper's hierarchy experiments, Sec. 4.2.2).

A ``SkillController`` (PPO over a frozen skill set of the zoo, ``--skills``, one skill held for k primitive steps)
learns a sparse task beside flat SAC and flat PPO on primitive actions, each for the same number of task environment
steps (``--budget``). The skills' reward-free pretraining is not part of that budget: it is stated beside the table
(the set's steps in the zoo's registry).

Tasks:
  hurdles       : ``hrl_wrappers/CheetahHurdles-v0``: HalfCheetah with hurdles across the track, +1 for each hurdle
                  passed; skills ``halfcheetah-diayn-x`` or ``halfcheetah-metra-x`` (``--skills``); k = 10 as in the
                  paper's cheetah hurdle task.
  ant-waypoints : ``hrl_wrappers/AntWaypoints-v0``: the gear-30 ant visiting 5 waypoints in order, +1 each; skills
                  ``ant-metra-xy``; k = 25.

Every --eval-every task steps each learner is evaluated on --eval-episodes episodes seeded apart from training
(reset seeds 10000+, deterministic actions): the task's return (hurdles passed, waypoints reached). One command's
curves go to ``benchmarks/results/zoo_<task>/curves_<learners>.json`` as it goes (so the learners can run in separate
processes); the plot ``curves.png`` and the table in ``docs/results/macro.md`` show every curves file of the folder.

    python -m benchmarks.macro.zoo_tasks --task hurdles --learners ppo sac --seeds 0 1 2 --budget 100000
    python -m benchmarks.macro.zoo_tasks --task hurdles --learners controller --seeds 0 1 2 --budget 100000
    python -m benchmarks.macro.zoo_tasks --task hurdles --from-json        # redraw the plot and table
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO, SAC
from stable_baselines3.common.base_class import BaseAlgorithm

from agents import SkillController
from benchmarks.macro.macro_waypoints import BudgetEval, evaluate
from benchmarks.report import RESULTS, command, current_command, page_link, write_section
from hrl_wrappers import MacroActionWrapper, SkillLibrary, circle_skills, load_skills
from hrl_wrappers.envs import ANT_WAYPOINTS_ID, CHEETAH_HURDLES_ID
from hrl_wrappers.skill_zoo import skill_set

LEARNERS = ("controller", "ppo", "sac")


@dataclass(frozen=True)
class Task:
    """One downstream task: its env, the shipped skills the controller uses and how a run is scored."""

    env_id: str
    skills: tuple[str, ...]
    hold_steps: int
    score_key: str
    score_name: str
    max_score: int
    controller_kwargs: dict[str, Any] = field(default_factory=dict)
    #: entries of the skills' observation they read relative to where each macro-action starts (their x-y)
    relative_obs: tuple[int, ...] | None = None
    #: a SAC controller's settings (continuous skills only; ``--controller-algo SAC``)
    sac_controller_kwargs: dict[str, Any] = field(default_factory=dict)


TASKS: dict[str, Task] = {
    "hurdles": Task(
        env_id=CHEETAH_HURDLES_ID,
        skills=("halfcheetah-diayn-x", "halfcheetah-metra-x"),
        hold_steps=10,
        score_key="hurdles_passed",
        score_name="hurdles passed",
        max_score=10,
        controller_kwargs={"n_envs": 4, "n_steps": 128, "batch_size": 128, "ent_coef": 0.01, "gamma": 0.99},
    ),
    "ant-waypoints": Task(
        env_id=ANT_WAYPOINTS_ID,
        skills=("ant-metra-xy",),
        hold_steps=25,
        score_key="waypoints_reached",
        score_name="waypoints reached",
        max_score=5,
        controller_kwargs={"n_envs": 4, "n_steps": 64, "batch_size": 64, "ent_coef": 0.01, "gamma": 0.95},
        sac_controller_kwargs={"learning_starts": 200, "batch_size": 256, "gamma": 0.95},
        relative_obs=(0, 1),
    ),
}


def skill_obs(space: gym.Space, skills: SkillLibrary) -> list[int] | None:
    """The entries of the task observation (``space``) the skills read: its first ``d`` (the task appends its own
    after them)."""
    assert space.shape is not None
    d = skills.observation_space.shape[0] if skills.observation_space.shape else space.shape[0]
    return None if d == space.shape[0] else list(range(d))


def make_learner(
    name: str,
    task: Task,
    seed: int,
    skills: SkillLibrary | None,
    sac_train_freq: int,
    controller_algo: str = "PPO",
    view: list[int] | None = None,
) -> BaseAlgorithm:
    """The controller over ``skills`` (PPO, or SAC for continuous skills) reading the task observation's entries
    ``view``, flat SAC (SB3's defaults but ``train_freq``) or flat PPO (SB3's defaults)."""
    if name == "controller":
        assert skills is not None
        kwargs = task.controller_kwargs if controller_algo == "PPO" else task.sac_controller_kwargs
        return SkillController(
            "MlpPolicy",
            task.env_id,
            skills,
            hold_steps=task.hold_steps,
            skill_obs=view,
            relative_obs=task.relative_obs,
            algo=controller_algo,
            seed=seed,
            **kwargs,
        )
    if name == "sac":
        return SAC("MlpPolicy", task.env_id, train_freq=sac_train_freq, seed=seed)
    return PPO("MlpPolicy", task.env_id, seed=seed)


def group_of(name: str, skills: str, controller_algo: str = "PPO") -> str:
    """The curves' key prefix of a learner: ``controller@<skill set>`` for a PPO controller (``...+SAC`` for a SAC
    one), else the learner's name."""
    if name != "controller":
        return name
    return f"controller@{skills}" + ("" if controller_algo == "PPO" else f"+{controller_algo}")


def groups(results: dict[str, Any]) -> list[str]:
    """The learner groups that have curves, controllers first (in the task's order of skill sets), then PPO, SAC."""
    found = {key.rsplit("/", 1)[0] for key, curve in results["curves"].items() if curve}
    return sorted(found, key=lambda g: (not g.startswith("controller"), g == "sac", g))


def label(group: str, task: Task) -> str:
    """How a learner group is named in the plot and the table."""
    if group.startswith("controller@"):
        skills, _, algo = group.split("@", 1)[1].partition("+")
        return f"SkillController ({algo or 'PPO'} over {skills}, k={task.hold_steps})"
    return {"ppo": "flat PPO", "sac": "flat SAC"}[group]


def pretraining(task: Task, results: dict[str, Any]) -> str:
    """The reward-free pretraining of the skill sets the controllers used (not counted in the budget)."""
    used = sorted({g.split("@", 1)[1].split("+")[0] for g in groups(results) if g.startswith("controller@")})
    return "; ".join(
        f"`{name}`: {skill_set(name).method}, {skill_set(name).steps} steps, seed {skill_set(name).seed}" for name in used
    )


def _curves(results: dict[str, Any], group: str) -> dict[str, list[list[float]]]:
    return {k: c for k, c in results["curves"].items() if k.rsplit("/", 1)[0] == group and c}


def plot(results: dict[str, Any], task: Task, path: pathlib.Path) -> None:
    """Mean over seeds with a min..max band, per learner."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for group in groups(results):
        curves = list(_curves(results, group).values())
        if not curves:
            continue
        n = min(len(c) for c in curves)
        x = np.array([p[0] for p in curves[0][:n]])
        y = np.array([[p[1] for p in c[:n]] for c in curves])
        seeds = f"{len(curves)} seed{'s' if len(curves) > 1 else ''}"
        line = ax.plot(x, y.mean(0), marker=".", label=f"{label(group, task)} ({seeds})")[0]
        ax.fill_between(x, y.min(0), y.max(0), color=line.get_color(), alpha=0.2)
    greedy = path.parent / "greedy.json"
    if greedy.exists():  # the reference without learning (``--greedy``)
        scores = json.loads(greedy.read_text())["relative x-y"]
        ax.axhline(float(np.mean(scores)), color="grey", ls="--", lw=1, label="greedy skill direction, no learning")
    ax.set_xlabel("task environment steps (the skills' reward-free pretraining not counted)")
    ax.set_ylabel(f"{task.score_name} (of {task.max_score})")
    ax.set_ylim(-0.1, task.max_score + 0.4)
    ax.set_title(f"{task.env_id}: mean over seeds, band = min..max")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(results: dict[str, Any], task_name: str, out: pathlib.Path, final: bool) -> str:
    """The table (final score per seed, mean, spread) and the page section; returns the section's body."""
    task, args = TASKS[task_name], results["args"]
    lines = [
        f"| learner | task env steps | {task.score_name} at the end, per seed | mean | min..max | best evaluation, mean |",
        "|---|---|---|---|---|---|",
    ]
    for group in groups(results):
        curves = _curves(results, group)
        finals = [c[-1][1] for c in curves.values()]
        best = statistics.mean(max(p[1] for p in c) for c in curves.values())
        steps = max(c[-1][0] for c in curves.values())
        lines.append(
            f"| {label(group, task)} | {steps} | {', '.join(f'{f:.2f}' for f in finals)} | {statistics.mean(finals):.2f} "
            f"| {min(finals):.2f}..{max(finals):.2f} | {best:.2f} |"
        )
    greedy = out / "greedy.json"
    if greedy.exists():
        saved = json.loads(greedy.read_text())
        for name in ("relative x-y", "absolute x-y"):
            scores = saved[name]
            lines.append(
                f"| no learning: greedy skill direction, {name} (`--greedy`) | - | {', '.join(f'{f:.2f}' for f in scores)} "
                f"| {statistics.mean(scores):.2f} | {min(scores):.2f}..{max(scores):.2f} | - |"
            )
    times = ", ".join(f"{k} {v:.0f} s" for k, v in results["seconds"].items())
    body = (
        f"Task `{task.env_id}`; every learner gets {args['budget']} task environment steps. A controller is PPO "
        f"({', '.join(f'{k} {v}' for k, v in task.controller_kwargs.items())}"
        + (
            f"; a SAC controller: {', '.join(f'{k} {v}' for k, v in task.sac_controller_kwargs.items())}"
            if task.sac_controller_kwargs
            else ""
        )
        + f") choosing one skill of a shipped set "
        f"every {task.hold_steps} primitive steps"
        + (
            f" (the skills read observation entries {list(task.relative_obs)}, the x-y, relative to where each "
            "macro-action starts, as they saw them in training from the origin)"
            if task.relative_obs
            else ""
        )
        + f"; the sets were learned beforehand without reward "
        f"({pretraining(task, results)}; `hrl skills show NAME`), which this budget does "
        f"not count. Flat SAC: SB3's defaults (256x256, batch 256) with one gradient step every "
        f"{args['sac_train_freq']} env steps; flat PPO: SB3's defaults. Evaluation every {args['eval_every']} steps on "
        f"{args['eval_episodes']} episodes seeded apart from training (reset seeds 10000+), deterministic actions.\n\n"
        + "\n".join(lines)
        + f"\n\nCurves: ![{task_name}]({page_link(out / 'curves.png')}) (data: `{page_link(out)}/curves_*.json`). "
        f"Wall time: {times}." + ("" if final else "\n\n(Partial: the run was still going when this was written.)") + "\n"
    )
    cmd = " && ".join(map(current_command, results["commands"]))
    write_section(f"zoo-{task_name}", f"Shipped skills against flat agents: {task.env_id}", body, cmd=cmd, page="macro")
    return body


def greedy_directions(task: Task, out: pathlib.Path, episodes: int) -> dict[str, Any]:
    """A controller without learning, for continuous 2-D skills on a waypoint task: every k steps, the skill (of 16 on
    the unit circle) whose walk (k steps from reset seed 0, ``SkillLibrary.displacements``) points most nearly at the
    current waypoint. Run with and without the task's ``relative_obs``; written to ``OUT/greedy.json``."""
    skills = load_skills(task.skills[0])
    z = circle_skills(16)
    # the skills' env has the torso's x-y first in its observation
    walks = skills.displacements(skill_set(task.skills[0]).make_env(), task.hold_steps, [0, 1], seed=0, skills=z)
    directions = walks / np.maximum(np.linalg.norm(walks, axis=1, keepdims=True), 1e-9)
    result: dict[str, Any] = {"skills": task.skills[0], "hold_steps": task.hold_steps, "episodes": episodes}
    for name, relative in (("absolute x-y", None), ("relative x-y", task.relative_obs)):
        raw = gym.make(task.env_id)
        env = MacroActionWrapper(raw, skills, task.hold_steps, skill_obs=skill_obs(raw.observation_space, skills),
                                 relative_obs=relative)  # fmt: skip
        scores = []
        for i in range(episodes):
            obs, info = env.reset(seed=10_000 + i)
            done = False
            while not done:
                to_go = obs[-2:] - obs[:2]
                obs, _, terminated, truncated, info = env.step(z[int(np.argmax(directions @ to_go))])
                done = terminated or truncated
            scores.append(float(info[task.score_key]))
        result[name] = scores
        print(f"greedy skill directions, {name}: {task.score_name} {scores}", flush=True)
    (out / "greedy.json").write_text(json.dumps(result, indent=1))
    return result


def load_curves(out: pathlib.Path) -> dict[str, Any]:
    """Every curves file of ``out`` merged: the curves, wall times and commands of all of them (a learner and seed in
    several files: its longest curve)."""
    merged: dict[str, Any] = {"curves": {}, "seconds": {}, "commands": []}
    for path in sorted(out.glob("curves*.json")):
        saved = json.loads(path.read_text())
        merged.setdefault("args", saved["args"])
        if saved["args"]["budget"] != merged["args"]["budget"]:
            raise SystemExit(f"{path} has budget {saved['args']['budget']}, another file {merged['args']['budget']}")
        skills = saved["args"].get("skills") or TASKS[saved["args"]["task"]].skills[0]
        for key, curve in saved["curves"].items():  # a run stopped early and re-run elsewhere: the longer curve
            seconds = saved["seconds"].get(key)
            if key.split("/")[0] == "controller":  # the controller's skills named in its key
                key = f"controller@{skills}/{key.split('/')[1]}"
            if len(curve) >= len(merged["curves"].get(key, [])):
                merged["curves"][key] = curve
                if seconds is not None:
                    merged["seconds"][key] = seconds
        merged["commands"] += [c for c in saved["commands"] if c not in merged["commands"]]
    return merged


def complete(results: dict[str, Any]) -> bool:
    """Whether every curve reached the budget."""
    budget = results["args"]["budget"]
    return bool(results["curves"]) and all(c and c[-1][0] >= budget for c in results["curves"].values())


def run(args: argparse.Namespace, out: pathlib.Path) -> None:
    task = TASKS[args.task]
    learners = [n for n in LEARNERS if n in args.learners]
    results: dict[str, Any] = {"args": vars(args), "curves": {}, "seconds": {}, "commands": [command()]}
    skills_name = args.skills or task.skills[0]
    if skills_name not in task.skills:
        raise SystemExit(f"--skills {skills_name}: the {args.task} task takes {', '.join(task.skills)}")
    tag = "_".join(group_of(n, skills_name, args.controller_algo) if n == "controller" else n for n in learners)
    if args.seeds != [0, 1, 2]:  # e.g. one seed run beside a process that runs the others
        tag += "_seeds" + "-".join(map(str, args.seeds))
    file = out / f"curves_{tag}.json"
    skills = load_skills(skills_name) if "controller" in learners else None
    for name in learners:
        for seed in args.seeds:
            start = time.time()
            eval_env = gym.make(task.env_id)
            view = None if skills is None else skill_obs(eval_env.observation_space, skills)
            model = make_learner(name, task, seed, skills, args.sac_train_freq, args.controller_algo, view)
            if name == "controller":
                assert skills is not None
                relative = task.relative_obs
                eval_env = MacroActionWrapper(eval_env, skills, task.hold_steps, skill_obs=view, relative_obs=relative)
            key = f"{group_of(name, skills_name, args.controller_algo)}/{seed}"
            curve: list[tuple[int, float]] = []
            results["curves"][key] = curve

            def log(steps: int, score: float, key: str = key, start: float = start, curve: list = curve) -> None:
                print(f"{key} steps {steps}: {task.score_name} {score:.2f} ({time.time() - start:.0f} s)", flush=True)
                curve.append((steps, score))
                file.write_text(json.dumps(results, indent=1))

            score: Callable[[BaseAlgorithm, gym.Env, int], float] = lambda m, e, n: evaluate(m, e, n, task.score_key)  # noqa: E731
            callback = BudgetEval(eval_env, args.eval_every, args.budget, args.eval_episodes, 0, log, score=score)
            model.learn(10 * args.budget, callback=callback)
            results["seconds"][key] = time.time() - start
            file.write_text(json.dumps(results, indent=1))
            merged = load_curves(out)
            plot(merged, task, out / "curves.png")
            report(merged, args.task, out, final=complete(merged))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", choices=sorted(TASKS), required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budget", type=int, default=100_000, help="task environment steps per learner")
    parser.add_argument("--eval-every", type=int, default=10_000)
    parser.add_argument("--eval-episodes", type=int, default=3)
    parser.add_argument("--sac-train-freq", type=int, default=4, help="flat SAC: one gradient step every this many")
    parser.add_argument("--learners", nargs="+", default=list(LEARNERS), choices=LEARNERS)
    parser.add_argument("--skills", help="the controller's skill set (default: the task's first)")
    parser.add_argument("--controller-algo", choices=["PPO", "SAC"], default="PPO", help="SAC: continuous skills only")
    parser.add_argument("--from-json", action="store_true", help="only redraw the plot and table from the curves files")
    parser.add_argument(
        "--greedy", action="store_true", help="ant-waypoints: run the greedy skill-direction controller (no learning)"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = RESULTS / f"zoo_{args.task.replace('-', '_')}"
    out.mkdir(parents=True, exist_ok=True)
    if args.greedy:
        if TASKS[args.task].relative_obs is None:
            parser.error("--greedy is for the ant-waypoints task (continuous 2-D skills)")
        greedy_directions(TASKS[args.task], out, args.eval_episodes)
        return
    if args.from_json:
        merged = load_curves(out)
        plot(merged, TASKS[args.task], out / "curves.png")
        print(report(merged, args.task, out, final=complete(merged)))
        return
    run(args, out)


if __name__ == "__main__":
    main()
