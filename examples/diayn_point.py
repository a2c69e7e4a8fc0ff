"""DIAYN on the built-in 2-D point world: 8 skills discovered without any reward, in about two minutes on a CPU.

Reads top to bottom:
  1. build the agent (SAC + a discriminator q(z|s') over the point's x-y position);
  2. train it;
  3. roll out every skill deterministically, report how well the discriminator tells them apart and how much of
     the world they cover (beside a random policy), and draw each skill's path.

    python examples/diayn_point.py                      # writes diayn_point_skills.png and diayn_point_skills.md
    python examples/diayn_point.py --steps 20000 --out runs/point
"""

from __future__ import annotations

import argparse
import pathlib
import time

import torch

from agents import DIAYN
from hrl_wrappers import evaluate_skills, plot_skill_trajectories, random_policy_coverage
from hrl_wrappers.envs import POINT_WORLD_ID

parser = argparse.ArgumentParser(description="DIAYN on the point world")
parser.add_argument("--steps", type=int, default=10_000, help="environment steps")
parser.add_argument("--n-skills", type=int, default=8)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("."), help="folder for the plot and the table")
args = parser.parse_args()
torch.set_num_threads(1)  # small networks: one thread is fastest
args.out.mkdir(parents=True, exist_ok=True)

# 1. The agent: SAC on the point world with 8 one-hot skills appended to the observation. The discriminator sees the
#    whole observation (x, y); the policy is rewarded log q(z|s') - log p(z), relabelled at every sampled batch.
model = DIAYN(
    "MlpPolicy",
    POINT_WORLD_ID,
    n_skills=args.n_skills,
    policy_kwargs={"net_arch": [64, 64]},
    discriminator_arch=[64, 64],
    ent_coef=0.1,  # the DIAYN paper's alpha
    learning_starts=1_000,
    batch_size=128,
    train_freq=2,  # one SAC gradient step every 2 environment steps (the discriminator trains every step)
    seed=args.seed,
)

# 2. Train.
start = time.time()
model.learn(args.steps, progress_bar=True)
print(f"trained {args.steps} steps in {time.time() - start:.0f} s")

# 3. Evaluate on fresh episodes (seeds never used in training): every skill, deterministic actions.
evaluation = evaluate_skills(model, POINT_WORLD_ID, seed=10_000)
random = random_policy_coverage(POINT_WORLD_ID, n_rollouts=args.n_skills, seed=10_000)
print(evaluation.markdown_table())
summary = evaluation.summary()
print(f"discriminator accuracy on held-out rollouts: {summary['accuracy']:.3f}")
print(f"coverage (distinct 1x1 cells): skills {evaluation.coverage}, random policy {random.coverage}")

plot_skill_trajectories(evaluation, args.out / "diayn_point_skills.png", title=f"DIAYN point world, {args.steps} steps")
(args.out / "diayn_point_skills.md").write_text(
    evaluation.markdown_table() + f"\n\naccuracy {summary['accuracy']:.3f}; coverage {evaluation.coverage} "
    f"(random policy {random.coverage})\n"
)
print(f"wrote {args.out / 'diayn_point_skills.png'}")
