"""Deep Option-Critic on CartPole-v1: evaluation return and option statistics over seeds.

Each seed trains for ``--steps`` environment steps and is evaluated every ``--eval-every`` steps on ``--eval-episodes``
fresh episodes (greedy options and actions, sampled terminations, the option carried in ``predict``'s state). An
evaluation records the mean return, each option's share of the steps and the mean option duration (steps from an
option's choice to its termination or the episode's end). Results are written to
``benchmarks/results/option_critic_cartpole/<variant>.json`` after every evaluation, so a cut-off run keeps its curve.

    python -m benchmarks.option_critic.option_critic_cartpole --seeds 0 1 2 --steps 100000
"""

from __future__ import annotations

import argparse
import json
import pathlib
import tempfile
import time
from functools import partial
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium.wrappers import TransformReward
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env

from agents import PPOC, OptionCritic
from benchmarks.report import ROOT, page_link, repo_relative, write_section

RESULTS = ROOT / "benchmarks" / "results" / "option_critic_cartpole"


def evaluate_options(model: OptionCritic, env: gym.Env, n_episodes: int, seed: int, deterministic: bool) -> dict[str, Any]:
    """Mean return, option usage shares and mean option duration of ``model`` over ``n_episodes`` episodes."""
    returns, durations = [], []
    usage = np.zeros(model.n_options, dtype=np.int64)
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        state, start, done, total, length = None, np.ones(1, dtype=bool), False, 0.0, 0
        while not done:
            action, state, ended = model.policy.predict_options(
                obs, state=state, episode_start=start, deterministic=deterministic
            )
            if ended[0] and length > 0:
                durations.append(length)
                length = 0
            length += 1
            usage[int(state[0])] += 1
            start = np.zeros(1, dtype=bool)
            obs, reward, terminated, truncated, _ = env.step(int(action))
            total += float(reward)
            done = terminated or truncated
        durations.append(length)
        returns.append(total)
    shares = usage / usage.sum()
    return {
        "mean_return": float(np.mean(returns)),
        "min_return": float(np.min(returns)),
        "usage": [round(float(x), 4) for x in shares],
        "max_usage": float(shares.max()),
        "mean_duration": float(np.mean(durations)),
    }


class _Evaluate(BaseCallback):
    def __init__(self, every: int, n_episodes: int, seed: int, record: dict[str, Any], save: Any, stop: bool) -> None:
        super().__init__()
        self.stop = stop
        self.every, self.n_episodes, self.seed, self.record, self.save = every, n_episodes, seed, record, save
        self.env = gym.make("CartPole-v1")
        self.next_eval = every

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.next_eval:
            self.next_eval += self.every
            model: Any = self.model
            result = evaluate_options(model, self.env, self.n_episodes, 10_000 + self.seed, deterministic=False)
            result["greedy"] = evaluate_options(model, self.env, self.n_episodes, 20_000 + self.seed, deterministic=True)
            durations = self.model._option_durations  # type: ignore[attr-defined]
            result["train_mean_duration"] = float(np.mean(durations)) if durations else None
            result.update(steps=int(self.num_timesteps), wall_s=round(time.perf_counter() - self.record["start"], 1))
            self.record["evaluations"].append(result)
            print(f"seed {self.seed} step {self.num_timesteps}: {result}", flush=True)
            self.save()
            if self.stop and result["greedy"]["mean_return"] >= 475:
                return False  # target reached: this seed stops here
        return True


