"""The MPPI skill planner, on hand-made skill dynamics whose skills are exactly known."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

from agents import DIAYN, SkillPlanner
from hrl_wrappers import DADSReward
from hrl_wrappers.envs import POINT_WORLD_ID
from hrl_wrappers.priors import CategoricalPrior, UniformPrior
from hrl_wrappers.skill_layout import SkillLayout

POINT = spaces.Box(-10, 10, (2,), np.float32)


class HandMadeSkills:
    """A 'DADS agent' on the point world: skill z moves the point by 0.5 * direction(z), and its dynamics knows it."""

    def __init__(self, prior: Any, directions: np.ndarray | None = None, input_features: list[int] | None = None) -> None:
        self.skill_layout = SkillLayout(POINT, prior)
        self.directions = directions
        enc = prior.encoding_dim
        self.reward_model = DADSReward(
            self.skill_layout,
            n_experts=1,
            net_arch=[],
            normalize=False,
            n_alternatives=None if prior.is_categorical else 4,
            input_features=input_features,
            device="cpu",
        )
        n_in = self.reward_model.input_dim  # the heads read [state inputs, z]
        with torch.no_grad():
            w = torch.zeros(2, n_in + enc)
            if directions is None:
                w[:, n_in:] = 0.5 * torch.eye(2)  # delta = 0.5 z
            else:
                w[:, n_in:] = 0.5 * torch.as_tensor(directions.T, dtype=torch.float32)  # delta = 0.5 directions[z]
            self.reward_model.mean_head.weight.copy_(w)
            self.reward_model.mean_head.bias.zero_()

    def predict_skill(self, obs: Any, skill: Any, deterministic: bool = True) -> tuple[np.ndarray, None]:
        if self.directions is not None:
            return self.directions[int(skill)].astype(np.float32), None
        return np.asarray(skill, dtype=np.float32), None


GOALS = [5 * np.array([np.cos(a), np.sin(a)]) for a in np.arange(8) * np.pi / 4]


@pytest.mark.parametrize("input_features", [None, []])
def test_rollout_follows_the_dynamics(input_features: list[int] | None) -> None:
    """Also with a skill dynamics that reads no state (``input_features=[]``, the reference's x-y prior)."""
    planner = SkillPlanner(HandMadeSkills(UniformPrior(2), input_features=input_features), horizon=2, hold_steps=3, seed=0)
    paths = planner.rollout(np.array([1.0, -1.0]), np.array([[[1.0, 0.0], [0.0, -1.0]]]))
    assert paths.shape == (1, 7, 2)
    expected = np.array([[1, -1], [1.5, -1], [2, -1], [2.5, -1], [2.5, -1.5], [2.5, -2], [2.5, -2.5]])
    assert np.allclose(paths[0], expected, atol=1e-6)


@pytest.mark.parametrize("goal", GOALS)
def test_dense_planning_reaches_goals_closed_loop(goal: np.ndarray) -> None:
    planner = SkillPlanner(HandMadeSkills(UniformPrior(2)), n_candidates=50, n_refine=10, std_decay=0.7, seed=0)
    result = planner.run(gym.make(POINT_WORLD_ID), goal=goal, max_steps=40, seed=0)
    assert result.initial_distance == pytest.approx(5.0, abs=0.2)
    assert result.final_ratio < 0.1
    assert len(result.planned) == 4 and result.planned[0].shape == (11, 2)
    assert np.allclose(result.planned[0][0], result.executed[0])
    assert result.normalized_distance < 0.6


def test_paper_settings_fixed_covariance() -> None:
    """H_P=1, H_Z=10, K=50, R=10, gamma=10 and a fixed covariance: the goal is approached, stopping is coarser."""
    ratios = []
    for goal in GOALS:
        planner = SkillPlanner(HandMadeSkills(UniformPrior(2)), seed=0)
        ratios.append(planner.run(gym.make(POINT_WORLD_ID), goal=goal, max_steps=40, seed=0).final_ratio)
    assert max(ratios) < 0.4 and np.mean(ratios) < 0.3


def test_sparse_planning_with_longer_horizon() -> None:
    planner = SkillPlanner(
        HandMadeSkills(UniformPrior(2)),
        horizon=4,
        hold_steps=5,
        n_candidates=200,
        n_refine=5,
        reward_type="sparse",
        goal_radius=1.0,
        smoothing=0.9,
        seed=0,
    )
    result = planner.run(gym.make(POINT_WORLD_ID), goal=[4.0, 3.0], max_steps=60, seed=0)
    assert result.final_distance < 1.0


def test_categorical_skills() -> None:
    directions = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]], dtype=np.float64)
    planner = SkillPlanner(HandMadeSkills(CategoricalPrior(4), directions), hold_steps=2, n_candidates=30, n_refine=3, seed=0)
    result = planner.run(gym.make(POINT_WORLD_ID), goal=[-3.0, 2.0], max_steps=30, seed=0)
    assert all(isinstance(s, int) for s in result.skills)
    assert result.final_distance < 0.7


def test_bad_input() -> None:
    model = HandMadeSkills(UniformPrior(2))
    planner = SkillPlanner(model)
    with pytest.raises(ValueError, match="goal must have 2 entries"):
        planner.plan(np.zeros(2), goal=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="goal must have 2 entries"):
        planner.run(gym.make(POINT_WORLD_ID), goal=[1.0])
    with pytest.raises(ValueError, match="goal must be finite"):
        planner.plan(np.zeros(2), goal=[np.nan, 0.0])
    diayn = DIAYN(
        "MlpPolicy", POINT_WORLD_ID, n_skills=2, discriminator_arch=[8], policy_kwargs={"net_arch": [8]}, device="cpu"
    )
    with pytest.raises(TypeError, match=r"model must be a trained DADS agent .* got DIAYNSAC with reward_model DIAYNReward"):
        SkillPlanner(diayn)
    with pytest.raises(TypeError, match="model must be a trained DADS agent"):
        SkillPlanner(object())
    with pytest.raises(ValueError, match="n_candidates must be an integer >= 1"):
        SkillPlanner(model, n_candidates=0)
    with pytest.raises(ValueError, match="reward_type must be one of"):
        SkillPlanner(model, reward_type="shaped")
    with pytest.raises(ValueError, match="goal_features must be positions in \\[0, 2\\)"):
        SkillPlanner(model, goal_features=[2])
    partial = HandMadeSkills(UniformPrior(2))
    partial.reward_model = DADSReward(partial.skill_layout, features=[0], input_features=[0, 1], n_alternatives=2)
    with pytest.raises(ValueError, match="input_features to be a subset of features"):
        SkillPlanner(partial)
