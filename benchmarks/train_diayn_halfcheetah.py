"""Train DIAYN on HalfCheetah-v5 (10 skills, SAC, alpha 0.1) with checkpoints, for the BENCHMARKS.md tables.

Two discriminator inputs:
  --prior full : the paper's full-state discriminator (the observation Gymnasium gives, x excluded);
  --prior x    : the "x prior": the discriminator sees only the torso x position (exposed with locomotion_kwargs);
  --prior vx   : the discriminator sees only the torso x velocity (qvel[0], observation index 8).

Usage (each run is one process; checkpoints every --checkpoint-every steps go to OUT/checkpoints):
  python benchmarks/train_diayn_halfcheetah.py --prior full --steps 300000 --out benchmarks/results/halfcheetah_full
  python benchmarks/train_diayn_halfcheetah.py --prior x --steps 300000 --out benchmarks/results/halfcheetah_x
Evaluate with benchmarks/eval_diayn_halfcheetah.py.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import torch
from stable_baselines3.common.callbacks import CheckpointCallback

from agents import DIAYN
from hrl_wrappers.locomotion import locomotion_kwargs, position_features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prior", choices=["full", "x", "vx"], required=True)
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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    env_id = "HalfCheetah-v5"
    expose = args.prior == "x"
    config = {
        "env": env_id,
        "prior": args.prior,
        "env_kwargs": {**locomotion_kwargs(env_id, expose_position=expose), "max_episode_steps": args.episode_steps},
        "n_skills": args.n_skills,
        "features": position_features(env_id, "x") if expose else ([8] if args.prior == "vx" else None),
        "feature_scale": args.feature_scale if args.prior != "full" else 1.0,
        "feature_noise": args.feature_noise if args.prior != "full" else 0.0,
        "train_freq": args.train_freq,
        "net_arch": args.net,
        "ent_coef": 0.1,
        "steps": args.steps,
        "seed": args.seed,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "config.json").write_text(json.dumps(config, indent=2))
    model = DIAYN(
        "MlpPolicy",
        env_id,
        n_skills=args.n_skills,
        env_kwargs=config["env_kwargs"],
        features=config["features"],
        feature_scale=config["feature_scale"],
        feature_noise=config["feature_noise"],
        train_freq=args.train_freq,
        discriminator_arch=args.net,
        policy_kwargs={"net_arch": args.net},
        ent_coef=0.1,
        learning_starts=5_000,
        batch_size=256,
        seed=args.seed,
        tensorboard_log=str(args.out / "tb"),
        verbose=0,
    )
    ckpt = CheckpointCallback(args.checkpoint_every, str(args.out / "checkpoints"), name_prefix="diayn")
    model.learn(args.steps, callback=ckpt, log_interval=10)
    model.save(args.out / "model")


if __name__ == "__main__":
    main()