def make_model(
    variant: str,
    seed: int,
    n_options: int,
    xi: float,
    selection: str,
    temperature: float,
    eps_start: float,
    eps_fraction: float,
    deliberation_cost: float = 0.0,
    termination_coef: float = 1.0,
    option_ent_coef: float = 0.01,
    reward_scale: float = 1.0,
) -> OptionCritic:
    """The agent of ``variant`` ("ppoc" or "a2oc") with the settings of this benchmark.

    ``reward_scale`` multiplies the training rewards (a ``TransformReward`` inside each env's ``Monitor``, so the logged
    episode returns and the evaluations stay CartPole's own).
    """
    n_envs = 8
    wrapper = None if reward_scale == 1.0 else partial(TransformReward, func=lambda r: reward_scale * float(r))
    env = make_vec_env("CartPole-v1", n_envs=n_envs, seed=seed, wrapper_class=wrapper)
    if variant == "ppoc":
        return PPOC(
            "MlpPolicy",
            env,
            n_options=n_options,
            n_steps=32,
            batch_size=256,
            n_epochs=20,
            learning_rate=1e-3,
            gamma=0.98,
            gae_lambda=0.8,
            ent_coef=0.0,
            termination_reg=xi,
            deliberation_cost=deliberation_cost,
            termination_coef=termination_coef,
            option_ent_coef=option_ent_coef,
            exploration_initial_eps=eps_start,
            exploration_fraction=eps_fraction,
            policy_kwargs={"net_arch": [64, 64], "option_selection": selection, "option_temperature": temperature},
            seed=seed,
        )
    return OptionCritic(
        "MlpPolicy",
        env,
        n_options=n_options,
        n_steps=5,
        learning_rate=7e-4,
        gamma=0.99,
        ent_coef=0.01,
        termination_reg=xi,
        deliberation_cost=deliberation_cost,
        termination_coef=termination_coef,
        option_ent_coef=option_ent_coef,
        normalize_advantage=False,
        exploration_initial_eps=eps_start,
        exploration_fraction=eps_fraction,
        policy_kwargs={"option_selection": selection, "option_temperature": temperature},
        seed=seed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--variant", choices=["ppoc", "a2oc"], default="ppoc")
    parser.add_argument("--n-options", type=int, default=2)
    parser.add_argument("--xi", type=float, default=0.01, help="termination regulariser")
    parser.add_argument("--deliberation-cost", type=float, default=0.0)
    parser.add_argument("--termination-coef", type=float, default=1.0, help="weight of the termination loss")
    parser.add_argument("--selection", choices=["epsilon_greedy", "softmax", "learned"], default="epsilon_greedy")
    parser.add_argument("--option-ent-coef", type=float, default=0.01, help="entropy bonus of a learned policy over options")
    parser.add_argument("--reward-scale", type=float, default=1.0, help="multiplies the training rewards")
    parser.add_argument("--temperature", type=float, default=1.0, help="softmax policy over options")
    parser.add_argument("--eps-start", type=float, default=1.0, help="initial epsilon over options (final: 0.05)")
    parser.add_argument("--eps-fraction", type=float, default=0.3, help="fraction of training over which epsilon decays")
    parser.add_argument("--eval-every", type=int, default=10_000)
    parser.add_argument("--eval-episodes", type=int, default=20)
    parser.add_argument(
        "--stop-at-target", action="store_true", help="stop a seed at its first greedy evaluation with mean return >= 475"
    )
    parser.add_argument("--tag", default="", help="suffix of the results file")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = (RESULTS if not args.no_write else pathlib.Path(tempfile.mkdtemp())) / f"{args.variant}{args.tag}.json"
    runs: list[dict[str, Any]] = []
    settings = {k: v for k, v in vars(args).items() if k != "no_write"}

    def save() -> None:
        out.write_text(json.dumps({"settings": settings, "runs": runs}, indent=1) + "\n")

    for seed in args.seeds:
        record: dict[str, Any] = {"seed": seed, "start": time.perf_counter(), "evaluations": []}
        runs.append(record)
        model = make_model(
            args.variant,
            seed,
            args.n_options,
            args.xi,
            args.selection,
            args.temperature,
            args.eps_start,
            args.eps_fraction,
            args.deliberation_cost,
            args.termination_coef,
            args.option_ent_coef,
            args.reward_scale,
        )
        model.learn(
            args.steps, callback=_Evaluate(args.eval_every, args.eval_episodes, seed, record, save, args.stop_at_target)
        )
        record["steps_per_s"] = round(model.num_timesteps / (time.perf_counter() - record["start"]), 1)
        save()
    lines = [
        "| seed | first eval >= 475 (steps) | mean return there | max option share | mean option duration "
        "| return at last eval | max share at last eval | duration at last eval | steps/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    met = []
    for run in runs:
        evals = run["evaluations"]
        hit_eval = next((e for e in evals if e["greedy"]["mean_return"] >= 475), None)
        hit = None if hit_eval is None else {**hit_eval["greedy"], "steps": hit_eval["steps"]}
        last = evals[-1]["greedy"]
        ok = hit is not None and hit["max_usage"] <= 0.95 and hit["mean_duration"] > 1.5
        met.append(ok)
        first = "never" if hit is None else str(hit["steps"])
        cols = (
            ("-", "-", "-")
            if hit is None
            else (f"{hit['mean_return']:.1f}", f"{hit['max_usage']:.3f}", f"{hit['mean_duration']:.2f}")
        )
        lines.append(
            f"| {run['seed']} | {first} | {cols[0]} | {cols[1]} | {cols[2]} | {last['mean_return']:.1f} "
            f"| {last['max_usage']:.3f} | {last['mean_duration']:.2f} | {run['steps_per_s']} |"
        )
    shown = page_link(out) if out.is_relative_to(RESULTS) else repo_relative(out)  # --no-write: a temporary file
    selection = (
        f"a learned softmax policy over options (entropy bonus {args.option_ent_coef})"
        if args.selection == "learned"
        else f"{args.selection} over options (epsilon {args.eps_start} decaying to 0.05 over {args.eps_fraction:.0%} of "
        "the budget)"
    )
    body = (
        f"{args.variant.upper()}, {args.n_options} options, xi = {args.xi}, deliberation cost {args.deliberation_cost}, "
        f"{selection}, termination loss weight {args.termination_coef}, training rewards times {args.reward_scale}, "
        f"at most {args.steps} steps per seed"
        f"{' (a seed stops at its first greedy evaluation >= 475)' if args.stop_at_target else ''}; evaluation every "
        f"{args.eval_every} steps over {args.eval_episodes} episodes (greedy options and actions, sampled terminations; "
        "the JSON also has the agent's stochastic policy: sampled options and actions). "
        "Target: an evaluation with mean return >= 475 within the budget, with no option above 95% of the steps and mean "
        f"option duration above 1.5 steps. Met on {sum(met)} of {len(met)} seeds. Curves: "
        f"[`{shown}`]({shown}).\n\n" + "\n".join(lines) + "\n"
    )
    print(body)
    if not args.no_write:
        write_section(
            f"option-critic-cartpole-{args.variant}{args.tag}",
            f"Option-Critic on CartPole-v1 ({args.variant.upper()}{', ' + args.tag.strip('_') if args.tag else ''})",
            body,
        )


if __name__ == "__main__":
    main()
