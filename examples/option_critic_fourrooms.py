"""Tabular Option-Critic on Four Rooms (Bacon et al., 2017): learn options, move the goal, look at the terminations.

    PYTHONPATH=. python examples/option_critic_fourrooms.py --runs 20 --episodes 600

Runs are stepped together in numpy. The goal starts in the east doorway and moves to a random cell of the lower-right
room halfway through; the script prints the mean steps per episode around the move and saves the mean termination
probability of every cell (``option_critic_fourrooms.png``) and how often options actually ended in the doorways.
The full experiment (4 and 8 options, AC-PG, SARSA(0), 2000 episodes) is
``python -m benchmarks.option_critic.option_critic_fourrooms``.
"""

from __future__ import annotations

import argparse

import numpy as np
from matplotlib.figure import Figure

from agents.option_critic.tabular import TabularOptionCritic, run_goal_switch, termination_rates
from hrl_wrappers.envs import FourRoomsEnv

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--runs", type=int, default=20)
parser.add_argument("--episodes", type=int, default=600)
parser.add_argument("--options", type=int, default=4)
args = parser.parse_args()
switch = args.episodes // 2

rng = np.random.default_rng(0)
learner = TabularOptionCritic(args.runs, n_options=args.options, rng=rng)
w = min(50, switch)
result = run_goal_switch(
    learner,
    args.runs,
    rng,
    n_episodes=args.episodes,
    switch_at=switch,
    snapshot_episodes=(switch,),
    count_windows=((switch - w, switch),),  # count arrivals and option terminations per cell before the move
)
curve = result.steps.mean(axis=0)
for first, last in ((0, w), (switch - w, switch), (switch, switch + w), (args.episodes - w, args.episodes)):
    print(f"episodes {first + 1}-{last}: {curve[first:last].mean():.1f} steps per episode (mean of {args.runs} runs)")

betas = result.snapshots[switch].mean(axis=(0, 2))  # before the goal moved: mean over runs and options
grid = np.full((13, 13), np.nan)
for s in range(FourRoomsEnv.n_states):
    grid[FourRoomsEnv.cell_of(s)] = betas[s]
doors = list(FourRoomsEnv.doorway_states())
print(f"mean termination probability: doorways {betas[doors].mean():.3f}, all cells {betas.mean():.3f}")
visits, ends = result.visits[(switch - w, switch)], result.terminations[(switch - w, switch)]
others = [s for s in range(FourRoomsEnv.n_states) if s not in doors]
door_rate, other_rate = (np.nanmean(termination_rates(visits, ends, cells)) for cells in (doors, others))
print(
    f"where options ended over episodes {switch - w + 1}-{switch} (terminations / arrivals, mean over runs): "
    f"doorways {door_rate:.3f}, other cells {other_rate:.3f}"
)
figure = Figure(figsize=(4.5, 4), layout="constrained")
ax = figure.subplots()
image = ax.imshow(grid, cmap="viridis")
figure.colorbar(image, ax=ax)
ax.set_title(f"termination probability after episode {switch}")
figure.savefig("option_critic_fourrooms.png", dpi=100)
print("wrote option_critic_fourrooms.png")
