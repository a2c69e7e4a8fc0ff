"""HIRO's two levels: the high- and low-level SB3 learners, their spaces, inputs and outputs, and their wiring.

The high level is an SB3 off-policy learner over the placeholder spaces ``(state, desired goal) -> relative goal``
whose replay buffer is an :class:`~hrl_wrappers.sb3.off_policy_correction.OffPolicyCorrectionReplayBuffer` (the
off-policy correction asks the low level for its actions); the low level maps ``(visible state, goal) -> action`` and
is rewarded by :class:`~hrl_wrappers.rewards.subgoal.SubgoalReward`. Neither learner ever steps an environment:
:class:`~agents.hiro.hiro.HIRO` collects the data itself.
"""

from __future__ import annotations

import numbers
from typing import Any

import gymnasium as gym
import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3 import SAC, TD3
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

from agents.hiro.action_penalty import add_action_penalty
from hrl_wrappers.rewards.subgoal import SubgoalReward
from hrl_wrappers.sb3.off_policy_correction import OffPolicyCorrectionReplayBuffer

__all__ = ["ALGOS", "HIROLevelsMixin", "check_arguments"]

ALGOS: dict[str, type[OffPolicyAlgorithm]] = {"TD3": TD3, "SAC": SAC}


class _SpacesEnv(gym.Env):
    """An environment that only carries spaces, to build an SB3 learner that never steps it."""

    def __init__(self, observation_space: spaces.Space, action_space: spaces.Space) -> None:
        self.observation_space = observation_space
        self.action_space = action_space

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        return self.observation_space.sample(), {}

    def step(self, action: Any) -> Any:
        raise RuntimeError("HIRO steps the real environment itself; this placeholder only carries spaces")


def _no_reward_fn(achieved: np.ndarray, desired: np.ndarray) -> np.ndarray:
    """The high level's goal reward until an env (and its ``compute_reward``) is attached."""
    raise RuntimeError("high_hindsight needs the environment's compute_reward: attach an env (HIRO.load(path, env=...))")


def _check_action_penalty(penalty: float, high_algo: str) -> None:
    """Refuse a negative or infinite ``high_action_penalty``, or a positive one with a high level other than TD3."""
    if not (0.0 <= penalty < float("inf")):
        raise ValueError(f"high_action_penalty must be a finite number >= 0, got {penalty}")
    if penalty > 0 and high_algo.upper() != "TD3":
        raise ValueError(f"high_action_penalty needs a TD3 high level (high_algo='TD3'), got {high_algo!r}")


def _check_whole(value: Any, name: str, minimum: int, what: str) -> None:
    """Refuse ``value`` unless it is a whole number >= ``minimum`` (``c=2.5``, ``batch_size=0``)."""
    whole = isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and float(value).is_integer())
    if isinstance(value, bool) or not whole or value < minimum:
        raise ValueError(f"{name} must be >= {minimum} (a whole number of {what}), got {value!r}")


