"""Every wrapper of hrl_wrappers passes Gymnasium's (and, where it applies, SB3's) env checker around a ``gym.make`` env.

Also: :class:`IntrinsicRewardWrapper` is deterministic under ``reset(seed)``, whatever the global random state.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from hrl_wrappers import DADSReward, DIAYNReward, IntrinsicRewardWrapper, MacroActionWrapper, ScaleAction, SkillWrapper
from hrl_wrappers.envs.waypoints import WaypointsWrapper
from hrl_wrappers.skills import CallableSkills

POINT = "hrl_wrappers/PointWorld-v0"


def _skill_env() -> gym.Env:
    return SkillWrapper(gym.make(POINT), n_skills=3)


def _continuous_skill_env() -> gym.Env:
    return SkillWrapper(gym.make("Pendulum-v1"), skill_dim=2)


def _macro_env() -> gym.Env:
    env = gym.make(POINT)
    moves = [lambda obs, d=d: np.array(d, dtype=np.float32) for d in ([1, 0], [0, 1], [-1, 0], [0, -1])]
    return MacroActionWrapper(env, CallableSkills(moves, env.observation_space, env.action_space), hold_steps=3)


def _scale_env() -> gym.Env:
    return ScaleAction(gym.make("Pendulum-v1"), 0.5)


def _diayn_env() -> gym.Env:
    env = _skill_env()
    return IntrinsicRewardWrapper(env, DIAYNReward.for_env(env, net_arch=[16]), extrinsic_coef=0.5)


def _dads_env() -> gym.Env:
    env = _continuous_skill_env()
    return IntrinsicRewardWrapper(env, DADSReward.for_env(env, net_arch=[16], n_alternatives=8))


def _waypoints_env() -> gym.Env:
    return WaypointsWrapper(gym.make(POINT), waypoints=[(1.0, 0.0), (0.0, 1.0)], radius=0.5)


def _locomotion_env() -> gym.Env:
    pytest.importorskip("mujoco")
    from hrl_wrappers.locomotion import ExposePositionWrapper

    return ExposePositionWrapper(gym.make("HalfCheetah-v5", exclude_current_positions_from_observation=True))


WRAPPERS: dict[str, Callable[[], gym.Env]] = {
    "SkillWrapper": _skill_env,
    "SkillWrapper-continuous": _continuous_skill_env,
    "MacroActionWrapper": _macro_env,
    "ScaleAction": _scale_env,
    "IntrinsicRewardWrapper-DIAYN": _diayn_env,
    "IntrinsicRewardWrapper-DADS": _dads_env,
    "WaypointsWrapper": _waypoints_env,
    "ExposePositionWrapper": _locomotion_env,
}


#: the checkers' advice about the wrapped env itself (Pendulum's [-2, 2] actions, unbounded positions), not failures
ADVICE = (
    ".*is different from the unwrapped version",
    ".*symmetric and normalized",
    ".*minimum value is -infinity",
    ".*maximum value is infinity",
)


@pytest.mark.parametrize("name", list(WRAPPERS))
def test_gymnasium_check_env(name: str) -> None:
    env = WRAPPERS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning from the checker is a failure too, but for its advice
        for message in ADVICE:
            warnings.filterwarnings("ignore", message=message)
        gym_check_env(env, skip_render_check=True)
    assert env.spec is not None and env.spec.additional_wrappers[-1].kwargs is not None  # rebuildable from its spec
    rebuilt = gym.make(env.spec)
    assert type(rebuilt) is type(env) and rebuilt.observation_space == env.observation_space
    env.close()
    rebuilt.close()


@pytest.mark.parametrize("name", list(WRAPPERS))
def test_sb3_check_env(name: str) -> None:
    env = WRAPPERS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for message in ADVICE:
            warnings.filterwarnings("ignore", message=message)
        sb3_check_env(env, warn=True, skip_render_check=True)
    env.close()


def _rewards(env: gym.Env, seed: int, actions: list[np.ndarray]) -> list[float]:
    torch.manual_seed(random.randrange(2**31))  # disturb the global generators between runs
    np.random.seed(random.randrange(2**31))
    torch.rand(7)
    env.reset(seed=seed)
    return [float(env.step(a)[1]) for a in actions]


@pytest.mark.parametrize("name", ["IntrinsicRewardWrapper-DADS", "IntrinsicRewardWrapper-DIAYN"])
def test_intrinsic_reward_is_deterministic_under_reset_seed(name: str) -> None:
    env = WRAPPERS[name]()
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(20)]
    first = _rewards(env, 5, actions)
    second = _rewards(env, 5, actions)
    global_state = torch.get_rng_state()
    third = _rewards(env, 5, actions)
    assert first == second == third
    assert len(set(first)) > 1
    # the global generators are left as they were
    torch.set_rng_state(global_state)
    before = torch.rand(3)
    torch.set_rng_state(global_state)
    env.reset(seed=5)
    env.step(actions[0])
    assert torch.equal(torch.rand(3), before)
    other = _rewards(env, 6, actions)
    assert other != first  # another seed, other alternatives (or another skill)
