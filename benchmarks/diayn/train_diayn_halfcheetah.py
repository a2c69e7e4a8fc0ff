"""Train DIAYN on HalfCheetah-v5 (10 skills, SAC, alpha 0.1) with checkpoints, for the tables of docs/results/diayn.md.

Two discriminator inputs:
  --prior full : the paper's full-state discriminator (the observation Gymnasium gives, x excluded);
  --prior x    : the "x prior": the discriminator sees only the torso x position (exposed with locomotion_kwargs);
  --prior vx   : the discriminator sees only the torso x velocity (qvel[0], observation index 8).

Usage (each run is one process; checkpoints every --checkpoint-every steps go to OUT/checkpoints):
  python -m benchmarks.diayn.train_diayn_halfcheetah --prior full --steps 300000 --out benchmarks/results/halfcheetah_full
  python -m benchmarks.diayn.train_diayn_halfcheetah --prior x --steps 300000 --out benchmarks/results/halfcheetah_x
Evaluate with ``python -m benchmarks.diayn.eval_diayn_halfcheetah``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
from typing import Any

import gymnasium as gym
import torch
from stable_baselines3.common.callbacks import CheckpointCallback

from agents import DIAYNSAC
from hrl_wrappers.locomotion import locomotion_kwargs, position_features
from hrl_wrappers.sb3.terminal import true_next_observations


def run_config(
    prior: str,
    n_skills: int,
    episode_steps: int,
    net: list[int],
    feature_scale: float,
    feature_noise: float,
    train_freq: int,
    steps: int,
    seed: int,
) -> dict[str, Any]:
    """The settings of one run (written to its ``config.json``; :func:`build` makes the agent from them)."""
    env_id = "HalfCheetah-v5"
    expose = prior == "x"
    return {
        "env": env_id,
        "prior": prior,
        "env_kwargs": {**locomotion_kwargs(env_id, expose_position=expose), "max_episode_steps": episode_steps},
        "n_skills": n_skills,
        "features": position_features(env_id, "x") if expose else ([8] if prior == "vx" else None),
        "feature_scale": feature_scale if prior != "full" else 1.0,
        "feature_noise": feature_noise if prior != "full" else 0.0,
        "train_freq": train_freq,
        "net_arch": net,
        "ent_coef": 0.1,
        "steps": steps,
        "seed": seed,
    }


def build(config: dict[str, Any], tensorboard_log: str | None = None) -> DIAYNSAC:
    """The DIAYN-SAC agent of a run's ``config`` (see :func:`run_config`), untrained."""
    return DIAYNSAC(
        "MlpPolicy",
        config["env"],
        n_skills=config["n_skills"],
        env_kwargs=config["env_kwargs"],
        features=config["features"],
        feature_scale=config["feature_scale"],
        feature_noise=config["feature_noise"],
        train_freq=config["train_freq"],
        discriminator_arch=config["net_arch"],
        policy_kwargs={"net_arch": config["net_arch"]},
        ent_coef=config["ent_coef"],
        learning_starts=5_000,
        batch_size=256,
        seed=config["seed"],
        tensorboard_log=tensorboard_log,
        verbose=0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prior", choices=["full", "x", "vx"], default=None)
    parser.add_argument("--steps", type=int, default=300_000)
    parser.add_argument("--n-skills", type=int, default=10)
    parser.add_argument("--episode-steps", type=int, default=200)
    parser.add_argument("--net", type=int, nargs="+", default=[128, 128])
    parser.add_argument("--feature-scale", type=float, default=0.1, help="x/vx-prior input scaling (x is in metres)")
    parser.add_argument("--feature-noise", type=float, default=0.0, help="x/vx-prior: discriminator training noise")
    parser.add_argument("--train-freq", type=int, default=1, help="one SAC gradient step every this many env steps")
    parser.add_argument("--checkpoint-every", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument(
        "--continue",
        dest="continue_run",
        action="store_true",
        help="continue the run in --out from its latest checkpoint up to --steps in all (its own settings; the other "
        "options are ignored); the replay buffer is OUT/replay_buffer.pkl if the run saved one, else it starts empty",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.continue_run:
        continue_run(args.out, args.steps)
        return
    if args.prior is None:
        parser.error("--prior is required (except with --continue)")
    config = run_config(
        args.prior,
        args.n_skills,
        args.episode_steps,
        args.net,
        args.feature_scale,
        args.feature_noise,
        args.train_freq,
        args.steps,
        args.seed,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "config.json").write_text(json.dumps(config, indent=2))
    model = build(config, tensorboard_log=str(args.out / "tb"))
    ckpt = CheckpointCallback(args.checkpoint_every, str(args.out / "checkpoints"), name_prefix="diayn")
    model.learn(args.steps, callback=ckpt, log_interval=10)
    model.save(args.out / "model")
    model.save_replay_buffer(args.out / "replay_buffer.pkl")  # so that --continue keeps the data


WARMUP = 10_000


def refill(model: DIAYNSAC, n_steps: int) -> None:
    """Act with the loaded (stochastic) policy for ``n_steps`` and store the transitions, without any update."""
    vec = model.get_env()
    assert vec is not None
    obs: Any = vec.reset()  # a Box observation here (VecEnvObs also allows dicts and tuples)
    for _ in range(n_steps // vec.num_envs):
        action, _ = model.predict(obs, deterministic=False)
        new_obs, rewards, dones, infos = vec.step(action)
        next_obs = true_next_observations(new_obs, dones, infos)
        model.replay_buffer.add(obs, next_obs, model.policy.scale_action(action), rewards, dones, infos)  # type: ignore[union-attr]
        obs = new_obs


def continue_run(out: pathlib.Path, steps: int) -> None:
    """Continue the run in ``out`` from its latest checkpoint until ``steps`` environment steps in all."""
    config = json.loads((out / "config.json").read_text())
    checkpoints = sorted((out / "checkpoints").glob("diayn_*_steps.zip"), key=lambda p: int(p.stem.split("_")[1]))
    if not checkpoints:
        raise SystemExit(f"--continue: no checkpoint under {out / 'checkpoints'}")
    env = gym.make(config["env"], **config["env_kwargs"])
    model = DIAYNSAC.load(checkpoints[-1], env=env, seed=config["seed"])
    start = model.num_timesteps
    if steps <= start:
        raise SystemExit(f"--steps {steps} is not beyond the latest checkpoint ({start} steps)")
    buffer = out / "replay_buffer.pkl"
    if buffer.exists():
        model.load_replay_buffer(buffer)
        kept = "its replay buffer"
    else:  # an empty buffer would have SAC and the discriminator fit a handful of transitions: refill it first
        refill(model, WARMUP)
        kept = f"a replay buffer refilled by {WARMUP} steps of the loaded policy without updates (none had been saved)"
    config.setdefault("continued", []).append({"from": start, "to": steps, "replay_buffer": kept})
    config["note"] = "; ".join(
        f"continued from {c['from']} to {c['to']} steps with {c['replay_buffer']}" for c in config["continued"]
    )
    config["steps"] = steps
    (out / "config.json").write_text(json.dumps(config, indent=2))
    ckpt = CheckpointCallback(config.get("checkpoint_every", 25_000), str(out / "checkpoints"), name_prefix="diayn")
    model.learn(steps - start, callback=ckpt, log_interval=10, reset_num_timesteps=False)
    model.save(out / "model")
    model.save_replay_buffer(out / "replay_buffer.pkl")


if __name__ == "__main__":
    main()
