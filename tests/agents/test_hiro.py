"""HIRO: training on Box and Dict (Gymnasium-Robotics) envs, stored rewards, predict's state, save/load, bad input."""

from __future__ import annotations

import json
import pathlib
import pickle
import zipfile
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3 import TD3
from stable_baselines3.common.logger import configure

from agents import HIRO
from agents.hiro.save_load import CONFIG_FILE, CONFIG_PICKLE
from tests.helpers import TinyDictEnv

TINY: dict[str, Any] = {
    "policy_kwargs": {"net_arch": [16]},
    "batch_size": 16,
    "buffer_size": 2000,
    "learning_starts": 40,
    "device": "cpu",
    "seed": 0,
}


class CountingEnv(gym.Env):
    """A 3-D Box env whose reward is 1 + the step index (so the high level's sums are known), 23 steps long."""

    observation_space = spaces.Box(-10.0, 10.0, (3,), np.float32)
    action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._t = 0
        self._s = self.np_random.uniform(-1, 1, 3).astype(np.float32)
        return self._s.copy(), {}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        reward = 1.0 + self._t
        self._t += 1
        self._s = np.clip(self._s + np.r_[0.1 * np.asarray(action), 0.05], -10, 10).astype(np.float32)
        return self._s.copy(), reward, False, self._t >= 23, {"is_success": self._t >= 23}


def pointmaze(**kwargs: Any) -> gym.Env:
    import gymnasium_robotics

    gym.register_envs(gymnasium_robotics)
    return gym.make("PointMaze_UMaze-v3", continuing_task=False, max_episode_steps=50, **kwargs)


@pytest.fixture(scope="module")
def counting_model() -> HIRO:
    # terminal period ends, so that the low level's dones mark where a fresh goal is drawn (the other setting is
    # test_low_level_period_ends_terminal_or_bootstrapped's)
    model = HIRO(
        "MlpPolicy", CountingEnv, c=5, goal_indices=[0, 1], goal_range=0.5, n_envs=2, low_bootstrap_periods=False, **TINY
    )
    model.learn(200)
    return model


