"""DIAYN on HalfCheetah-v5 with the "x prior": 10 skills that run forward and backward at different speeds.

Reads top to bottom:
  1. make HalfCheetah with its torso x exposed at observation index 0 (Gymnasium hides it) and 100-step episodes;
  2. build DIAYN-SAC whose discriminator sees only x: a skill is rewarded for being where no other skill is, so the
     skills spread along the track. The discriminator trains on x plus 1 m of Gaussian noise, so it cannot tell apart
     skills that are centimetres apart (without it, skills separate by shuffling a few centimetres and never run);
     every episode starts with all skills bunched at x = 0, so getting apart quickly pays. (In our 300k-step run with
     these settings, backward runners at 3-4 m/s came first; at 300k one skill ran forward and one backward at
     1.18 m/s over the episode while the others sprint to distinct places and hold them. With 200-step episodes no
     forward runner passed 1 m/s. See BENCHMARKS.md.)
  3. train (300k steps: about an hour on two CPU cores), checkpointing as it goes;
  4. roll out every skill, print per-skill x velocity, discriminability and coverage, plot x against time, and write
     one video per skill (MuJoCo renders offscreen with MUJOCO_GL=egl).

    python examples/diayn_halfcheetah.py --steps 300000 --out runs/cheetah
    python examples/diayn_halfcheetah.py --steps 3000 --out runs/cheetah --no-video     # a quick smoke run
    python examples/diayn_halfcheetah.py --prior full ...                               # the paper's full-state discriminator
"""

from __future__ import annotations

import argparse
import os
import pathlib

import gymnasium as gym
import torch
from stable_baselines3.common.callbacks import CheckpointCallback

from agents import DIAYN
from hrl_wrappers import evaluate_skills, locomotion_position_features, plot_skill_trajectories, record_skill_videos
from hrl_wrappers.locomotion import locomotion_kwargs, position_features

parser = argparse.ArgumentParser(description="DIAYN on HalfCheetah-v5")
parser.add_argument("--steps", type=int, default=300_000)
parser.add_argument("--prior", choices=["x", "full"], default="x", help="discriminator input: x position, or full state")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs/diayn_halfcheetah"))
parser.add_argument("--no-video", action="store_true")
args = parser.parse_args()
torch.set_num_threads(1)
os.environ.setdefault("MUJOCO_GL", "egl")
ENV_ID = "HalfCheetah-v5"

# 1. The environment: x at observation index 0 for the x prior; 100-step episodes (5 s) so every episode starts
#    with all skills bunched at x = 0 and a skill has little time to get to its own stretch of track: speed pays.
x_prior = args.prior == "x"
env_kwargs = {**locomotion_kwargs(ENV_ID, expose_position=x_prior), "max_episode_steps": 100}

# 2. The agent. SAC with the paper's alpha = 0.1; the discriminator sees x only (or the whole observation).
model = DIAYN(
    "MlpPolicy",
    ENV_ID,
    n_skills=10,
    env_kwargs=env_kwargs,
    features=position_features(ENV_ID, "x") if x_prior else None,
    feature_scale=0.1 if x_prior else 1.0,  # x in tens of metres: inputs of order one
    feature_noise=1.0 if x_prior else 0.0,  # metres of noise on x while the discriminator trains
    discriminator_arch=[128, 128],
    policy_kwargs={"net_arch": [128, 128]},
    ent_coef=0.1,
    learning_starts=5_000,
    train_freq=2,  # one SAC gradient step every 2 env steps: twice the throughput on a CPU
    seed=args.seed,
    tensorboard_log=str(args.out / "tb"),
)

# 3. Train, with a checkpoint every 25k steps.
checkpoints = CheckpointCallback(25_000, str(args.out / "checkpoints"), name_prefix="diayn")
model.learn(args.steps, callback=checkpoints, progress_bar=True)
model.save(args.out / "model")

# 4. Evaluate every skill deterministically: x from info (HalfCheetah keeps it there even when the policy cannot see it).
evaluation = evaluate_skills(model, gym.make(ENV_ID, **env_kwargs), features=locomotion_position_features(ENV_ID), seed=10_000)
print(evaluation.markdown_table())
print(evaluation.summary())
plot_skill_trajectories(evaluation, args.out / "skills.png", title=f"DIAYN HalfCheetah ({args.prior} prior)")
if not args.no_video:
    videos = record_skill_videos(model, ENV_ID, args.out / "videos", env_kwargs=env_kwargs)
    print(f"wrote {len(videos)} videos to {args.out / 'videos'}")
