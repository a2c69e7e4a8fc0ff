"""Throughput of OptionCritic against SB3's A2C (and PPOC against PPO) of the same size, measured side by side.

Each pair shares the env, the number of environments, the rollout length, the hidden layers and the update schedule;
the option learner adds its option heads (Q over options, terminations, one action head per option) and the option
bookkeeping. Timed chunks alternate (plain, options, plain, ...) after a warm-up so both see the same machine load;
the reported ratio is the median of the per-round ratios.

    python -m benchmarks.option_critic.overhead_option_critic --env CartPole-v1 --repeats 7
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import torch
from stable_baselines3 import A2C, PPO
from stable_baselines3.common.env_util import make_vec_env

from agents import PPOC, OptionCritic
from benchmarks.report import write_section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="CartPole-v1")
    parser.add_argument("--net", type=int, nargs="+", default=[64, 64])
    parser.add_argument("--n-options", type=int, default=2)
    parser.add_argument("--n-envs", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=4000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    a2c: dict[str, Any] = dict(n_steps=5, learning_rate=7e-4, gamma=0.99, ent_coef=0.01, vf_coef=0.5, max_grad_norm=0.5)
    ppo: dict[str, Any] = dict(n_steps=64, batch_size=128, n_epochs=4, learning_rate=3e-4, gamma=0.99, gae_lambda=0.95)
    common: dict[str, Any] = dict(seed=0, device="cpu", policy_kwargs={"net_arch": args.net})

    def venv() -> Any:
        return make_vec_env(args.env, n_envs=args.n_envs, seed=0)

    pairs = {
        "A2C": (
            A2C("MlpPolicy", venv(), **a2c, **common),
            OptionCritic("MlpPolicy", venv(), n_options=args.n_options, **a2c, **common),
        ),
        "PPO": (
            PPO("MlpPolicy", venv(), **ppo, **common),
            PPOC("MlpPolicy", venv(), n_options=args.n_options, **ppo, **common),
        ),
    }
    for plain, options in pairs.values():
        plain.learn(1000)
        options.learn(1000)
    rounds: dict[str, list[tuple[float, float]]] = {name: [] for name in pairs}
    for _ in range(args.repeats):
        for name, (plain, options) in pairs.items():
            speeds = []
            for model in (plain, options):
                start = time.perf_counter()
                model.learn(args.chunk, reset_num_timesteps=False)
                speeds.append(args.chunk / (time.perf_counter() - start))
            rounds[name].append((speeds[0], speeds[1]))
            print(f"{name}: plain {speeds[0]:.0f} steps/s, options {speeds[1]:.0f} steps/s", flush=True)
    lines = [
        "| pair | plain steps/s (median) | option learner steps/s (median) | ratio per round | median ratio |",
        "|---|---|---|---|---|",
    ]
    for name, values in rounds.items():
        ratios = [o / p for p, o in values]
        lines.append(
            f"| {name} vs {'OptionCritic' if name == 'A2C' else 'PPOC'} | {statistics.median(p for p, _ in values):.0f} "
            f"| {statistics.median(o for _, o in values):.0f} | {', '.join(f'{r:.2f}' for r in ratios)} "
            f"| {statistics.median(ratios):.3f} |"
        )
    body = (
        f"{args.env}, {args.n_envs} environments (DummyVecEnv), hidden layers {args.net} for actor and critic, "
        f"{args.n_options} options. A2C settings (n_steps 5, one gradient step per rollout) for A2C and OptionCritic; "
        "PPO settings (n_steps 64, batch 128, 4 epochs) for PPO and PPOC. "
        f"{args.repeats} rounds of {args.chunk} steps per learner, alternating. Goal: ratio at least 0.80.\n\n"
        + "\n".join(lines)
        + "\n"
    )
    print(body)
    if not args.no_write:
        write_section(f"overhead-option-critic-{args.env}", f"Option-Critic overhead against A2C and PPO ({args.env})", body)


if __name__ == "__main__":
    main()
