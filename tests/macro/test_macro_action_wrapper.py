"""MacroActionWrapper semantics, checked against direct computation on a hand-made environment and hand-made skills."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3 import A2C, DQN, PPO
from stable_baselines3.common.env_checker import check_env as sb3_check_env
from stable_baselines3.common.env_util import make_vec_env

from hrl_wrappers import CallableSkills, MacroActionWrapper, load_skills
from hrl_wrappers.envs import POINT_WORLD_ID


class RampEnv(gym.Env):
    """Reward ``a * (t + 1)`` at primitive step t (a: the 1-D action); terminates after ``terminate_at`` steps."""

    def __init__(self, terminate_at: int = 1000) -> None:
        self.observation_space = spaces.Box(0.0, np.inf, (1,), np.float32)
        self.action_space = spaces.Box(-10.0, 10.0, (1,), np.float32)
        self.terminate_at = terminate_at
        self.t = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.t = 0
        return np.array([0.0], np.float32), {}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        reward = float(np.asarray(action).reshape(-1)[0]) * (self.t + 1)
        self.t += 1
        return np.array([self.t], np.float32), reward, self.t >= self.terminate_at, False, {"t": self.t}


def constant_skills(env: gym.Env, values: tuple[float, ...] = (1.0, 2.0, 3.0)) -> CallableSkills:
    policies = [lambda obs, v=v: np.array([v], np.float32) for v in values]
    return CallableSkills(policies, env.observation_space, env.action_space)


def test_action_space_is_discrete_for_categorical_and_box_for_continuous() -> None:
    env = RampEnv()
    assert MacroActionWrapper(env, constant_skills(env)).action_space == spaces.Discrete(3)
    box = spaces.Box(-1.0, 1.0, (2,), np.float32)
    continuous = CallableSkills(
        lambda obs, z: np.array([z[0] + z[1]], np.float32), env.observation_space, env.action_space, box
    )
    assert MacroActionWrapper(env, continuous).action_space == box


def test_reward_is_the_sum_of_primitive_rewards() -> None:
    env = RampEnv()
    task = MacroActionWrapper(env, constant_skills(env), hold_steps=4)
    task.reset(seed=0)
    obs, reward, terminated, truncated, info = task.step(1)  # action 2.0 for steps t = 0..3
    assert reward == pytest.approx(2.0 * (1 + 2 + 3 + 4))
    assert info["primitive_steps"] == 4 and info["skill"] == 1 and info["t"] == 4
    assert obs.tolist() == [4.0] and (terminated, truncated) == (False, False)
    _, reward, *_ = task.step(2)  # action 3.0 for steps t = 4..7
    assert reward == pytest.approx(3.0 * (5 + 6 + 7 + 8))


def test_reward_is_discounted_within_a_macro_action() -> None:
    env = RampEnv()
    gamma = 0.9
    task = MacroActionWrapper(env, constant_skills(env), hold_steps=3, gamma=gamma)
    task.reset(seed=0)
    _, reward, _, _, info = task.step(0)  # action 1.0: rewards 1, 2, 3
    assert reward == pytest.approx(1 + gamma * 2 + gamma**2 * 3)
    assert info["macro_discount"] == pytest.approx(gamma**3)


def test_early_stop_on_termination() -> None:
    env = RampEnv(terminate_at=7)
    task = MacroActionWrapper(env, constant_skills(env), hold_steps=5)
    task.reset(seed=0)
    _, _, terminated, _, info = task.step(0)
    assert not terminated and info["primitive_steps"] == 5
    _, reward, terminated, truncated, info = task.step(0)
    assert (terminated, truncated) == (True, False)
    assert info["primitive_steps"] == 2 and env.t == 7
    assert reward == pytest.approx(6 + 7)


def test_truncation_is_passed_through_and_kept_apart() -> None:
    env = gym.wrappers.TimeLimit(RampEnv(), max_episode_steps=7)
    task = MacroActionWrapper(env, constant_skills(env), hold_steps=5)
    task.reset(seed=0)
    task.step(0)
    _, reward, terminated, truncated, info = task.step(0)
    assert (terminated, truncated) == (False, True)
    assert info["primitive_steps"] == 2 and reward == pytest.approx(6 + 7)


def test_skills_read_only_skill_obs_entries() -> None:
    env = gym.make("hrl_wrappers/PointWaypoints-v0")
    seen: list[np.ndarray] = []

    def east(obs: np.ndarray) -> np.ndarray:
        seen.append(np.asarray(obs))
        return np.array([1.0, 0.0], np.float32)

    skills = CallableSkills([east], spaces.Box(-10.0, 10.0, (2,), np.float32), env.action_space)
    task = MacroActionWrapper(env, skills, hold_steps=3, skill_obs=[0, 1])
    obs, _ = task.reset(seed=0)
    task.step(0)
    assert all(s.shape == (2,) for s in seen)
    np.testing.assert_allclose(seen[0], obs[:2])


def test_relative_obs_entries_are_read_from_where_the_macro_action_started() -> None:
    """Skills see ``obs[i] - obs_at_macro_start[i]`` for the relative entries and the rest as it is."""
    env = gym.make("hrl_wrappers/PointWaypoints-v0")  # obs = (x, y, waypoint x, waypoint y); max step 0.5
    seen: list[np.ndarray] = []

    def east(obs: np.ndarray) -> np.ndarray:
        seen.append(np.array(obs))
        return np.array([1.0, 0.0], np.float32)

    skills = CallableSkills([east], env.observation_space, env.action_space)
    task = MacroActionWrapper(env, skills, hold_steps=3, relative_obs=[0])
    assert task.macro_config["relative_obs"] == [0]
    obs, _ = task.reset(seed=0)
    first, *_ = task.step(0)
    task.step(0)
    # x relative to each macro-action's start: 0, 0.5, 1.0 in both holds (3 steps east of 0.5 each)
    np.testing.assert_allclose([c[0] for c in seen], [0.0, 0.5, 1.0, 0.0, 0.5, 1.0], atol=1e-5)
    np.testing.assert_allclose(first[0] - obs[0], 1.5, atol=1e-5)
    # y and the waypoint as they are
    np.testing.assert_allclose(seen[0][1:], obs[1:], atol=1e-6)
    np.testing.assert_allclose(seen[3][1:], first[1:], atol=1e-6)
    with pytest.raises(ValueError, match=r"relative_obs must be indices into the skills' 4 observation entries"):
        MacroActionWrapper(env, skills, relative_obs=[4])
    with pytest.raises(ValueError, match="relative_obs must be a sequence of integer indices"):
        MacroActionWrapper(env, skills, relative_obs=["x"])  # type: ignore[list-item]


def _rollout(task: gym.Env, seed: int, actions: list[int]) -> list[np.ndarray]:
    obs, _ = task.reset(seed=seed)
    out = [obs]
    for a in actions:
        obs, *_ = task.step(a)
        out.append(obs)
    return out


def test_seeding_makes_rollouts_repeat(diayn_path: pathlib.Path) -> None:
    for deterministic in (True, False):
        skills = load_skills(diayn_path, deterministic=deterministic)
        a = _rollout(MacroActionWrapper(gym.make(POINT_WORLD_ID), skills, hold_steps=5), 3, [0, 1, 2, 3])
        b = _rollout(MacroActionWrapper(gym.make(POINT_WORLD_ID), skills, hold_steps=5), 3, [0, 1, 2, 3])
        c = _rollout(MacroActionWrapper(gym.make(POINT_WORLD_ID), skills, hold_steps=5), 4, [0, 1, 2, 3])
        np.testing.assert_array_equal(np.stack(a), np.stack(b))
        assert not np.array_equal(np.stack(a), np.stack(c))


def test_gymnasium_and_sb3_check_env(diayn_path: pathlib.Path, diayn_continuous_path: pathlib.Path) -> None:
    for path in (diayn_path, diayn_continuous_path):
        task = MacroActionWrapper(gym.make(POINT_WORLD_ID), load_skills(path), hold_steps=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # the wrapper holds live skills, so Gymnasium cannot rebuild it from its spec (render and close checks)
            gym_check_env(task, skip_render_check=True, skip_close_check=True)
            sb3_check_env(task)


def test_vectorised_env_with_sb3(diayn_path: pathlib.Path) -> None:
    skills = load_skills(diayn_path)
    venv = make_vec_env(
        POINT_WORLD_ID, n_envs=2, seed=0, wrapper_class=MacroActionWrapper, wrapper_kwargs={"skills": skills, "hold_steps": 30}
    )
    assert venv.action_space == spaces.Discrete(4)
    venv.reset()
    dones = []
    for _ in range(4):  # 100-step episodes: the 4th macro step runs 10 primitive steps and truncates
        _, _, done, infos = venv.step(np.array([0, 3]))
        dones.append(done.copy())
        assert [i["skill"] for i in infos] == [0, 3]
    assert [i["primitive_steps"] for i in infos] == [10, 10]
    assert dones[-1].all() and not np.any(dones[:-1])
    assert all(i["TimeLimit.truncated"] for i in infos)
    PPO("MlpPolicy", venv, n_steps=8, batch_size=8, seed=0).learn(16)
    DQN("MlpPolicy", venv, learning_starts=4, seed=0).learn(16)
    A2C("MlpPolicy", venv, n_steps=4, seed=0).learn(16)


def test_continuous_skill_actions_are_clipped_and_checked() -> None:
    env = RampEnv()
    box = spaces.Box(-1.0, 1.0, (2,), np.float32)
    continuous = CallableSkills(
        lambda obs, z: np.array([z[0] + z[1]], np.float32), env.observation_space, env.action_space, box
    )
    task = MacroActionWrapper(env, continuous, hold_steps=1)
    task.reset(seed=0)
    _, reward, *_ = task.step(np.array([5.0, 0.25]))  # clipped to (1.0, 0.25)
    assert reward == pytest.approx(1.25)
    with pytest.raises(ValueError, match="action must be a continuous skill of shape"):
        task.step(np.zeros(3))
    with pytest.raises(ValueError, match="action must be finite"):
        task.step(np.array([np.nan, 0.0]))


@pytest.mark.parametrize("hold_steps", [0, -3, 2.5, True, "10"])
def test_hold_steps_below_one_or_not_an_int_is_rejected(hold_steps: Any) -> None:
    env = RampEnv()
    with pytest.raises(ValueError, match="hold_steps must be an integer >= 1"):
        MacroActionWrapper(env, constant_skills(env), hold_steps=hold_steps)


@pytest.mark.parametrize("gamma", [0.0, 1.5, -0.1])
def test_gamma_outside_zero_one_is_rejected(gamma: float) -> None:
    env = RampEnv()
    with pytest.raises(ValueError, match=r"gamma must be a number in \(0, 1\]"):
        MacroActionWrapper(env, constant_skills(env), gamma=gamma)


def test_out_of_range_skill_index_is_rejected() -> None:
    env = RampEnv()
    task = MacroActionWrapper(env, constant_skills(env))
    task.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be a skill index in \[0, 3\)"):
        task.step(3)
    with pytest.raises(ValueError, match="action must be one integer skill index"):
        task.step(1.5)


def test_skills_for_another_observation_space_are_rejected(diayn_path: pathlib.Path) -> None:
    skills = load_skills(diayn_path)  # trained on the point world's (x, y)
    with pytest.raises(ValueError, match=r"skills were trained on observations Box\(shape=\(2,\).*is Box\(shape=\(3,\)"):
        MacroActionWrapper(gym.make("Pendulum-v1"), skills)
    with pytest.raises(ValueError, match="pass skill_obs"):
        MacroActionWrapper(gym.make("hrl_wrappers/PointWaypoints-v0"), skills)
    with pytest.raises(ValueError, match=r"skills act in Box\(shape=\(2,\).*action space is Discrete\(3\)"):
        with pytest.warns(UserWarning, match="observation bounds"):  # MountainCar's (x, v) has other bounds
            MacroActionWrapper(gym.make("MountainCar-v0"), skills)
    with pytest.raises(ValueError, match="skill_obs must be indices"):
        MacroActionWrapper(gym.make("hrl_wrappers/PointWaypoints-v0"), skills, skill_obs=[0, 7])


def test_an_object_that_is_not_a_skill_set_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"skills must be a skill set.*has no 'skill_space'"):
        MacroActionWrapper(RampEnv(), object())  # type: ignore[arg-type]


def test_the_wrapper_needs_no_torch() -> None:
    code = (
        "import sys\n"
        "import numpy as np, gymnasium as gym\n"
        "from hrl_wrappers import CallableSkills, MacroActionWrapper\n"
        "env = gym.make('hrl_wrappers/PointWaypoints-v0')\n"
        "box = gym.spaces.Box(-10.0, 10.0, (2,), np.float32)\n"
        "skills = CallableSkills([lambda obs: np.ones(2, np.float32)], box, env.action_space)\n"
        "task = MacroActionWrapper(env, skills, hold_steps=4, skill_obs=[0, 1])\n"
        "task.reset(seed=0)\n"
        "task.step(0)\n"
        "print(','.join(m for m in ('torch', 'stable_baselines3') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
