"""The L2 penalty on a TD3 actor's actions: the formula, what it leaves alone, its effect, HIRO's option and errors."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch as th
from stable_baselines3 import SAC, TD3

from agents import HIRO
from agents.hiro.action_penalty import PenalisedQ1, add_action_penalty
from tests.agents.test_hiro import TINY, CountingEnv


def tiny_td3(**kwargs: object) -> TD3:
    return TD3(
        "MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [16]}, learning_starts=20, batch_size=16, seed=0, **kwargs
    )  # type: ignore[arg-type]


def test_penalised_q1_against_a_direct_computation() -> None:
    obs = th.tensor([[1.0, 2.0], [0.0, -1.0]])
    actions = th.tensor([[0.5, -1.0, 0.0], [0.2, 0.2, 0.2]])
    q1 = lambda o, a: o[:, :1] * 10  # noqa: E731 (any Q: here 10 x the first observation)
    got = PenalisedQ1(q1, coef=0.3)(obs, actions)
    want = th.tensor([[10.0 - 0.3 * (0.25 + 1.0 + 0.0) / 3], [0.0 - 0.3 * (3 * 0.04) / 3]])
    th.testing.assert_close(got, want)


def test_penalty_changes_only_the_actor_loss_path_and_does_not_stack() -> None:
    model = tiny_td3()
    obs = th.randn(5, 3)
    actions = th.rand(5, 1) * 2 - 1
    q1_before = model.critic.q1_forward(obs, actions).detach()
    both_before = [q.detach() for q in model.critic(obs, actions)]
    add_action_penalty(model, 2.0)
    add_action_penalty(model, 0.5)  # replaces the 2.0, does not add to it
    th.testing.assert_close(model.critic.q1_forward(obs, actions), q1_before - 0.5 * actions.pow(2).mean(-1, keepdim=True))
    for q, before in zip(model.critic(obs, actions), both_before, strict=True):  # the critic's own loss sees plain Q
        th.testing.assert_close(q.detach(), before)
    th.testing.assert_close(model.critic_target.q1_forward(obs, actions).detach(), q1_before)
    add_action_penalty(model, 0.0)
    assert not isinstance(model.critic.q1_forward, PenalisedQ1)
    th.testing.assert_close(model.critic.q1_forward(obs, actions).detach(), q1_before)


def test_a_large_penalty_pulls_the_actor_to_small_actions() -> None:
    """Same seed and data; with the penalty dominating Q, the trained actor's actions are near 0."""

    def mean_abs_action(coef: float) -> float:
        model = tiny_td3(learning_rate=3e-3)
        add_action_penalty(model, coef)
        model.learn(400)
        obs = th.as_tensor(model.replay_buffer.observations[:400, 0], dtype=th.float32)  # type: ignore[union-attr]
        with th.no_grad():
            return float(model.actor(obs).abs().mean())

    plain, penalised = mean_abs_action(0.0), mean_abs_action(1000.0)
    assert penalised < 0.1 < plain, (plain, penalised)


def test_hiro_option_survives_save_and_load(tmp_path: pathlib.Path) -> None:
    model = HIRO("MlpPolicy", CountingEnv(), c=3, goal_indices=[0, 1], goal_range=1.0, high_action_penalty=0.2, **TINY)
    model.learn(90)
    assert isinstance(model.high.critic.q1_forward, PenalisedQ1) and model.high.critic.q1_forward.coef == 0.2
    assert not isinstance(model.low.critic.q1_forward, PenalisedQ1)
    model.save(tmp_path / "hiro.zip")
    loaded = HIRO.load(tmp_path / "hiro.zip", env=CountingEnv())
    assert isinstance(loaded.high.critic.q1_forward, PenalisedQ1) and loaded.high.critic.q1_forward.coef == 0.2
    obs = th.as_tensor(np.ones((2, loaded.high_obs_dim)), dtype=th.float32)
    goals = th.tensor([[1.0, -1.0], [0.0, 0.5]])
    th.testing.assert_close(
        loaded.high.critic.q1_forward(obs, goals),
        loaded.high.critic.q1_forward.q1(obs, goals) - 0.2 * goals.pow(2).mean(-1, keepdim=True),
    )
    loaded.learn(30)


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(ValueError, match="model must be a TD3 model"):
        add_action_penalty(SAC("MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [8]}), 1.0)
    for coef in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="coef"):
            add_action_penalty(tiny_td3(), coef)
        with pytest.raises(ValueError, match="high_action_penalty must be a finite number"):
            HIRO("MlpPolicy", CountingEnv(), c=3, goal_indices=[0, 1], goal_range=1.0, high_action_penalty=coef, **TINY)
    with pytest.raises(ValueError, match="high_action_penalty needs a TD3 high level"):
        HIRO(
            "MlpPolicy",
            CountingEnv(),
            c=3,
            goal_indices=[0, 1],
            goal_range=1.0,
            high_algo="SAC",
            high_action_penalty=1.0,
            **TINY,
        )
