"""OptionCritic and PPOC learn on every supported kind of environment (in the style of SB3's test_run.py)."""

from __future__ import annotations

import pathlib
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch as th
from gymnasium import spaces
from sb3_contrib import RecurrentPPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from agents import PPOC, OptionCritic
from agents.option_critic import OptionCriticPolicy
from hrl_wrappers.envs import FOUR_ROOMS_ID
from tests.helpers import TinyDictEnv

TINY: dict[str, Any] = {"policy_kwargs": {"net_arch": [16]}, "device": "cpu", "seed": 0}


@pytest.mark.parametrize(
    ("cls", "env_id", "extra"),
    [
        (OptionCritic, "CartPole-v1", {"n_steps": 8}),
        (OptionCritic, "Pendulum-v1", {"n_steps": 8, "n_envs": 2}),
        (OptionCritic, FOUR_ROOMS_ID, {"n_steps": 8, "deliberation_cost": 0.02}),
        (PPOC, "CartPole-v1", {"n_steps": 32, "batch_size": 16, "n_epochs": 2}),
        (PPOC, "Pendulum-v1", {"n_steps": 32, "batch_size": 16, "n_epochs": 2, "n_envs": 2}),
        (OptionCritic, "CartPole-v1", {"n_steps": 8, "policy_kwargs": {"net_arch": [16], "option_selection": "softmax"}}),
    ],
    ids=lambda v: str(v),
)
def test_learn_updates_every_head(cls: type[OptionCritic], env_id: str, extra: dict[str, Any]) -> None:
    model = cls("MlpPolicy", env_id, n_options=3, **{**TINY, **extra})
    assert isinstance(model.policy, OptionCriticPolicy)
    before = {name: p.detach().clone() for name, p in model.policy.named_parameters()}
    model.learn(64)
    assert model.num_timesteps >= 64
    changed = {name for name, p in model.policy.named_parameters() if not th.equal(p, before[name])}
    for head in ("q_net.weight", "termination_net.weight", "action_net.weight", "critic_body.0.weight", "actor_body.0.weight"):
        assert head in changed, f"{head} was not trained"


@pytest.mark.parametrize("vec_env_cls", [DummyVecEnv, SubprocVecEnv])
def test_vectorised_envs(vec_env_cls: type) -> None:
    model = OptionCritic("MlpPolicy", "CartPole-v1", n_options=2, n_envs=3, n_steps=4, vec_env_cls=vec_env_cls, **TINY)
    env = model.get_env()
    assert isinstance(env, vec_env_cls) and env.num_envs == 3
    model.learn(48)
    assert model.rollout_buffer.options.size == 12
    obs = env.reset()
    actions, state = model.predict(obs)
    assert actions.shape == (3,) and state.shape == (3,)
    env.close()


def test_option_metrics_are_logged(tmp_path: pathlib.Path) -> None:
    seen: dict[str, float] = {}

    class Grab(BaseCallback):
        def _on_rollout_end(self) -> None:
            seen.update(self.model.logger.name_to_value)

        def _on_step(self) -> bool:
            return True

    model = OptionCritic("MlpPolicy", "CartPole-v1", n_options=3, n_steps=16, tensorboard_log=str(tmp_path), **TINY)
    model.learn(128, callback=Grab(), progress_bar=False)
    usage = [seen[f"options/usage_{w}"] for w in range(3)]
    assert sum(usage) == pytest.approx(1.0)
    assert seen["options/max_usage"] == pytest.approx(max(usage))
    assert seen["options/mean_duration"] >= 1.0
    assert 0.0 < seen["options/termination_prob"] < 1.0
    assert list(tmp_path.glob("OptionCritic_1/events.out.tfevents.*"))


def test_rollout_options_follow_terminations() -> None:
    """Inside a rollout an option only changes where it was (re)chosen: at episode starts or after a termination."""
    model = OptionCritic("MlpPolicy", "CartPole-v1", n_options=4, n_steps=64, **TINY)
    model.policy.option_epsilon = 1.0  # random options: a change is visible whenever a new option is drawn
    model.learn(64)
    buf = model.rollout_buffer
    options = buf.options.reshape(64)
    starts = buf.option_starts.reshape(64).astype(bool)
    changed = options[1:] != options[:-1]
    assert not (changed & ~starts[1:]).any()
    assert starts[0] and starts.sum() > 1


