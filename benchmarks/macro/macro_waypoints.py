"""Skills as macro-actions on the sparse 5-waypoint point world: a controller over 8 pretrained DIAYN skills against flat
SAC and PPO given the same number of environment steps.

First, 8 DIAYN skills are pretrained without reward on the point world (the settings of examples/diayn_point.py,
seed --skills-seed, once: every controller seed uses these skills). Then, per seed, a SkillController (PPO over the
frozen skills, one skill held for --hold-steps primitive steps) learns ``hrl_wrappers/PointWaypoints-v0``; flat SAC
and PPO learn the same task from primitive actions. The DIAYN pretraining steps are counted: the controller gets
``--budget - --pretrain-steps`` task steps, the flat learners ``--budget``.
Every --eval-every environment steps each learner is evaluated on --eval-episodes episodes seeded apart from training
(deterministic actions): the mean number of waypoints reached (of 5). Writes the curves (JSON, as it goes), one plot,
and the table into docs/results/macro.md.

    python -m benchmarks.macro.macro_waypoints --seeds 0 1 2 --flat-seeds 0 --budget 120000 --eval-every 10000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO, SAC
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback

from agents import DIAYN, SkillController
from benchmarks.report import ROOT, command, current_command, page_link, write_section
from hrl_wrappers import MacroActionWrapper, SkillLibrary, load_skills
from hrl_wrappers.envs import POINT_WAYPOINTS_ID, POINT_WORLD_ID

OUT = ROOT / "benchmarks" / "results" / "macro_waypoints"
LEARNERS = ("controller", "sac", "ppo")
LABELS = {"controller": "SkillController (PPO over 8 DIAYN skills)", "ppo": "flat PPO", "sac": "flat SAC"}


def evaluate(model: BaseAlgorithm, env: gym.Env, episodes: int, key: str = "waypoints_reached") -> float:
    """Mean of ``info[key]`` (waypoints reached) at the end of ``episodes`` deterministic episodes (reset seeds 10000,
    10001, ...)."""
    scores = []
    for i in range(episodes):
        obs, info = env.reset(seed=10_000 + i)
        done = False
        while not done:
            action, _ = model.predict(obs, deterministic=True)
            obs, _, terminated, truncated, info = env.step(action)
            done = terminated or truncated
        scores.append(float(info[key]))
    return float(np.mean(scores))


class BudgetEval(BaseCallback):
    """Count primitive environment steps (``info["primitive_steps"]`` for macro-actions), evaluate every ``every`` of
    them, and stop training when ``budget`` is spent. ``score(model, env, episodes)`` evaluates (default: the mean
    number of waypoints reached)."""

    def __init__(
        self,
        eval_env: gym.Env,
        every: int,
        budget: int,
        episodes: int,
        offset: int,
        log: Any,
        score: Callable[[BaseAlgorithm, gym.Env, int], float] | None = None,
    ) -> None:
        super().__init__()
        self.eval_env, self.every, self.budget, self.episodes = eval_env, every, budget, episodes
        self.offset, self.log = offset, log
        self.score = evaluate if score is None else score
        self.steps = 0
        self.next_eval = every
        self.started = False

    def _evaluate(self) -> None:
        self.log(self.offset + self.steps, self.score(self.model, self.eval_env, self.episodes))

    def _on_training_start(self) -> None:
        if not self.started:
            self.started = True
            self._evaluate()

    def _on_step(self) -> bool:
        self.steps += sum(int(info.get("primitive_steps", 1)) for info in self.locals["infos"])
        while self.steps >= self.next_eval and self.next_eval <= self.budget:
            self._evaluate()
            self.next_eval += self.every
        return self.steps < self.budget


def pretrain_skills(seed: int, steps: int) -> SkillLibrary:
    model = DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        n_skills=8,
        policy_kwargs={"net_arch": [64, 64]},
        discriminator_arch=[64, 64],
        ent_coef=0.1,
        learning_starts=1_000,
        batch_size=128,
        train_freq=2,
        seed=seed,
    )
    model.learn(steps)
    return load_skills(model)


def make_learner(name: str, seed: int, skills: SkillLibrary | None, hold_steps: int) -> BaseAlgorithm:
    if name == "controller":
        return SkillController(
            "MlpPolicy",
            POINT_WAYPOINTS_ID,
            skills,
            hold_steps=hold_steps,
            skill_obs=[0, 1],
            algo="PPO",
            n_envs=8,
            n_steps=64,
            batch_size=128,
            ent_coef=0.02,
            gamma=0.95,
            seed=seed,
        )
    if name == "sac":
        return SAC(
            "MlpPolicy",
            POINT_WAYPOINTS_ID,
            policy_kwargs={"net_arch": [64, 64]},
            learning_starts=1_000,
            batch_size=128,
            train_freq=2,
            seed=seed,
        )
    return PPO("MlpPolicy", POINT_WAYPOINTS_ID, seed=seed)


def plot(results: dict[str, Any], path: Any, pretrain_steps: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name in LEARNERS:
        curves = [c for key, c in results["curves"].items() if key.startswith(name + "/") and c]
        if not curves:
            continue
        n = min(len(c) for c in curves)
        x = np.array([p[0] for p in curves[0][:n]])
        y = np.array([[p[1] for p in c[:n]] for c in curves])
        line = ax.plot(x, y.mean(0), label=f"{LABELS[name]} ({len(curves)} seed{'s' if len(curves) > 1 else ''})")[0]
        ax.fill_between(x, y.min(0), y.max(0), color=line.get_color(), alpha=0.2)
    ax.axvline(pretrain_steps, color="grey", ls="--", lw=1)
    ax.text(pretrain_steps, 2.5, "DIAYN pretraining ends ", color="grey", fontsize=8, rotation=90, ha="right", va="center")
    ax.set_xlabel("environment steps (pretraining counted for the controller)")
    ax.set_ylabel("waypoints reached (of 5)")
    ax.set_ylim(-0.1, 5.4)
    ax.set_title("Point world, 5 sparse waypoints: mean over seeds, band = min..max")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(results: dict[str, Any], args: argparse.Namespace, final: bool) -> None:
    lines = [
        "| learner | task env steps | waypoints reached at the end, per seed | mean | best evaluation, mean over seeds "
        f"| mean at {args.budget - args.pretrain_steps} task steps (pretraining not counted) |",
        "|---|---|---|---|---|---|",
    ]
    for name in LEARNERS:
        curves = {k: c for k, c in results["curves"].items() if k.startswith(name + "/") and c}
        if not curves:
            continue
        finals = [c[-1][1] for c in curves.values()]
        best = statistics.mean(max(p[1] for p in c) for c in curves.values())
        offset = args.pretrain_steps if name == "controller" else 0
        task_steps = args.budget - offset
        # the flat learners' evaluation after as many task steps as the controller had (its pretraining not counted)
        at = [next((v for x, v in c if x - offset >= args.budget - args.pretrain_steps), c[-1][1]) for c in curves.values()]
        lines.append(
            f"| {LABELS[name]} | {task_steps} | {', '.join(f'{f:.1f}' for f in finals)} | {statistics.mean(finals):.2f} "
            f"| {best:.2f} | {statistics.mean(at):.2f} |"
        )
    times = ", ".join(f"{k} {v:.0f} s" for k, v in results["seconds"].items())
    seeds_of = {
        n: [int(k.split("/")[1]) for k, c in results["curves"].items() if k.startswith(n + "/") and c] for n in LEARNERS
    }
    seeds_text = ", ".join(f"{LABELS[n].split(' (')[0]} {seeds_of[n]}" for n in LEARNERS)
    body = (
        f"Task: `{POINT_WAYPOINTS_ID}`: visit (5, 5), (5, -5), (-5, -5), (-5, 5), (5, 5) in order from the origin, +1 "
        "within 1.0 of the current waypoint, 300-step episodes, observation (x, y, current waypoint). "
        f"Seeds: {seeds_text}; every learner gets {args.budget} environment steps. The controller's share includes the "
        f"{args.pretrain_steps} reward-free DIAYN pretraining steps (8 "
        f"skills, SAC 64x64, alpha 0.1, discriminator on (x, y); pretrained once with seed {args.skills_seed} and shared "
        "by the controller seeds, so the seeds vary the controller, not the skills); the remaining "
        f"{args.budget - args.pretrain_steps} steps train a PPO controller (8 envs x 64 decisions "
        f"per rollout, gamma 0.95, entropy 0.02) choosing a skill every {args.hold_steps} primitive steps. Flat SAC: "
        "64x64, batch 128, one gradient step per 2 env steps; flat PPO: SB3 defaults. Evaluation every "
        f"{args.eval_every} steps on {args.eval_episodes} episodes seeded apart from training (reset seeds 10000+), "
        "deterministic actions. Goal: the controller reaches at least 4 of 5 on average, the flat learners fewer.\n\n"
        + "\n".join(lines)
        + f"\n\nCurves: ![waypoints]({page_link(OUT / 'curves.png')}) (data: "
        f"`{page_link(OUT / 'curves.json')}`). Wall time: {times}."
        + ("" if final else "\n\n(Partial: the run was still going when this was written.)")
        + "\n"
    )
    print(body, flush=True)
    # a run with --append (and a --from-json redraw) shows every command whose curves are in the table
    cmd = " && ".join(map(current_command, results["commands"])) if results.get("commands") else None
    write_section("macro-waypoints", "Skills as macro-actions: 5 sparse waypoints in the point world", body, cmd=cmd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--flat-seeds", type=int, nargs="+", default=None, help="flat learners' seeds (default: --seeds)")
    parser.add_argument("--skills-seed", type=int, default=0)
    parser.add_argument("--budget", type=int, default=120_000, help="environment steps per learner (pretraining counted)")
    parser.add_argument("--pretrain-steps", type=int, default=20_000)
    parser.add_argument("--hold-steps", type=int, default=10)
    parser.add_argument("--eval-every", type=int, default=10_000)
    parser.add_argument("--eval-episodes", type=int, default=5)
    parser.add_argument("--learners", nargs="+", default=list(LEARNERS), choices=LEARNERS)
    parser.add_argument("--from-json", action="store_true", help="only redraw the plot and table from curves.json")
    parser.add_argument("--append", action="store_true", help="add these runs to the curves already in curves.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.from_json:  # e.g. after a run was stopped: its curves so far, marked partial
        saved = json.loads((OUT / "curves.json").read_text())
        args = argparse.Namespace(**{**saved["args"], "from_json": True})
        plot(saved, OUT / "curves.png", args.pretrain_steps)
        complete = all(c and c[-1][0] >= args.budget - args.eval_every // 2 for c in saved["curves"].values())
        report(saved, args, final=complete)
        return
    results: dict[str, Any] = {"args": vars(args), "curves": {}, "seconds": {}, "commands": [command()]}
    if args.append:  # more seeds of some learners, beside an earlier run with the same settings
        saved = json.loads((OUT / "curves.json").read_text())
        results["curves"], results["seconds"] = saved["curves"], saved["seconds"]
        results["commands"] = [*saved.get("commands", []), command()]
        results["seconds"] = {k + (" (earlier)" if "earlier" not in k else ""): v for k, v in saved["seconds"].items()}
    skills = None
    if "controller" in args.learners:
        start = time.time()
        skills = pretrain_skills(args.skills_seed, args.pretrain_steps)
        results["seconds"]["DIAYN pretraining"] = time.time() - start
        print(f"pretrained {args.pretrain_steps} steps in {time.time() - start:.0f} s", flush=True)
    # cheap learners first, so that a partial run already holds the controller against flat PPO
    learners = [n for n in LEARNERS if n in args.learners]
    for name in learners:
        start = time.time()
        seeds = args.flat_seeds if name != "controller" and args.flat_seeds is not None else args.seeds
        for seed in seeds:
            offset = args.pretrain_steps if name == "controller" else 0
            model = make_learner(name, seed, skills, args.hold_steps)
            eval_env: gym.Env = gym.make(POINT_WAYPOINTS_ID)
            if name == "controller":
                assert skills is not None
                eval_env = MacroActionWrapper(eval_env, skills, hold_steps=args.hold_steps, skill_obs=[0, 1])
            key = f"{name}/{seed}"

            curve: list[tuple[int, float]] = []
            results["curves"][key] = curve

            def log(steps: int, score: float, key: str = key, start: float = start, curve: list = curve) -> None:
                print(f"{key} steps {steps}: waypoints {score:.2f} ({time.time() - start:.0f} s)", flush=True)
                curve.append((steps, score))
                (OUT / "curves.json").write_text(json.dumps(results, indent=1))  # partial results, as it goes

            callback = BudgetEval(eval_env, args.eval_every, args.budget - offset, args.eval_episodes, offset, log)
            model.learn(10 * args.budget, callback=callback)
            results["seconds"][name] = time.time() - start
            (OUT / "curves.json").write_text(json.dumps(results, indent=1))
            plot(results, OUT / "curves.png", args.pretrain_steps)
            report(results, args, final=name == learners[-1] and seed == seeds[-1])


if __name__ == "__main__":
    main()