def check_arguments(
    *,
    c: int,
    n_envs: int,
    algo: str,
    high_algo: str | None,
    reward_scale: float,
    correction_sigma: float,
    n_candidates: int,
    high_hindsight: float,
    gradient_steps: int,
    high_gradient_steps: int,
    high_noise: float,
    low_noise: float,
    high_action_penalty: float,
    batch_size: int = 100,
    learning_starts: int = 0,
    buffer_size: int = 1,
) -> None:
    """Refuse HIRO arguments out of range (each as :class:`~agents.hiro.hiro.HIRO` documents it)."""
    _check_whole(c, "c", 1, "environment steps between high-level goals")
    _check_whole(n_envs, "n_envs", 1, "environments")
    _check_whole(batch_size, "batch_size", 1, "transitions per gradient step of each level")
    _check_whole(learning_starts, "learning_starts", 0, "environment steps before the levels train")
    _check_whole(buffer_size, "buffer_size", 1, "transitions kept by the low level's replay buffer")
    for name, value in (("algo", algo), ("high_algo", high_algo if high_algo is not None else algo)):
        if str(value).upper() not in ALGOS:
            raise ValueError(f"{name} must be one of {sorted(ALGOS)} (an SB3 off-policy algorithm), got {value!r}")
    for number_name, number in (("reward_scale", reward_scale), ("correction_sigma", correction_sigma)):
        if not np.isfinite(number):
            raise ValueError(f"{number_name} must be finite, got {number}")
    _check_whole(n_candidates, "n_candidates", 2, "candidate goals of the off-policy correction")
    if int(n_candidates) < 2:
        raise ValueError(f"n_candidates must be >= 2, got {n_candidates}")
    if not 0.0 <= high_hindsight <= 1.0:
        raise ValueError(f"high_hindsight must be in [0, 1], got {high_hindsight}")
    for steps_name, steps in (("gradient_steps", gradient_steps), ("high_gradient_steps", high_gradient_steps)):
        _check_whole(steps, steps_name, 1, "gradient steps per env step / per goal")
        if int(steps) < 1:
            raise ValueError(f"{steps_name} must be >= 1 (gradient steps per env step / per goal), got {steps}")
    if high_noise < 0 or low_noise < 0:
        raise ValueError(f"high_noise and low_noise must be >= 0, got {high_noise} and {low_noise}")
    _check_action_penalty(high_action_penalty, str(high_algo if high_algo is not None else algo))


