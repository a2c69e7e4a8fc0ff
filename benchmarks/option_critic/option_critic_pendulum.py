"""PPOC (Option-Critic with PPO's clipped surrogate) beside SB3 PPO on Pendulum-v1, at equal steps and settings.

Both learners use the same rollout/optimisation settings (4 environments, n_steps 1024, batch 64, 10 epochs, gamma 0.9,
GAE 0.95, lr 1e-3, clip 0.2, hidden layers 64x64) and the same step budget; PPOC adds its options (Gaussian
intra-option policies, terminations, Q over options). Each seed is evaluated every ``--eval-every`` steps on 10
episodes (deterministic actions, greedy options). Results go to ``benchmarks/results/option_critic_pendulum/``.

    python -m benchmarks.option_critic.option_critic_pendulum --seeds 0 1 --steps 100000
"""

from __future__ import annotations

import argparse
import json
import pathlib
import tempfile
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env

from agents import PPOC
from benchmarks.report import ROOT, write_section

RESULTS = ROOT / "benchmarks" / "results" / "option_critic_pendulum"
SETTINGS: dict[str, Any] = dict(
    n_steps=1024, batch_size=64, n_epochs=10, gamma=0.9, gae_lambda=0.95, learning_rate=1e-3, clip_range=0.2
)


def evaluate(model: Any, n_episodes: int, seed: int) -> tuple[float, list[float]]:
    """Mean return over ``n_episodes`` (deterministic; options carried in ``state`` for PPOC) and option shares."""
    env = gym.make("Pendulum-v1")
    returns, usage = [], np.zeros(getattr(model, "n_options", 1))
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        state, start, done, total = None, np.ones(1, dtype=bool), False, 0.0
        while not done:
            action, state = model.predict(obs, state=state, episode_start=start, deterministic=True)
            if isinstance(model, PPOC):
                usage[int(state[0])] += 1
            start = np.zeros(1, dtype=bool)
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return float(np.mean(returns)), (usage / max(1, usage.sum())).round(3).tolist()


class _Evaluate(BaseCallback):
    def __init__(self, every: int, seed: int, curve: list[dict[str, Any]], save: Any) -> None:
        super().__init__()
        self.every, self.seed, self.curve, self.save, self.next_eval = every, seed, curve, save, every

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.next_eval:
            self.next_eval += self.every
            mean, usage = evaluate(self.model, 10, 10_000 + self.seed)
            usage = usage if isinstance(self.model, PPOC) else []
            self.curve.append({"steps": int(self.num_timesteps), "mean_return": mean, "usage": usage})
            print(f"{type(self.model).__name__} seed {self.seed} step {self.num_timesteps}: {mean:.1f} {usage}", flush=True)
            self.save()
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--n-options", type=int, default=2)
    parser.add_argument("--eval-every", type=int, default=20_000)
    parser.add_argument("--tag", default="", help="suffix of the results file and the section name")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = (RESULTS if not args.no_write else pathlib.Path(tempfile.mkdtemp())) / f"results{args.tag}.json"
    runs: list[dict[str, Any]] = []

    def save() -> None:
        out.write_text(json.dumps({"settings": {**SETTINGS, **vars(args)}, "runs": runs}, indent=1) + "\n")

    for seed in args.seeds:
        for name in ("PPO", "PPOC"):  # alternate, so both see the same machine load
            env = make_vec_env("Pendulum-v1", n_envs=4, seed=seed)
            common: dict[str, Any] = dict(seed=seed, device="cpu", policy_kwargs={"net_arch": [64, 64]}, **SETTINGS)
            if name == "PPO":
                model: Any = PPO("MlpPolicy", env, **common)
            else:
                model = PPOC("MlpPolicy", env, n_options=args.n_options, termination_reg=0.01, **common)
            record: dict[str, Any] = {"learner": name, "seed": seed, "curve": []}
            runs.append(record)
            start = time.perf_counter()
            model.learn(args.steps, callback=_Evaluate(args.eval_every, seed, record["curve"], save))
            record["wall_s"] = round(time.perf_counter() - start, 1)
            save()
    lines = ["| learner | seed | " + " | ".join(f"{e['steps']} steps" for e in runs[0]["curve"]) + " | wall s |"]
    lines.append("|---|---|" + "---|" * (len(runs[0]["curve"]) + 1))
    for run in runs:
        cells = " | ".join(f"{e['mean_return']:.0f}" for e in run["curve"])
        lines.append(f"| {run['learner']} | {run['seed']} | {cells} | {run['wall_s']:.0f} |")
    finals = {name: [r["curve"][-1]["mean_return"] for r in runs if r["learner"] == name] for name in ("PPO", "PPOC")}
    usage = [r["curve"][-1]["usage"] for r in runs if r["learner"] == "PPOC"]
    body = (
        f"Pendulum-v1, {args.steps} steps per run, the same settings for both ({SETTINGS}, 4 environments, 64x64); "
        f"PPOC with {args.n_options} options, xi 0.01. Mean evaluation return over 10 episodes (deterministic actions, "
        f"greedy options). Final mean over seeds: PPO {np.mean(finals['PPO']):.0f}, PPOC {np.mean(finals['PPOC']):.0f}; "
        f"PPOC option shares at the end: {usage}.\n\n" + "\n".join(lines) + "\n"
    )
    print(body)
    if not args.no_write:
        write_section(f"option-critic-pendulum{args.tag}", f"PPOC beside PPO on Pendulum-v1{args.tag.replace('_', ' ')}", body)


if __name__ == "__main__":
    main()