def test_predict_carries_the_option_in_state() -> None:
    model = OptionCritic("MlpPolicy", "CartPole-v1", n_options=3, n_steps=8, **TINY)
    with th.no_grad():  # options never end: the option chosen first must be kept
        model.policy.termination_net.weight.zero_()
        model.policy.termination_net.bias.fill_(-50.0)
    env = gym.make("CartPole-v1")
    obs, _ = env.reset(seed=0)
    action, state = model.predict(obs)
    assert state.shape == (1,) and state.dtype == np.int64
    first = int(state[0])
    for _ in range(5):
        obs, *_ = env.step(int(action))
        action, state = model.predict(obs, state=state, episode_start=np.zeros(1, dtype=bool))
        assert int(state[0]) == first
    with th.no_grad():  # options always end: a new one each step, here the greedy one
        model.policy.termination_net.bias.fill_(50.0)
        model.policy.q_net.weight.zero_()
        model.policy.q_net.bias.copy_(th.tensor([0.0, 0.0, 1.0]))
    _, state = model.predict(obs, state=np.array([0]), deterministic=True)
    assert int(state[0]) == 2


def test_bad_input_names_the_argument() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="n_options"):
            OptionCritic("MlpPolicy", "CartPole-v1", n_options=bad)  # type: ignore[arg-type]
    multi = make_vec_env(lambda: _MultiDiscreteEnv(), n_envs=1)
    with pytest.raises(ValueError, match="action_space"):
        OptionCritic("MlpPolicy", multi)
    with pytest.raises(ValueError, match="observation_space"):
        OptionCritic("MlpPolicy", TinyDictEnv())
    with pytest.raises(ValueError, match="termination_reg"):
        OptionCritic("MlpPolicy", "CartPole-v1", termination_reg=float("nan"))
    with pytest.raises(ValueError, match="option_selection"):
        OptionCritic("MlpPolicy", "CartPole-v1", policy_kwargs={"option_selection": "greedy"})
    with pytest.raises(ValueError, match="policy_kwargs must not set n_options"):
        OptionCritic("MlpPolicy", "CartPole-v1", policy_kwargs={"n_options": 2})
    with pytest.raises(ValueError, match="clip_range"):
        PPOC("MlpPolicy", "CartPole-v1", clip_range=-0.1)
    with pytest.raises(ValueError, match="gamma"):
        OptionCritic("MlpPolicy", "CartPole-v1", gamma=float("nan"))


def test_predict_rejects_a_state_from_another_model() -> None:
    model = OptionCritic("MlpPolicy", "CartPole-v1", n_options=2, n_steps=8, **TINY)
    obs = np.zeros(4, dtype=np.float32)
    lstm_state = RecurrentPPO("MlpLstmPolicy", "CartPole-v1", n_steps=8, device="cpu").predict(obs)[1]
    for bad in (lstm_state, np.array([5]), np.array([0.0]), np.array([0, 1]), [1]):
        with pytest.raises(ValueError, match="state must be the option array"):
            model.predict(obs, state=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="episode_start"):
        model.predict(obs, state=np.array([1]), episode_start=np.zeros(3, dtype=bool))


class _MultiDiscreteEnv(gym.Env):
    observation_space = spaces.Box(-1, 1, (2,), np.float32)
    action_space = spaces.MultiDiscrete([2, 2])

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        return np.zeros(2, np.float32), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        return np.zeros(2, np.float32), 0.0, False, False, {}


@pytest.mark.parametrize("action_space", [spaces.Discrete(3), spaces.Box(-1, 1, (2,), np.float32)], ids=str)
def test_sampled_log_probs_match_the_intra_option_distribution(action_space: spaces.Space) -> None:
    policy = OptionCriticPolicy(spaces.Box(-1, 1, (4,), np.float32), action_space, lambda _: 1e-3, n_options=3, net_arch=[8])
    with th.no_grad():
        policy.action_net.weight.normal_()
        heads = policy.heads(th.randn(64, 4))
        options = th.randint(3, (64,))
        actions, log_probs = policy.sample_actions(heads, options)
        expected = policy.option_distribution(heads.action_params, options).log_prob(actions)
    assert th.allclose(log_probs, expected, atol=1e-5)
    if isinstance(action_space, spaces.Discrete):  # each option samples from its own softmax
        probs = th.softmax(heads.action_params[th.arange(64), options], -1)
        assert th.allclose(log_probs.exp(), probs[th.arange(64), actions], atol=1e-5)
