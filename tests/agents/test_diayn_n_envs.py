"""DIAYN with several environments: SubprocVecEnv for both back ends, and one reward-model call per step for all envs."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from agents import DIAYN
from hrl_wrappers import SkillWrapper
from hrl_wrappers.envs import POINT_WORLD_ID
from tests.agents.test_diayn_run import tiny_kwargs


@pytest.fixture(scope="module")
def subproc_env() -> Any:
    """Two skill-wrapped point worlds in worker processes (forked: the workers start in well under a second)."""
    env = make_vec_env(
        POINT_WORLD_ID,
        n_envs=2,
        seed=0,
        wrapper_class=SkillWrapper,
        wrapper_kwargs={"n_skills": 3},
        vec_env_cls=SubprocVecEnv,
        vec_env_kwargs={"start_method": "fork"},
    )
    yield env
    env.close()


@pytest.mark.parametrize("algo", ["SAC", "PPO"])
def test_subproc_vec_env(algo: str, subproc_env: Any) -> None:
    model = DIAYN("MlpPolicy", subproc_env, algo=algo, n_skills=3, **tiny_kwargs(algo))
    assert model.get_env() is subproc_env and subproc_env.num_envs == 2
    before = [p.detach().clone() for p in model.reward_model.parameters()]
    model.learn(256, log_interval=10**6)
    assert model.num_timesteps >= 256
    assert model._reward_callback.n_updates > 0
    after = list(model.reward_model.parameters())
    assert any(not np.array_equal(a.numpy(), b.detach().numpy()) for a, b in zip(before, after, strict=True))
    if algo == "SAC":
        assert model.replay_buffer.n_envs == 2 and model.replay_buffer.pos == 128  # 128 steps of 2 envs each


@pytest.mark.slow
def test_subproc_vec_env_built_by_the_agent() -> None:
    """``DIAYN(..., n_envs=2, vec_env_cls=SubprocVecEnv)``: SB3's default start method (forkserver: slower to start)."""
    model = DIAYN(
        "MlpPolicy", POINT_WORLD_ID, algo="PPO", n_skills=3, n_envs=2, vec_env_cls=SubprocVecEnv, **tiny_kwargs("PPO")
    )
    try:
        assert isinstance(model.get_env(), SubprocVecEnv)
        model.learn(128)
        assert model.num_timesteps >= 128
    finally:
        model.get_env().close()


def test_ppo_rollout_rewards_are_computed_in_one_batch_per_step_and_match_each_pair() -> None:
    n_envs, n_steps = 3, 32
    model: Any = DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        algo="PPO",
        n_skills=4,
        n_envs=n_envs,
        vec_env_cls=DummyVecEnv,
        **{**tiny_kwargs("PPO"), "n_steps": n_steps, "batch_size": 32},
    )
    batch_sizes: list[int] = []
    reward_model = model.reward_model
    original_reward = reward_model.reward

    def counting_reward(obs: Any, next_obs: Any) -> np.ndarray:
        batch_sizes.append(len(obs))
        return original_reward(obs, next_obs)

    reward_model.reward = counting_reward  # type: ignore[method-assign]
    captured: dict[str, Any] = {}
    model.learn(1)  # builds the rollout buffer and callbacks (one rollout)
    buffer = model.rollout_buffer
    original_relabel = buffer.relabel_rewards

    def spy_relabel() -> None:
        captured["model"] = copy.deepcopy(reward_model)  # the reward model as it relabels
        original_relabel()
        obs, next_obs = buffer.flat_pairs()
        captured.update(obs=obs.copy(), next_obs=next_obs.copy(), rewards=buffer.intrinsic_rewards.copy())

    buffer.relabel_rewards = spy_relabel  # type: ignore[method-assign]
    batch_sizes.clear()
    model.learn(n_steps * n_envs, reset_num_timesteps=False)
    # per rollout: one call for all n_steps * n_envs transitions. The callback's return tracking keeps its
    # transitions until an episode ends (none has after 64 of its 100 steps) and then scores them in one call too.
    assert batch_sizes == [n_steps * n_envs]

    # the batched rewards are each pair's own reward, log q(z|s') - log p(z), pair by pair
    snapshot = captured["model"]
    rewards = captured["rewards"]
    assert rewards.shape == (n_steps, n_envs)
    obs, next_obs = captured["obs"], captured["next_obs"]
    for i in range(n_steps * n_envs):
        direct = type(snapshot).reward(snapshot, obs[i : i + 1], next_obs[i : i + 1])[0]  # unpatched
        assert rewards.reshape(-1)[i] == pytest.approx(direct, abs=1e-5)
    # the layout is (step, env): env e's next observation is its own next observation (where no episode ended)
    obs3, next3 = obs.reshape(n_steps, n_envs, -1), next_obs.reshape(n_steps, n_envs, -1)
    np.testing.assert_allclose(next3[:-1], obs3[1:], atol=1e-6)  # point-world episodes (100 steps) do not end here
    assert not np.allclose(obs3[:, 0], obs3[:, 1])  # the envs differ (a mix-up of envs would fail above)
