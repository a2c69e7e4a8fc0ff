"""DADS on the built-in 2-D point world: predictable skills without reward, then zero-shot goal reaching.

Reads top to bottom:
  1. build the agent (SAC + a skill-dynamics model q(delta s | s, z) over the point's x-y position);
  2. train it without any reward;
  3. look at the skills: where does each direction of skill space take the point in 10 steps?
  4. reach 8 goals at distance 5 with no further training: MPPI over skills with the learned skill dynamics,
     replanning every 3 steps in the real environment; draw the planned and executed paths.

    PYTHONPATH=. python examples/dads_point.py                 # writes dads_point_plans.png
    PYTHONPATH=. python examples/dads_point.py --steps 40000 --out runs/dads_point
"""

from __future__ import annotations

import argparse
import pathlib
import time

import gymnasium as gym
import numpy as np
import torch

from agents import DADS, SkillPlanner, plot_plans
from hrl_wrappers.envs import POINT_WORLD_ID

parser = argparse.ArgumentParser(description="DADS on the point world")
parser.add_argument("--steps", type=int, default=20_000, help="environment steps")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("."), help="folder for the plot")
args = parser.parse_args()
torch.set_num_threads(1)  # small networks: one thread is fastest
args.out.mkdir(parents=True, exist_ok=True)

# 1. The agent: SAC on the point world with a continuous 2-D skill z ~ U(-1, 1)^2 appended to the observation. The
#    skill dynamics predicts the change of (x, y) from (x, y, z) with 4 Gaussian experts; the policy is rewarded
#    log q(d|s,z) - log sum_i q(d|s,z_i) + log(L+1) over L=100 skills drawn from the prior: be predictable, and be
#    different from the other skills. The paper's on-policy schedule: each iteration clears the buffer, collects 1000
#    steps, takes 64 skill-dynamics steps, labels the rewards once and takes 512 SAC steps. The x-y prior as in the
#    paper: the policy does not see x-y (hide_features), so a skill moves the point the same way everywhere, and the
#    skill is redrawn every 10 steps, so that each iteration's buffer holds 100 skills rather than 10 (the same
#    settings as benchmarks/dads/dads_point.py; see BENCHMARKS.md for what three seeds gave).
model = DADS(
    "MlpPolicy",
    POINT_WORLD_ID,
    skill_dim=2,
    schedule="on-policy",
    n_steps=1_000,
    dynamics_steps=64,
    agent_steps=512,
    n_alternatives=100,
    features=[0, 1],
    hide_features=True,
    resample_every=10,
    policy_kwargs={"net_arch": [64, 64]},
    dynamics_arch=[64, 64],
    seed=args.seed,
)

# 2. Train, reward-free.
start = time.time()
model.learn(args.steps, progress_bar=True)
print(f"trained {args.steps} steps in {time.time() - start:.0f} s")

# 3. The skills: displacement after 10 deterministic steps for 8 skills on the unit circle of skill space.
env = gym.make(POINT_WORLD_ID)
for a in np.arange(8) * np.pi / 4:
    z = np.array([np.cos(a), np.sin(a)], np.float32)
    obs = env.reset(seed=0)[0]
    start_xy = obs.copy()
    for _step in range(10):
        action, _ = model.predict_skill(obs, z)
        obs = env.step(action)[0]
    print(f"skill z=({z[0]:+.2f}, {z[1]:+.2f}) moves by {np.round(obs - start_xy, 2)}")

# 4. Zero-shot planning: the paper's dense-reward settings (one skill per plan, 50 candidates, 10 refinements,
#    temperature 10), closed loop in the real environment, except that each skill is held 3 steps instead of 10: the
#    point crosses the 5 units to a goal in about 10 steps, so with H_Z=10 it overshoots and oscillates around it.
results = []
for k in range(8):
    goal = 5.0 * np.array([np.cos(k * np.pi / 4), np.sin(k * np.pi / 4)])
    result = SkillPlanner(model, hold_steps=3, seed=args.seed).run(env, goal=goal, max_steps=100, seed=args.seed + k)
    results.append(result)
    print(f"goal {np.round(goal, 2)}: final distance {result.final_distance:.2f} (final / initial {result.final_ratio:.3f})")
print(f"mean final / initial distance: {np.mean([r.final_ratio for r in results]):.3f}")
plot_plans(results, str(args.out / "dads_point_plans.png"))
print(f"wrote {args.out / 'dads_point_plans.png'}")