class HIROLevelsMixin:
    """The levels of :class:`~agents.hiro.hiro.HIRO`: built from the layout, and what goes in and out of them."""

    config: dict[str, Any]
    policy_name: str
    c: int
    seed: int | None
    device: th.device
    n_envs: int
    env: VecEnv | None
    high: OffPolicyAlgorithm
    low: OffPolicyAlgorithm
    _rng: np.random.Generator

    # ------------------------------------------------------------------------------------------------ construction
    def _apply_layout(self, layout: dict[str, Any]) -> None:
        """Keep ``layout`` (see :mod:`agents.hiro.layout`) and the arrays and sizes derived from it."""
        self.layout = layout
        self.goal_indices = np.asarray(layout["goal_indices"], dtype=np.int64)
        self.low_level_keep = np.asarray(layout["low_level_keep"], dtype=np.int64)
        self.goal_low = np.asarray(layout["goal_low"], dtype=np.float32)
        self.goal_high = np.asarray(layout["goal_high"], dtype=np.float32)
        self.action_low = np.asarray(layout["action_low"], dtype=np.float32)
        self.action_high = np.asarray(layout["action_high"], dtype=np.float32)
        self.subgoal_reward = SubgoalReward(layout["goal_indices"], scale=self.config["subgoal_reward_scale"])
        self.goal_dim = len(self.goal_indices)
        self.state_dim = int(layout["state_dim"])
        self.high_obs_dim = self.state_dim + int(layout["desired_dim"])
        self.low_obs_dim = len(self.low_level_keep)  # without the goal

    def _spaces(self) -> tuple[spaces.Box, spaces.Box, spaces.Box, spaces.Box]:
        """Observation and action spaces of the high level, then of the low level."""
        high_obs = spaces.Box(-np.inf, np.inf, (self.high_obs_dim,), dtype=np.float32)
        high_act = spaces.Box(self.goal_low, self.goal_high, dtype=np.float32)
        low_obs = spaces.Box(-np.inf, np.inf, (self.low_obs_dim + self.goal_dim,), dtype=np.float32)
        low_act = spaces.Box(self.action_low, self.action_high, dtype=np.float32)
        return high_obs, high_act, low_obs, low_act

    def _placeholder_envs(self) -> tuple[VecEnv, VecEnv]:
        """VecEnvs carrying only the levels' spaces (the low one with ``n_envs`` copies), to build and load the learners."""
        high_obs, high_act, low_obs, low_act = self._spaces()
        high_env = DummyVecEnv([lambda: _SpacesEnv(high_obs, high_act)])
        low_env = DummyVecEnv([lambda: _SpacesEnv(low_obs, low_act) for _ in range(self.n_envs)])
        return high_env, low_env

    def _high_buffer_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the high level's off-policy-correction replay buffer."""
        cfg = self.config
        return {
            "c": self.c,
            "low_obs_dim": self.low_obs_dim,
            "low_action_dim": len(self.action_low),
            "goal_low": self.goal_low,
            "goal_high": self.goal_high,
            "n_candidates": cfg["n_candidates"],
            "sigma_scale": cfg["correction_sigma"],
            "correction": cfg["off_policy_correction"],
            "seed": self.seed,
            "hindsight_ratio": cfg["high_hindsight"],
            "desired_goal_slice": (self.state_dim, self.high_obs_dim) if cfg["high_hindsight"] > 0 else None,
            "reward_scale": cfg["reward_scale"],
            "success_distance": cfg["hindsight_success_distance"],
            # placeholder until an env is attached (the buffer needs one to accept hindsight_ratio > 0)
            "goal_reward_fn": _no_reward_fn if cfg["high_hindsight"] > 0 else None,
        }

    def _setup_model(self) -> None:
        """Build both SB3 learners, attach the correction and, if asked, the high level's action penalty."""
        cfg = self.config
        high_env, low_env = self._placeholder_envs()
        common = {"verbose": 0, "seed": self.seed, "device": self.device}
        # each level gets its own policy_kwargs dict: SB3's SAC writes use_sde into the one it is given, which a TD3
        # level would then refuse (and the saved config would carry)
        high_kw = {"buffer_size": cfg["high_buffer_size"], "batch_size": cfg["batch_size"], **common}
        high_kw.update({"policy_kwargs": dict(cfg["policy_kwargs"] or {}), **cfg["high_kwargs"]})
        low_kw = {"buffer_size": cfg["buffer_size"], "batch_size": cfg["batch_size"], **common}
        low_kw.update({"policy_kwargs": dict(cfg["policy_kwargs"] or {}), **cfg["low_kwargs"]})
        self.high = ALGOS[cfg["high_algo"]](
            self.policy_name,
            high_env,
            replay_buffer_class=OffPolicyCorrectionReplayBuffer,
            replay_buffer_kwargs=self._high_buffer_kwargs(),
            **high_kw,
        )
        self.low = ALGOS[cfg["algo"]](self.policy_name, low_env, **low_kw)
        self._attach_correction()
        if cfg["high_action_penalty"] > 0:
            add_action_penalty(self.high, cfg["high_action_penalty"])

    def _attach_correction(self) -> None:
        """Point the high level's buffer at the current low level (and at the env's goal reward, for hindsight)."""
        buffer = self.high_buffer
        buffer.attach(self._low_level_mean_action)
        if self.config["high_hindsight"] > 0:
            buffer.goal_reward_fn = self._env_goal_reward if self.env is not None else _no_reward_fn

    def _env_goal_reward(self, achieved: np.ndarray, desired: np.ndarray) -> np.ndarray:
        """The env's ``compute_reward`` of achieved against desired goals (for the high level's hindsight)."""
        assert self.env is not None
        return np.asarray(self.env.env_method("compute_reward", achieved, desired, {}, indices=[0])[0], dtype=np.float64)

    @property
    def high_buffer(self) -> OffPolicyCorrectionReplayBuffer:
        """The high level's replay buffer (with the off-policy correction)."""
        buffer = self.high.replay_buffer
        assert isinstance(buffer, OffPolicyCorrectionReplayBuffer)
        return buffer

    @property
    def low_buffer(self) -> ReplayBuffer:
        """The low level's replay buffer."""
        assert self.low.replay_buffer is not None
        return self.low.replay_buffer

    # ------------------------------------------------------------------------------------------------ inputs and outputs
    def states(self, observation: Any) -> np.ndarray:
        """Batch of states ``(n, state_dim)`` from a batch of raw env observations (Box or Dict)."""
        if self.layout["observation_kind"] == "dict":
            if not isinstance(observation, dict):
                raise ValueError(
                    f"observation must be a dict with keys {self.layout['state_keys']}, got {type(observation).__name__}"
                )
            missing = [k for k in self.layout["state_keys"] if k not in observation]
            key = self.layout["desired_goal_key"]
            if key is not None and key not in observation:
                missing.append(key)
            if missing:
                raise ValueError(f"observation is missing the key(s) {missing}")
            n = len(np.asarray(observation[self.layout["state_keys"][0]]))
            parts = [np.asarray(observation[k], dtype=np.float32).reshape(n, -1) for k in self.layout["state_keys"]]
            return np.concatenate(parts, axis=1)
        return np.asarray(observation, dtype=np.float32).reshape(len(observation), -1)

    def _desired(self, observation: Any, n: int) -> np.ndarray:
        """Batch of desired goals ``(n, desired_dim)`` (``(n, 0)`` without a desired-goal key)."""
        key = self.layout["desired_goal_key"]
        if key is None:
            return np.zeros((n, 0), dtype=np.float32)
        return np.asarray(observation[key], dtype=np.float32).reshape(n, -1)

    def high_observation(self, states: np.ndarray, desired: np.ndarray) -> np.ndarray:
        """The high level's input: the state and the desired goal."""
        return np.concatenate([states, desired], axis=1).astype(np.float32)

    def low_observation(self, states: np.ndarray, goals: np.ndarray) -> np.ndarray:
        """The low level's input: the visible part of the state and the relative goal."""
        return np.concatenate([states[:, self.low_level_keep], goals], axis=1).astype(np.float32)

    def _low_level_mean_action(self, low_obs: np.ndarray, goals: np.ndarray) -> np.ndarray:
        """Deterministic low-level actions in [-1, 1] for the off-policy correction."""
        obs = th.as_tensor(np.concatenate([low_obs, goals], axis=1), device=self.low.device)
        with th.no_grad():
            return self.low.policy._predict(obs, deterministic=True).cpu().numpy()

    def _act(self, model: OffPolicyAlgorithm, obs: np.ndarray, deterministic: bool, noise: float) -> np.ndarray:
        """Actions in the policy's [-1, 1] scale; TD3 explores with Gaussian noise, SAC by sampling."""
        stochastic = isinstance(model, SAC) and not deterministic
        with th.no_grad():
            action = model.policy._predict(th.as_tensor(obs, device=model.device), deterministic=not stochastic)
        scaled = action.cpu().numpy().astype(np.float32)
        if not deterministic and not isinstance(model, SAC) and noise > 0:
            scaled = scaled + self._rng.normal(0.0, noise, size=scaled.shape).astype(np.float32)
        return np.clip(scaled, -1.0, 1.0)

    def _goal_from_scaled(self, scaled: np.ndarray) -> np.ndarray:
        """Relative goals from the high level's actions in [-1, 1]."""
        return self.high_buffer.action_to_goal(scaled).astype(np.float32)

    def _env_action(self, scaled: np.ndarray) -> np.ndarray:
        """Env actions from the low level's actions in [-1, 1]."""
        return self.action_low + 0.5 * (scaled + 1.0) * (self.action_high - self.action_low)

    def _batch(self, observation: Any) -> tuple[Any, bool]:
        """``observation`` as a batch, and whether it was one already (checked against the layout)."""
        if self.layout["observation_kind"] == "dict":
            if not isinstance(observation, dict):
                raise ValueError(f"observation must be a dict (the raw env observation), got {type(observation).__name__}")
            first = (
                np.asarray(observation[self.layout["state_keys"][0]]) if self.layout["state_keys"][0] in observation else None
            )
            if first is None:
                raise ValueError(f"observation is missing the key {self.layout['state_keys'][0]!r}")
            batched = first.ndim > 1
            return ({k: np.asarray(v) if batched else np.asarray(v)[None] for k, v in observation.items()}, batched)
        arr = np.asarray(observation, dtype=np.float32)
        if arr.ndim == 1:
            if arr.shape[0] != self.state_dim:
                raise ValueError(
                    f"observation must have shape ({self.state_dim},) or (batch, {self.state_dim}), got {arr.shape}"
                )
            return arr[None], False
        if arr.ndim != 2 or arr.shape[1] != self.state_dim:
            raise ValueError(f"observation must have shape ({self.state_dim},) or (batch, {self.state_dim}), got {arr.shape}")
        return arr, True