def test_low_level_rewards_and_goal_transitions_stored(counting_model: HIRO) -> None:
    buf = counting_model.low_buffer
    n = buf.size()
    obs, next_obs = buf.observations[:n].reshape(-1, 5), buf.next_observations[:n].reshape(-1, 5)
    s, g, s2, g2 = obs[:, :3], obs[:, 3:], next_obs[:, :3], next_obs[:, 3:]
    # the low level sees the whole state (nothing hidden) then the goal: r = -||s + g - s'||, g' = h(s, g, s')
    np.testing.assert_allclose(buf.rewards[:n].reshape(-1), -np.linalg.norm(s[:, :2] + g - s2[:, :2], axis=1), atol=1e-5)
    np.testing.assert_allclose(g2, s[:, :2] + g - s2[:, :2], atol=1e-5)
    # per env: within a period the next step starts from the carried goal h(s, g, s'); after a period ends (done,
    # every c = 5 steps or at the episode end) a fresh goal is drawn inside the goal range
    goals, next_goals, dones = buf.observations[:n, :, 3:], buf.next_observations[:n, :, 3:], buf.dones[:n]
    carried = dones[:-1] == 0
    np.testing.assert_allclose(goals[1:][carried], next_goals[:-1][carried], atol=1e-5)
    assert np.all(np.abs(goals[1:][~carried]) <= 0.5 + 1e-6)
    assert np.all(dones.sum(axis=0) >= (n - 1) // 5)


@pytest.mark.parametrize("bootstrap", [False, True])
def test_low_level_period_ends_terminal_or_bootstrapped(bootstrap: bool) -> None:
    model = HIRO("MlpPolicy", CountingEnv, c=5, goal_indices=[0, 1], goal_range=0.5, low_bootstrap_periods=bootstrap, **TINY)
    model.learn(92)  # four 23-step episodes (time limits); periods of 5 steps: 0-4, 5-9, ..., 20-22 in each
    buf = model.low_buffer
    t = np.arange(buf.size()) % 23  # the step index within its episode
    episode_end, period_end = t == 22, (t % 5 == 4) | (t == 22)
    dones, timeouts = buf.dones[: buf.size(), 0], buf.timeouts[: buf.size(), 0]
    # terminal at every period's end, or with low_bootstrap_periods only where the episode ended; in both cases the
    # episode's time limit (which here never falls on a full period's end) is stored as a timeout: bootstrapped
    np.testing.assert_array_equal(dones, episode_end if bootstrap else period_end)
    np.testing.assert_array_equal(timeouts, episode_end)
    # either way the next observation carries the goal on by h, and the reward is -||s + g - s'||
    obs, next_obs = buf.observations[: buf.size(), 0], buf.next_observations[: buf.size(), 0]
    np.testing.assert_allclose(next_obs[:, 3:], obs[:, :2] + obs[:, 3:] - next_obs[:, :2], atol=1e-5)
    reward = -np.linalg.norm(obs[:, :2] + obs[:, 3:] - next_obs[:, :2], axis=1)
    np.testing.assert_allclose(buf.rewards[: buf.size(), 0], reward, atol=1e-5)


def test_high_level_reward_is_scaled_sum_of_env_rewards(counting_model: HIRO) -> None:
    buf = counting_model.high_buffer
    n = buf.size()
    rewards, steps = buf.rewards[:n, 0], buf.n_low_steps[:n, 0]
    # the env pays 1 + t at step t; episodes are 23 steps, so the periods of c=5 steps are [0..4], ..., [20..22]
    assert set(steps.tolist()) == {5, 3}
    first_t = np.round(rewards / 0.1 - np.array([sum(range(1, k + 1)) for k in steps]), 4) / steps  # t0 of the period
    expected = np.array([0.1 * sum(1 + t0 + i for i in range(k)) for t0, k in zip(first_t, steps, strict=True)])
    np.testing.assert_allclose(rewards, expected, rtol=1e-5)
    assert set(np.round(first_t).astype(int).tolist()) <= {0, 5, 10, 15, 20}
    # the last period of each episode ends with done, stored as a time-limit truncation (bootstrapped)
    last = steps == 3
    assert np.all(buf.dones[:n, 0][last] == 1) and np.all(buf.timeouts[:n, 0][last] == 1)


def test_gradient_steps_of_each_level() -> None:
    # 100 steps, c=5, training from step 41 (learning_starts=40): the low level trains after each of steps 41..100
    # (60 calls of 2 steps); the high level after each step that closes a period, 45, 50, ..., 100 (12 calls of 3)
    kwargs = {**TINY, "learning_starts": 40}
    model = HIRO("MlpPolicy", CountingEnv, c=5, goal_range=0.5, gradient_steps=2, high_gradient_steps=3, **kwargs)
    model.learn(100)
    assert model.low._n_updates == 60 * 2
    assert model.high._n_updates == 12 * 3


def test_predict_carries_goal_and_step_counter(counting_model: HIRO) -> None:
    env = CountingEnv()
    obs, _ = env.reset(seed=1)
    action, state = counting_model.predict(obs)
    goals = [state[0][0].copy()]
    last_obs = obs
    for t in range(1, 12):
        obs, *_ = env.step(action)
        action, state = counting_model.predict(obs, state=state)
        assert action.shape == (2,) and int(state[1][0]) == t + 1
        if t % 5 != 0:  # within a period: the goal is carried by h
            np.testing.assert_allclose(state[0][0], last_obs[:2] + goals[-1] - obs[:2], atol=1e-5)
        goals.append(state[0][0].copy())
        last_obs = obs
    _, restarted = counting_model.predict(obs, state=state, episode_start=np.array([True]))
    assert int(restarted[1][0]) == 1
    batch_action, batch_state = counting_model.predict(np.stack([obs, obs]))
    assert batch_action.shape == (2, 2) and batch_state[0].shape == (2, 2)


def test_pointmaze_dict_observation_hidden_xy_and_metrics(tmp_path: pathlib.Path) -> None:
    model = HIRO("MlpPolicy", pointmaze, c=4, goal_indices=[0, 1], goal_range=1.0, low_level_hidden=[0, 1, 2, 3], **TINY)
    # state = achieved_goal (x, y) + observation (x, y, vx, vy); the low level sees vx, vy and the goal only
    assert model.state_dim == 6 and model.low.observation_space.shape == (2 + 2,)
    assert model.high.observation_space.shape == (6 + 2,)
    model.set_logger(configure(str(tmp_path), ["csv"]))
    model.learn(150, log_interval=1)
    text = (tmp_path / "progress.csv").read_text().splitlines()[0]
    for key in ("hiro/subgoal_distance", "hiro/correction_original", "hiro/correction_diff", "hiro/success_rate"):
        assert key in text
    obs, _ = pointmaze().reset(seed=0)
    action, _ = model.predict(obs)
    assert action.shape == (2,)


def test_hindsight_and_sac_back_end_run_save_and_load(tmp_path: pathlib.Path) -> None:
    model = HIRO(
        "MlpPolicy", pointmaze, c=4, goal_range=1.0, algo="SAC", high_hindsight=0.5,
        hindsight_success_distance=0.45, **TINY,
    )  # fmt: skip
    model.learn(120)
    assert model.high_buffer.size() > 0 and model.high.__class__.__name__ == "SAC"
    batch = model.high_buffer.sample(8)
    assert torch.isfinite(batch.rewards).all()
    model.save(tmp_path / "her.zip", include_buffers=True)
    loaded = HIRO.load(tmp_path / "her.zip", env=pointmaze, device="cpu")
    assert loaded.high_buffer.size() == model.high_buffer.size()
    assert loaded.high_buffer.episodes == model.high_buffer.episodes
    loaded.high_buffer.sample(8)  # the correction and the env's compute_reward are re-attached
    without_env = HIRO.load(tmp_path / "her.zip", device="cpu")
    with pytest.raises(RuntimeError, match="high_hindsight needs the environment's compute_reward"):
        without_env.high_buffer.sample(64)


def assert_same_state(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same_state(a[k], b[k])
    elif isinstance(a, list | tuple):
        for x, y in zip(a, b, strict=True):
            assert_same_state(x, y)
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b)
    else:
        assert a == b


@pytest.mark.parametrize("include_buffers", [True, False])
def test_save_load_keeps_both_levels_optimizers_and_buffers(
    counting_model: HIRO, tmp_path: pathlib.Path, include_buffers: bool
) -> None:
    path = tmp_path / "hiro.zip"
    counting_model.save(path, include_buffers=include_buffers)
    loaded = HIRO.load(path, env=CountingEnv, n_envs=2, device="cpu")
    for name in ("high", "low"):
        old, new = getattr(counting_model, name), getattr(loaded, name)
        assert_same_state(old.policy.state_dict(), new.policy.state_dict())
        assert_same_state(old.actor.optimizer.state_dict(), new.actor.optimizer.state_dict())
        assert_same_state(old.critic.optimizer.state_dict(), new.critic.optimizer.state_dict())
    assert loaded.num_timesteps == counting_model.num_timesteps
    if include_buffers:
        assert loaded.low_buffer.size() == counting_model.low_buffer.size()
        np.testing.assert_array_equal(loaded.high_buffer.low_actions, counting_model.high_buffer.low_actions)
        np.testing.assert_array_equal(loaded.low_buffer.observations, counting_model.low_buffer.observations)
        loaded.high_buffer.sample(4)  # the correction is re-attached to the loaded low level
    else:
        assert loaded.low_buffer.size() == 0 and loaded.high_buffer.size() == 0
    obs = np.array([0.1, 0.2, 0.3], np.float32)
    np.testing.assert_allclose(loaded.predict(obs)[0], counting_model.predict(obs)[0], atol=1e-6)
    loaded.learn(30, reset_num_timesteps=False)


def test_save_load_with_a_class_in_policy_kwargs(tmp_path: pathlib.Path) -> None:
    kwargs = {**TINY, "policy_kwargs": {"net_arch": [8], "activation_fn": torch.nn.Tanh}}
    model = HIRO("MlpPolicy", CountingEnv, goal_range=0.5, **kwargs)
    model.save(tmp_path / "tanh.zip")
    loaded = HIRO.load(tmp_path / "tanh.zip", device="cpu")
    assert loaded.config["policy_kwargs"]["activation_fn"] is torch.nn.Tanh
    assert loaded.low.policy_kwargs["activation_fn"] is torch.nn.Tanh


def test_checkpoint_from_before_low_bootstrap_periods_keeps_terminal_period_ends(tmp_path: pathlib.Path) -> None:
    model = HIRO("MlpPolicy", CountingEnv, goal_range=0.5, **TINY)
    assert model.config["low_bootstrap_periods"] is True  # the default
    model.save(tmp_path / "new.zip")
    assert HIRO.load(tmp_path / "new.zip", device="cpu").config["low_bootstrap_periods"] is True
    # the same checkpoint as written before the option existed: its config has no such key
    with zipfile.ZipFile(tmp_path / "new.zip") as src, zipfile.ZipFile(tmp_path / "old.zip", "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == CONFIG_FILE:
                meta = json.loads(data)
                del meta["config"]["low_bootstrap_periods"]
                data = json.dumps(meta).encode()
            elif name == CONFIG_PICKLE:
                meta = pickle.loads(data)
                del meta["config"]["low_bootstrap_periods"]
                data = pickle.dumps(meta)
            dst.writestr(name, data)
    assert HIRO.load(tmp_path / "old.zip", device="cpu").config["low_bootstrap_periods"] is False


def test_load_rejects_other_checkpoints(tmp_path: pathlib.Path) -> None:
    TD3("MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [8]}).save(tmp_path / "td3.zip")
    with pytest.raises(ValueError, match=r"path=.*is not a HIRO checkpoint: it is an SB3 checkpoint"):
        HIRO.load(tmp_path / "td3.zip")
    (tmp_path / "junk.zip").write_text("not a zip")
    with pytest.raises(ValueError, match="not a zip file"):
        HIRO.load(tmp_path / "junk.zip")


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(ValueError, match=r"goal_indices=\[0, 7\] must be indices of the state, 0..2"):
        HIRO("MlpPolicy", CountingEnv, goal_indices=[0, 7], goal_range=1.0)
    with pytest.raises(ValueError, match="c must be >= 1"):
        HIRO("MlpPolicy", CountingEnv, c=0, goal_range=1.0)
    with pytest.raises(ValueError, match=r"env: action_space must be a 1-D gymnasium\.spaces\.Box"):
        HIRO("MlpPolicy", "CartPole-v1", goal_range=1.0)
    with pytest.raises(ValueError, match=r"state_keys=\['achieved_goal', 'observation'\]: the Dict observation has no"):
        HIRO("MlpPolicy", TinyDictEnv, goal_range=1.0)
    with pytest.raises(ValueError, match="desired_goal_key='desired_goal' is not a key"):
        HIRO("MlpPolicy", TinyDictEnv, goal_range=1.0, state_keys=["pos"])
    with pytest.raises(ValueError, match=r"env: observation_space\['room'\] must be a Box"):
        HIRO("MlpPolicy", TinyDictEnv, goal_range=1.0, state_keys=["pos", "room"], desired_goal_key=None)
    with pytest.raises(ValueError, match="nested Dict"):
        HIRO("MlpPolicy", lambda: TinyDictEnv(nested=True), state_keys=["pos"], desired_goal_key=None, goal_range=1.0)
    with pytest.raises(ValueError, match="goal_range must be given"):
        HIRO("MlpPolicy", pointmaze)
    with pytest.raises(ValueError, match="high_gradient_steps must be >= 1"):
        HIRO("MlpPolicy", CountingEnv, goal_range=1.0, high_gradient_steps=0)
    with pytest.raises(ValueError, match="algo must be one of"):
        HIRO("MlpPolicy", CountingEnv, algo="PPO", goal_range=1.0)
    with pytest.raises(ValueError, match="high_hindsight needs a goal-conditioned env"):
        HIRO("MlpPolicy", CountingEnv, goal_range=1.0, high_hindsight=0.5)
    model = HIRO("MlpPolicy", CountingEnv, goal_range=1.0, **TINY)
    with pytest.raises(ValueError, match="observation must have shape"):
        model.predict(np.zeros(4))
    with pytest.raises(ValueError, match="NaN"):
        model.predict(np.array([np.nan, 0.0, 0.0]))


def test_antmaze_goal_space_from_achieved_goal_and_blind_low_level() -> None:
    import gymnasium_robotics

    gym.register_envs(gymnasium_robotics)
    model = HIRO(
        "MlpPolicy", "AntMaze_UMaze-v5", env_kwargs={"continuing_task": False, "max_episode_steps": 60},
        goal_indices=[0, 1], goal_range=2.0, low_level_hidden=[0, 1], **{**TINY, "learning_starts": 30},
    )  # fmt: skip
    # x-y exist only in achieved_goal: state = achieved_goal (2) + observation (105); the low level drops x-y
    assert model.state_dim == 107 and model.low.observation_space.shape == (105 + 2,)
    model.learn(80)
    buf = model.low_buffer
    # the stored low-level observations never contain the absolute position: they match the state without x-y
    assert buf.observations.shape[-1] == 107
    assert model.high_buffer.size() > 0


class _LineEnv(gym.Env):
    """Position on a line; the action is added to it; 5 steps per episode."""

    observation_space = gym.spaces.Box(-100.0, 100.0, (1,), np.float32)
    action_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.x, self.t = 0.0, 0
        return np.array([self.x], np.float32), {}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        self.x += float(action[0])
        self.t += 1
        return np.array([self.x], np.float32), 0.0, False, self.t >= 5, {}


class _HalfwayHIRO:
    """A hand-made two-level agent: every c=2 steps the goal +2, then steps of 0.5 (a quarter of the goal)."""

    c = 2
    goal_indices = np.array([0])
    goal_low, goal_high = np.array([-2.0]), np.array([2.5])  # the goal +2 is 0.8 of the way from the centre 0.25

    def states(self, observation: np.ndarray) -> np.ndarray:
        return np.asarray(observation, dtype=np.float32)

    def predict(self, obs: np.ndarray, state: Any, episode_start: np.ndarray, deterministic: bool) -> Any:
        steps = np.zeros(1, np.int64) if state is None or episode_start[0] else state[1]
        goals = np.array([[2.0]], np.float32) if steps[0] % self.c == 0 else state[0] - 0.5
        return np.array([0.5], np.float32), (goals, steps + 1, np.asarray(obs)[None])


def test_subgoal_reaching_against_a_direct_computation() -> None:
    from agents.hiro.evaluation import evaluate_subgoal_reaching

    stats = evaluate_subgoal_reaching(_HalfwayHIRO(), _LineEnv, n_episodes=2)
    # periods of an episode: from 0 to target 2, reaching 1; from 1 to 3, reaching 2; from 2 to 4, reaching 2.5 at
    # the episode's end. Distances when drawn: 2, 2, 2; at the end: 1, 1, 1.5. Two identical episodes.
    assert stats["periods"] == 6
    assert stats["goal_distance"] == pytest.approx(2.0)
    assert stats["final_distance"] == pytest.approx((1 + 1 + 1.5) / 3)
    assert stats["final_over_goal"] == pytest.approx((1 + 1 + 1.5) / 3 / 2)
    assert stats["saturated"] == 0.0  # |2 - 0.25| = 1.75 < 0.95 x 2.25
    _HalfwayHIRO.goal_high = np.array([2.1])  # centre 0.05, half-width 2.05: |2 - 0.05| = 1.95 >= 1.9475
    try:
        assert evaluate_subgoal_reaching(_HalfwayHIRO(), _LineEnv, n_episodes=1)["saturated"] == 1.0
    finally:
        _HalfwayHIRO.goal_high = np.array([2.5])


@pytest.mark.parametrize(("algo", "high_algo"), [("TD3", "SAC"), ("SAC", "TD3")])
def test_mixed_back_ends_train_and_keep_the_config_clean(tmp_path: pathlib.Path, algo: str, high_algo: str) -> None:
    """SB3's SAC writes use_sde into its policy_kwargs: a dict shared with a TD3 level made TD3 refuse to build."""
    model = HIRO("MlpPolicy", CountingEnv, c=5, goal_range=0.5, algo=algo, high_algo=high_algo, **TINY)
    assert type(model.high).__name__ == high_algo and type(model.low).__name__ == algo
    assert model.config["policy_kwargs"] == {"net_arch": [16]}
    model.learn(60)
    model.save(tmp_path / "mixed")
    loaded = HIRO.load(tmp_path / "mixed", env=CountingEnv)
    assert type(loaded.high).__name__ == high_algo and type(loaded.low).__name__ == algo
    loaded.learn(10)
