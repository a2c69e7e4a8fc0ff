"""HIRO: data-efficient hierarchical RL (Nachum et al., NeurIPS 2018), with two SB3 off-policy learners.

A high-level policy sees the environment state (and, in goal-conditioned envs, the desired goal) and emits a
*relative* goal g every ``c`` steps in a chosen goal space (indices of the state). Between its decisions the goal is
carried along by ``h(s, g, s') = s + g - s'``. A goal-conditioned low-level policy acts on the environment and is
rewarded ``-||s + g - s'||`` (:class:`~hrl_wrappers.rewards.subgoal.SubgoalReward`). The high level is rewarded with
the scaled sum of environment rewards over its c steps, and its replay buffer
(:class:`~hrl_wrappers.sb3.off_policy_correction.OffPolicyCorrectionReplayBuffer`) relabels its goals at sample time
with the goal that makes the stored low-level actions most likely under the current low-level policy.
"""

from __future__ import annotations

import io
import json
import pathlib
import pickle
import time
import zipfile
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

import cloudpickle
import gymnasium as gym
import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3 import SAC, TD3
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.callbacks import BaseCallback, CallbackList, ProgressBarCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.type_aliases import MaybeCallback
from stable_baselines3.common.utils import configure_logger, get_device
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

from agents.hiro.action_penalty import add_action_penalty
from hrl_wrappers.rewards.subgoal import SubgoalReward
from hrl_wrappers.sb3.off_policy_correction import OffPolicyCorrectionReplayBuffer

__all__ = ["HIRO"]


def _check_action_penalty(penalty: float, high_algo: str) -> None:
    if not (0.0 <= penalty < float("inf")):
        raise ValueError(f"high_action_penalty must be a finite number >= 0, got {penalty}")
    if penalty > 0 and high_algo.upper() != "TD3":
        raise ValueError(f"high_action_penalty needs a TD3 high level (high_algo='TD3'), got {high_algo!r}")


SelfHIRO = TypeVar("SelfHIRO", bound="HIRO")
EnvLike = str | Callable[[], gym.Env] | gym.Env | VecEnv

ALGOS: dict[str, type[OffPolicyAlgorithm]] = {"TD3": TD3, "SAC": SAC}
CONFIG_FILE = "hiro.json"
CONFIG_PICKLE = "hiro_config.pkl"


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


class _PrefixedLogger:
    """Records an SB3 learner's ``train/...`` metrics under another prefix (the two levels would overwrite)."""

    def __init__(self, logger: Logger, prefix: str) -> None:
        self._logger = logger
        self._prefix = prefix

    def record(self, key: str, value: Any, exclude: Any = None) -> None:
        self._logger.record(key.replace("train/", self._prefix, 1), value, exclude)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._logger, name)


def _no_reward_fn(achieved: np.ndarray, desired: np.ndarray) -> np.ndarray:
    raise RuntimeError("high_hindsight needs the environment's compute_reward: attach an env (HIRO.load(path, env=...))")


def _as_float_list(x: Any) -> list[float]:
    return [float(v) for v in np.asarray(x, dtype=np.float64).reshape(-1)]


class HIRO:
    """HIRO: a goal-emitting high level and a goal-conditioned low level, both SB3 off-policy learners.

    Paper: https://arxiv.org/abs/1805.08296. Reference code: ``tensorflow/models/research/efficient-hrl``.

    The *state* s is the Box observation, or for a Dict observation the concatenation of ``state_keys`` (by default
    ``achieved_goal`` then ``observation``, so that in Gymnasium-Robotics mazes indices 0 and 1 are the x-y position,
    which AntMaze keeps only in ``achieved_goal``). The high level sees s and the ``desired_goal_key`` entry; the
    low level sees s without ``low_level_hidden`` (e.g. ``[0, 1]``: blind to absolute x-y, as in the original)
    followed by its current relative goal. ``predict`` carries the goal, the step counter within the period and the
    last state in its ``state``.

    A period's last low-level transition bootstraps from the carried goal (``low_bootstrap_periods``, as the
    reference code does not cut the low level's discount there); environment time limits bootstrap, terminations
    do not.

    :param policy: SB3 policy of both levels (``"MlpPolicy"``).
    :param env: a Gymnasium id, an env factory, a ``gym.Env`` or a VecEnv (None only inside :meth:`load`).
    :param c: steps between high-level decisions (10 in the paper).
    :param goal_indices: indices of the state forming the goal space (default: the ``achieved_goal`` entries of a
        Dict observation, all dimensions of a Box one).
    :param goal_range: half-width of the relative-goal box, one number or one per goal dimension (default: the
        width of the state space on those dimensions, when it is bounded).
    :param algo: ``"TD3"`` (default) or ``"SAC"``, for both levels unless ``high_algo`` is given.
    :param high_algo: back end of the high level.
    :param state_keys: keys of a Dict observation concatenated into the state.
    :param desired_goal_key: key of a Dict observation given to the high level only (None: none).
    :param low_level_hidden: state indices the low level does not see.
    :param reward_scale: high-level reward = ``reward_scale`` x sum of env rewards over the period (0.1 in the paper).
    :param subgoal_reward_scale: multiplies the low-level reward ``-||s + g - s'||``.
    :param low_bootstrap_periods: True (default): the last transition of a period bootstraps from the carried goal
        ``h(s, g, s')``, so the low level learns to reach and hold a goal over an unbounded horizon (discount
        ``gamma``); the reference code does not cut the low level's discount at period ends either (it bootstraps
        from the next period's goal). False: a period's end is terminal for the low level, which then learns to
        approach its goal within what is left of a period it cannot see the end of (the behaviour before this
        option; slower on PointMaze, see BENCHMARKS.md).
    :param off_policy_correction: relabel high-level goals at sample time.
    :param high_hindsight: fraction of high-level samples whose desired goal is replaced by a goal achieved later in
        the same episode (HER's "future" strategy; needs a Dict observation with ``achieved_goal_key`` and an env
        ``compute_reward``); 0 (default, as in the paper) disables it.
    :param achieved_goal_key: key of the achieved goal in a Dict observation (for ``high_hindsight``).
    :param hindsight_success_distance: with ``high_hindsight``, an episode ends when the achieved goal is this close
        to the desired one (Gymnasium-Robotics mazes with ``continuing_task=False``: 0.45); None: no such ending.
    :param n_candidates: candidate goals of the correction (10 in the paper).
    :param correction_sigma: std of the sampled candidates, as a fraction of the goal half-range (0.5).
    :param high_noise: TD3 exploration std of the high level, as a fraction of the goal half-range.
    :param low_noise: TD3 exploration std of the low level, as a fraction of the action half-range.
    :param high_action_penalty: weight of an L2 penalty on the high-level TD3 actor's goals, scaled to [-1, 1]
        (:mod:`agents.hiro.action_penalty`, as in HER's DDPG); keeps the goals off the corners of the goal box.
        0 (default, as in the paper) disables it; TD3 high level only.
    :param learning_starts: environment steps of uniformly random goals and actions before training starts.
    :param buffer_size: low-level replay buffer size (transitions).
    :param high_buffer_size: high-level replay buffer size (default ``buffer_size // c``, at least 1000).
    :param batch_size: minibatch size of both levels (100 in the paper).
    :param gradient_steps: low-level gradient steps per environment step (per env).
    :param high_gradient_steps: high-level gradient steps per period (per env); 1 as in the paper, ``c`` gives the
        high level one update per environment step, as the low level gets (better within 100k steps on
        PointMaze_UMaze, see BENCHMARKS.md).
    :param policy_kwargs: ``policy_kwargs`` of both levels (``net_arch=[300, 300]`` in the paper).
    :param high_kwargs: extra SB3 arguments of the high level (``learning_rate``, ``gamma``, ...).
    :param low_kwargs: extra SB3 arguments of the low level.
    :param n_envs: number of environments when ``env`` is an id or a factory.
    :param env_kwargs: ``gym.make`` keyword arguments when ``env`` is an id.
    :param vec_env_cls: ``DummyVecEnv`` (default) or ``SubprocVecEnv``.
    :param tensorboard_log: tensorboard log folder.
    :param verbose: 0 quiet, 1 logs to stdout.
    :param seed: random seed.
    :param device: torch device of both levels.

    Example:
        >>> from agents import HIRO
        >>> model = HIRO("MlpPolicy", "Pendulum-v1", c=5, goal_indices=[0, 1], goal_range=0.5, learning_starts=50,
        ...              batch_size=16, policy_kwargs={"net_arch": [16]}, seed=0)
        >>> _ = model.learn(120)
        >>> action, state = model.predict([1.0, 0.0, 0.0])
        >>> action.shape, int(state[1][0])
        ((1,), 1)
    """

    agent_name: ClassVar[str] = "HIRO"

    high: OffPolicyAlgorithm
    low: OffPolicyAlgorithm
    env: VecEnv | None

    def __init__(
        self,
        policy: str = "MlpPolicy",
        env: EnvLike | None = None,
        c: int = 10,
        goal_indices: Sequence[int] | None = None,
        goal_range: float | Sequence[float] | None = None,
        algo: str = "TD3",
        high_algo: str | None = None,
        state_keys: Sequence[str] = ("achieved_goal", "observation"),
        desired_goal_key: str | None = "desired_goal",
        low_level_hidden: Sequence[int] | None = None,
        reward_scale: float = 0.1,
        subgoal_reward_scale: float = 1.0,
        low_bootstrap_periods: bool = True,
        off_policy_correction: bool = True,
        high_hindsight: float = 0.0,
        achieved_goal_key: str = "achieved_goal",
        hindsight_success_distance: float | None = None,
        n_candidates: int = 10,
        correction_sigma: float = 0.5,
        high_noise: float = 0.2,
        low_noise: float = 0.1,
        high_action_penalty: float = 0.0,
        learning_starts: int = 1000,
        buffer_size: int = 200_000,
        high_buffer_size: int | None = None,
        batch_size: int = 100,
        gradient_steps: int = 1,
        high_gradient_steps: int = 1,
        policy_kwargs: dict[str, Any] | None = None,
        high_kwargs: dict[str, Any] | None = None,
        low_kwargs: dict[str, Any] | None = None,
        n_envs: int = 1,
        env_kwargs: dict[str, Any] | None = None,
        vec_env_cls: type[VecEnv] | None = None,
        tensorboard_log: str | None = None,
        verbose: int = 0,
        seed: int | None = None,
        device: str = "auto",
        _layout: dict[str, Any] | None = None,
    ) -> None:
        if int(c) < 1:
            raise ValueError(f"c must be >= 1 (steps between high-level goals), got {c}")
        if int(n_envs) < 1:
            raise ValueError(f"n_envs must be >= 1, got {n_envs}")
        for name, value in (("algo", algo), ("high_algo", high_algo if high_algo is not None else algo)):
            if str(value).upper() not in ALGOS:
                raise ValueError(f"{name} must be one of {sorted(ALGOS)} (an SB3 off-policy algorithm), got {value!r}")
        for number_name, number in (("reward_scale", reward_scale), ("correction_sigma", correction_sigma)):
            if not np.isfinite(number):
                raise ValueError(f"{number_name} must be finite, got {number}")
        if int(n_candidates) < 2:
            raise ValueError(f"n_candidates must be >= 2, got {n_candidates}")
        if not 0.0 <= high_hindsight <= 1.0:
            raise ValueError(f"high_hindsight must be in [0, 1], got {high_hindsight}")
        for steps_name, steps in (("gradient_steps", gradient_steps), ("high_gradient_steps", high_gradient_steps)):
            if int(steps) < 1:
                raise ValueError(f"{steps_name} must be >= 1 (gradient steps per env step / per goal), got {steps}")
        if high_noise < 0 or low_noise < 0:
            raise ValueError(f"high_noise and low_noise must be >= 0, got {high_noise} and {low_noise}")
        _check_action_penalty(high_action_penalty, str(high_algo if high_algo is not None else algo))
        self.policy_name = policy
        self.config: dict[str, Any] = {
            "c": int(c),
            "algo": str(algo).upper(),
            "high_algo": str(high_algo if high_algo is not None else algo).upper(),
            "state_keys": [str(k) for k in state_keys],
            "desired_goal_key": desired_goal_key,
            "reward_scale": float(reward_scale),
            "subgoal_reward_scale": float(subgoal_reward_scale),
            "low_bootstrap_periods": bool(low_bootstrap_periods),
            "off_policy_correction": bool(off_policy_correction),
            "high_hindsight": float(high_hindsight),
            "achieved_goal_key": str(achieved_goal_key),
            "hindsight_success_distance": None if hindsight_success_distance is None else float(hindsight_success_distance),
            "n_candidates": int(n_candidates),
            "correction_sigma": float(correction_sigma),
            "high_noise": float(high_noise),
            "low_noise": float(low_noise),
            "high_action_penalty": float(high_action_penalty),
            "learning_starts": int(learning_starts),
            "buffer_size": int(buffer_size),
            "high_buffer_size": int(high_buffer_size) if high_buffer_size is not None else max(int(buffer_size) // c, 1000),
            "batch_size": int(batch_size),
            "gradient_steps": int(gradient_steps),
            "high_gradient_steps": int(high_gradient_steps),
            "policy_kwargs": dict(policy_kwargs or {}),
            "high_kwargs": dict(high_kwargs or {}),
            "low_kwargs": dict(low_kwargs or {}),
        }
        self.c = int(c)
        self.verbose = int(verbose)
        self.tensorboard_log = tensorboard_log
        self.seed = seed
        self.device = get_device(device)
        self.num_timesteps = 0
        self._total_timesteps = 0
        self._episode_num = 0
        self._logger: Logger | None = None
        self._custom_logger = False
        self._rng = np.random.default_rng(seed)
        self.env = None
        if env is not None:
            self.env = self._make_env(env, int(n_envs), env_kwargs, vec_env_cls, seed)
            layout = self._layout_from_env(self.env, goal_indices, goal_range, low_level_hidden)
        elif _layout is not None:
            layout = _layout
        else:
            raise ValueError("env must be given (a Gymnasium id, an env factory, a gym.Env or a VecEnv)")
        self._apply_layout(layout)
        self.n_envs = self.env.num_envs if self.env is not None else int(n_envs)
        self._setup_model()

    # ------------------------------------------------------------------------------------------------ spaces
    @staticmethod
    def _make_env(
        env: EnvLike, n_envs: int, env_kwargs: dict[str, Any] | None, vec_env_cls: type[VecEnv] | None, seed: int | None
    ) -> VecEnv:
        if isinstance(env, VecEnv):
            return env
        if isinstance(env, gym.Env):
            return DummyVecEnv([lambda: env])
        if isinstance(env, str) or callable(env):
            try:
                return make_vec_env(env, n_envs=n_envs, seed=seed, env_kwargs=env_kwargs, vec_env_cls=vec_env_cls)  # type: ignore[arg-type]
            except NotImplementedError as error:  # SB3's VecEnvs reject nested spaces
                raise ValueError(f"env: nested Dict observations are not supported ({error})") from None
        raise TypeError(f"env must be a Gymnasium id, an env factory, a gym.Env or a VecEnv, got {type(env).__name__}")

    def _layout_from_env(
        self,
        env: VecEnv,
        goal_indices: Sequence[int] | None,
        goal_range: float | Sequence[float] | None,
        low_level_hidden: Sequence[int] | None,
    ) -> dict[str, Any]:
        """Plain-data description of how states, goals and actions are laid out (saved with the agent)."""
        obs_space, act_space = env.observation_space, env.action_space
        if not isinstance(act_space, spaces.Box) or len(act_space.shape) != 1:
            raise ValueError(
                f"env: action_space must be a 1-D gymnasium.spaces.Box (HIRO's low level acts continuously), got {act_space}"
            )
        if not (np.all(np.isfinite(act_space.low)) and np.all(np.isfinite(act_space.high))):
            raise ValueError(f"env: action_space must be bounded, got {act_space}")
        if isinstance(obs_space, spaces.Dict):
            state_keys, state_low, state_high, desired_key, desired_dim = self._dict_state(obs_space)
            default_goal = list(range(int(np.prod(obs_space.spaces[state_keys[0]].shape or ()))))
        elif isinstance(obs_space, spaces.Box):
            state_keys, desired_key, desired_dim = [], None, 0
            state_low, state_high = obs_space.low.reshape(-1), obs_space.high.reshape(-1)
            default_goal = list(range(len(state_low)))
            if self.config["high_hindsight"] > 0:
                raise ValueError(
                    "high_hindsight needs a goal-conditioned env (Dict observation with achieved and desired goals)"
                )
        else:
            raise ValueError(f"env: observation_space must be a Box or a Dict of Boxes, got {obs_space}")
        state_dim = len(state_low)
        goal_idx = default_goal if goal_indices is None else [int(i) for i in np.asarray(goal_indices).reshape(-1)]
        if len(goal_idx) == 0 or any(i < 0 or i >= state_dim for i in goal_idx):
            raise ValueError(
                f"goal_indices={goal_idx} must be indices of the state, 0..{state_dim - 1} (state_dim={state_dim})"
            )
        hidden = [] if low_level_hidden is None else [int(i) for i in np.asarray(low_level_hidden).reshape(-1)]
        if any(i < 0 or i >= state_dim for i in hidden):
            raise ValueError(f"low_level_hidden={hidden} must be indices of the state, 0..{state_dim - 1}")
        if goal_range is None:
            width = state_high[goal_idx] - state_low[goal_idx]
            if not np.all(np.isfinite(width)):
                raise ValueError(
                    f"goal_range must be given: the state is unbounded on goal_indices={goal_idx} (give the half-width "
                    "of the relative goals, e.g. how far the agent can move in c steps)"
                )
            half = width
        else:
            half = np.broadcast_to(np.asarray(goal_range, dtype=np.float64), (len(goal_idx),)).copy()
            if not np.all(np.isfinite(half)) or not np.all(half > 0):
                raise ValueError(f"goal_range must be positive and finite, got {goal_range!r}")
        return {
            "observation_kind": "dict" if isinstance(obs_space, spaces.Dict) else "box",
            "state_keys": state_keys,
            "desired_goal_key": desired_key,
            "state_dim": state_dim,
            "desired_dim": desired_dim,
            "goal_indices": goal_idx,
            "low_level_keep": [i for i in range(state_dim) if i not in set(hidden)],
            "goal_low": _as_float_list(-half),
            "goal_high": _as_float_list(half),
            "action_low": _as_float_list(act_space.low),
            "action_high": _as_float_list(act_space.high),
        }

    def _dict_state(self, obs_space: spaces.Dict) -> tuple[list[str], np.ndarray, np.ndarray, str | None, int]:
        """State keys, state bounds, desired-goal key and size of a Dict observation space (checked)."""
        for key, sub in obs_space.spaces.items():
            if isinstance(sub, spaces.Dict):
                raise ValueError(f"env: observation_space[{key!r}] is a Dict: nested Dict observations are not supported")
        missing = [k for k in self.config["state_keys"] if k not in obs_space.spaces]
        if missing:
            raise ValueError(
                f"state_keys={self.config['state_keys']!r}: the Dict observation has no key(s) {missing} "
                f"(its keys: {sorted(obs_space.spaces)})"
            )
        boxes: dict[str, spaces.Box] = {}
        for key, sub in obs_space.spaces.items():
            if isinstance(sub, spaces.Box):
                boxes[key] = sub
            elif key in self.config["state_keys"] or key == self.config["desired_goal_key"]:
                raise ValueError(
                    f"env: observation_space[{key!r}] must be a Box (HIRO concatenates it into the state), got {sub}"
                )
        desired_key = self.config["desired_goal_key"]
        if desired_key is not None and desired_key not in boxes:
            raise ValueError(
                f"desired_goal_key={desired_key!r} is not a key of the Dict observation (its keys: "
                f"{sorted(obs_space.spaces)}); pass desired_goal_key=None if the env has no desired goal"
            )
        if self.config["high_hindsight"] > 0:
            ag_key = self.config["achieved_goal_key"]
            if desired_key is None or ag_key not in boxes:
                raise ValueError(
                    f"high_hindsight needs the Dict observation to hold achieved_goal_key={ag_key!r} and "
                    f"desired_goal_key={desired_key!r} (its keys: {sorted(boxes)})"
                )
            if boxes[ag_key].shape != boxes[desired_key].shape:
                raise ValueError(f"achieved_goal_key={ag_key!r} and desired_goal_key={desired_key!r} differ in shape")
        state_keys = list(self.config["state_keys"])
        low = np.concatenate([np.broadcast_to(boxes[k].low, boxes[k].shape).reshape(-1) for k in state_keys])
        high = np.concatenate([np.broadcast_to(boxes[k].high, boxes[k].shape).reshape(-1) for k in state_keys])
        desired_dim = int(np.prod(boxes[desired_key].shape)) if desired_key is not None else 0
        return state_keys, low, high, desired_key, desired_dim

    def _apply_layout(self, layout: dict[str, Any]) -> None:
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
        high_obs = spaces.Box(-np.inf, np.inf, (self.high_obs_dim,), dtype=np.float32)
        high_act = spaces.Box(self.goal_low, self.goal_high, dtype=np.float32)
        low_obs = spaces.Box(-np.inf, np.inf, (self.low_obs_dim + self.goal_dim,), dtype=np.float32)
        low_act = spaces.Box(self.action_low, self.action_high, dtype=np.float32)
        return high_obs, high_act, low_obs, low_act

    def _placeholder_envs(self) -> tuple[VecEnv, VecEnv]:
        high_obs, high_act, low_obs, low_act = self._spaces()
        high_env = DummyVecEnv([lambda: _SpacesEnv(high_obs, high_act)])
        low_env = DummyVecEnv([lambda: _SpacesEnv(low_obs, low_act) for _ in range(self.n_envs)])
        return high_env, low_env

    def _high_buffer_kwargs(self) -> dict[str, Any]:
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
        buffer = self.high_buffer
        buffer.attach(self._low_level_mean_action)
        if self.config["high_hindsight"] > 0:
            buffer.goal_reward_fn = self._env_goal_reward if self.env is not None else _no_reward_fn

    def _env_goal_reward(self, achieved: np.ndarray, desired: np.ndarray) -> np.ndarray:
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

    # ------------------------------------------------------------------------------------------------ observations
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
        return self.high_buffer.action_to_goal(scaled).astype(np.float32)

    def _env_action(self, scaled: np.ndarray) -> np.ndarray:
        return self.action_low + 0.5 * (scaled + 1.0) * (self.action_high - self.action_low)

    # ------------------------------------------------------------------------------------------------ SB3 API
    @property
    def logger(self) -> Logger:
        """The logger of the current (or last) ``learn`` call."""
        if self._logger is None:
            self._logger = configure_logger(self.verbose, None, "HIRO")
        return self._logger

    def set_logger(self, logger: Logger) -> None:
        """Log to ``logger`` (e.g. ``stable_baselines3.common.logger.configure(folder, ["csv"])``) in later ``learn`` calls."""
        self._logger = logger
        self._custom_logger = True

    def get_env(self) -> VecEnv | None:
        """The training VecEnv."""
        return self.env

    def set_env(self, env: EnvLike, n_envs: int = 1, env_kwargs: dict[str, Any] | None = None) -> None:
        """Attach a (new) environment with the same spaces as the one the agent was built for."""
        vec = self._make_env(env, n_envs, env_kwargs, None, self.seed)
        hidden = [i for i in range(self.state_dim) if i not in set(self.low_level_keep.tolist())]
        layout = self._layout_from_env(vec, self.layout["goal_indices"], self.layout["goal_high"], hidden)
        for key in ("state_dim", "desired_dim", "action_low", "action_high", "observation_kind"):
            if layout[key] != self.layout[key]:
                raise ValueError(
                    f"env does not match this agent: {key} is {layout[key]}, the agent expects {self.layout[key]}"
                )
        if vec.num_envs != self.n_envs:
            raise ValueError(f"env has {vec.num_envs} environments, the agent was built for n_envs={self.n_envs}")
        self.env = vec
        self._attach_correction()

    def predict(
        self,
        observation: Any,
        state: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Act on raw environment observation(s), carrying the current goal in ``state``.

        :param observation: one env observation or a batch (a Box array or a Dict of arrays).
        :param state: ``(goals, steps, last_states)`` returned by the previous call (None at the start).
        :param episode_start: True where an episode starts (a new goal is drawn there).
        :param deterministic: act without exploration.
        :return: the env action(s) and the new state ``(goals (n, k), steps in the period (n,), states (n, d))``.
        """
        observation, batched = self._batch(observation)
        states = self.states(observation)
        if not np.all(np.isfinite(states)):
            raise ValueError("observation contains NaN or infinite values")
        n = len(states)
        if state is None:
            goals = np.zeros((n, self.goal_dim), dtype=np.float32)
            steps = np.zeros(n, dtype=np.int64)
            last = states.copy()
        else:
            goals, steps, last = (np.array(x) for x in state)
            if goals.shape != (n, self.goal_dim) or steps.shape != (n,) or last.shape != states.shape:
                raise ValueError(f"state must be (goals ({n}, {self.goal_dim}), steps ({n},), states {states.shape})")
        if episode_start is not None:
            steps = np.where(np.asarray(episode_start, dtype=bool).reshape(-1), 0, steps)
        carried = self.subgoal_reward.transition(last, goals, states).astype(np.float32)
        new = steps % self.c == 0
        goals = carried
        if np.any(new):
            high_obs = self.high_observation(states, self._desired(observation, n))
            scaled = self._act(self.high, high_obs, deterministic, self.config["high_noise"])
            goals = np.where(new[:, None], self._goal_from_scaled(scaled), carried)
        scaled_action = self._act(self.low, self.low_observation(states, goals), deterministic, self.config["low_noise"])
        action = self._env_action(scaled_action)
        new_state = (goals, steps + 1, states)
        return (action if batched else action[0]), new_state

    def _batch(self, observation: Any) -> tuple[Any, bool]:
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

    # ------------------------------------------------------------------------------------------------ learn
    def _setup_learn(
        self, total_timesteps: int, callback: MaybeCallback, reset_num_timesteps: bool, tb_log_name: str, progress_bar: bool
    ) -> BaseCallback:
        if self.env is None:
            raise ValueError("this HIRO has no env: pass env= to HIRO.load or call set_env first")
        if reset_num_timesteps:
            self.num_timesteps = 0
            self._episode_num = 0
        self._total_timesteps = total_timesteps + self.num_timesteps
        if not self._custom_logger:
            self._logger = configure_logger(self.verbose, self.tensorboard_log, tb_log_name, reset_num_timesteps)
        assert self._logger is not None
        self.high.set_logger(_PrefixedLogger(self._logger, "high/"))  # type: ignore[arg-type]
        self.low.set_logger(_PrefixedLogger(self._logger, "low/"))  # type: ignore[arg-type]
        callbacks: list[BaseCallback] = []
        if isinstance(callback, list):
            callbacks = list(callback)
        elif isinstance(callback, BaseCallback):
            callbacks = [callback]
        elif callback is not None:
            raise TypeError(f"callback must be a BaseCallback, a list of them or None, got {type(callback).__name__}")
        if progress_bar:
            callbacks.append(ProgressBarCallback())
        cb = CallbackList(callbacks)
        cb.init_callback(self)  # type: ignore[arg-type]
        return cb

    def learn(
        self: SelfHIRO,
        total_timesteps: int,
        callback: MaybeCallback = None,
        log_interval: int = 4,
        tb_log_name: str = "HIRO",
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
    ) -> SelfHIRO:
        """Train both levels for ``total_timesteps`` environment steps (all envs counted).

        :param total_timesteps: environment steps.
        :param callback: SB3 callback(s); they see this agent as ``model`` (``predict``, ``get_env``, ``logger``).
        :param log_interval: dump the logs every this many episodes.
        :param tb_log_name: tensorboard run name.
        :param reset_num_timesteps: restart the step counter (False: continue).
        :param progress_bar: show a progress bar.
        :return: this agent.
        """
        cb = self._setup_learn(total_timesteps, callback, reset_num_timesteps, tb_log_name, progress_bar)
        env = self.env
        assert env is not None
        n, c, cfg = self.n_envs, self.c, self.config
        high_buffer, low_buffer = self.high_buffer, self.low_buffer
        a_dim = len(self.action_low)
        obs = env.reset()
        states = self.states(obs)
        desired = self._desired(obs, n)
        goals = np.zeros((n, self.goal_dim), dtype=np.float32)
        goal_actions = np.zeros((n, self.goal_dim), dtype=np.float32)
        period = np.zeros(n, dtype=np.int64)
        start_high_obs = np.zeros((n, self.high_obs_dim), dtype=np.float32)
        seq_low_obs = np.zeros((n, c, self.low_obs_dim), dtype=np.float32)
        seq_low_act = np.zeros((n, c, a_dim), dtype=np.float32)
        seq_goal_states = np.zeros((n, c + 1, self.goal_dim), dtype=np.float32)
        reward_sum = np.zeros(n, dtype=np.float64)
        hindsight = cfg["high_hindsight"] > 0
        bootstrap_periods = cfg["low_bootstrap_periods"]
        ag_key = cfg["achieved_goal_key"]
        seq_achieved = np.zeros((n, c, int(np.prod(obs[ag_key].shape[1:])) if hindsight else 0), dtype=np.float32)
        successes: deque[float] = deque(maxlen=100)
        ep_returns: deque[float] = deque(maxlen=100)
        ep_return = np.zeros(n)
        subgoal_dist: deque[float] = deque(maxlen=1000)
        intrinsic: deque[float] = deque(maxlen=1000)
        start_time = time.time()
        start_steps = self.num_timesteps
        iteration = 0
        cb.on_training_start(locals(), globals())
        while self.num_timesteps < self._total_timesteps:
            cb.on_rollout_start()  # as SB3 with train_freq=1: after the last step's training (periodic checkpoints)
            warmup = self.num_timesteps < cfg["learning_starts"]
            new = period == 0
            if np.any(new):
                high_obs = self.high_observation(states, desired)
                if warmup:
                    scaled = self._rng.uniform(-1.0, 1.0, size=(n, self.goal_dim)).astype(np.float32)
                else:
                    scaled = self._act(self.high, high_obs, False, cfg["high_noise"])
                goal_actions[new] = scaled[new]
                goals[new] = self._goal_from_scaled(scaled[new])
                start_high_obs[new] = high_obs[new]
                seq_goal_states[new, 0] = self.subgoal_reward.project(states[new])
                reward_sum[new] = 0.0
            low_in = states[:, self.low_level_keep]
            low_obs = self.low_observation(states, goals)
            if warmup:
                action = self._rng.uniform(-1.0, 1.0, size=(n, a_dim)).astype(np.float32)
            else:
                action = self._act(self.low, low_obs, False, cfg["low_noise"])
            new_obs, rewards, dones, infos = env.step(self._env_action(action))
            self.num_timesteps += n
            iteration += 1
            next_states = self.states(new_obs)
            next_desired = self._desired(new_obs, n)
            truncated = np.array([bool(info.get("TimeLimit.truncated", False)) for info in infos])
            final_states, final_desired, final_achieved = self._final_observations(
                new_obs, next_states, next_desired, dones, infos, hindsight
            )
            r_int = self.subgoal_reward.reward(states, goals, final_states)
            next_goals = self.subgoal_reward.transition(states, goals, final_states).astype(np.float32)
            rows = np.arange(n)
            seq_low_obs[rows, period] = low_in
            seq_low_act[rows, period] = action
            seq_goal_states[rows, period + 1] = self.subgoal_reward.project(final_states)
            if final_achieved is not None:
                seq_achieved[rows, period] = final_achieved
            reward_sum += rewards
            ep_return += rewards
            period += 1
            period_end = (period >= c) | dones
            # a period's end is terminal for the low level (it cannot see the step counter) unless it bootstraps
            # from the carried goal; time limits bootstrap either way
            low_done = dones if bootstrap_periods else period_end
            low_timeout = truncated if bootstrap_periods else truncated & ~(period >= c)
            low_buffer.add(
                low_obs,
                self.low_observation(final_states, next_goals),
                action,
                r_int.astype(np.float32),
                low_done.astype(np.float32),
                [{"TimeLimit.truncated": bool(t)} for t in low_timeout],
            )
            intrinsic.extend(r_int.tolist())
            for i in np.flatnonzero(period_end):
                high_buffer.add(
                    start_high_obs[i : i + 1],
                    self.high_observation(final_states[i : i + 1], final_desired[i : i + 1]),
                    goal_actions[i : i + 1],
                    np.array([cfg["reward_scale"] * reward_sum[i]], dtype=np.float32),
                    np.array([float(dones[i])], dtype=np.float32),
                    [{"TimeLimit.truncated": bool(truncated[i])}],
                    low_observations=seq_low_obs[i : i + 1],
                    low_actions=seq_low_act[i : i + 1],
                    goal_states=seq_goal_states[i : i + 1],
                    n_low_steps=period[i : i + 1],
                    achieved_goals=seq_achieved[i : i + 1] if hindsight else None,
                    episode_key=int(i),
                )
                subgoal_dist.append(float(np.linalg.norm(next_goals[i])))
                period[i] = 0
            goals = next_goals
            for i in np.flatnonzero(dones):
                success = infos[i].get("is_success", infos[i].get("success"))
                if success is not None:
                    successes.append(float(success))
                ep_returns.append(float(ep_return[i]))
                ep_return[i] = 0.0
                self._episode_num += 1
            states, desired = next_states, next_desired
            cb.update_locals(locals())
            if not cb.on_step():
                break
            cb.on_rollout_end()
            if not warmup:
                progress = 1.0 - self.num_timesteps / max(self._total_timesteps, 1)
                self.low._current_progress_remaining = self.high._current_progress_remaining = progress
                self.low.train(gradient_steps=cfg["gradient_steps"] * n, batch_size=cfg["batch_size"])
                if iteration % c == 0 and high_buffer.size() > 0:
                    self.high.train(gradient_steps=cfg["high_gradient_steps"] * n, batch_size=cfg["batch_size"])
            if log_interval is not None and np.any(dones) and self._episode_num % log_interval == 0:
                self._dump_logs(successes, ep_returns, subgoal_dist, intrinsic, start_time, start_steps)
        self._dump_logs(successes, ep_returns, subgoal_dist, intrinsic, start_time, start_steps)
        cb.on_training_end()
        return self

    def _final_observations(
        self,
        new_obs: Any,
        next_states: np.ndarray,
        next_desired: np.ndarray,
        dones: np.ndarray,
        infos: list[dict[str, Any]],
        hindsight: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """States, desired goals and achieved goals after a step, the terminal observation where an episode ended."""
        n = len(dones)
        states, desired = next_states.copy(), next_desired.copy()
        ag_key = self.config["achieved_goal_key"]
        achieved = np.asarray(new_obs[ag_key], dtype=np.float32).reshape(n, -1).copy() if hindsight else None
        for i in np.flatnonzero(dones):
            terminal = infos[i].get("terminal_observation")
            if terminal is None:
                continue
            if isinstance(terminal, dict):
                batch: Any = {k: np.asarray(v)[None] for k, v in terminal.items()}
            else:
                batch = np.asarray(terminal)[None]
            states[i] = self.states(batch)[0]
            desired[i] = self._desired(batch, 1)[0]
            if achieved is not None:
                achieved[i] = np.asarray(terminal[ag_key], dtype=np.float32).reshape(-1)
        return states, desired, achieved

    def _dump_logs(
        self,
        successes: deque[float],
        ep_returns: deque[float],
        subgoal_dist: deque[float],
        intrinsic: deque[float],
        start_time: float,
        start_steps: int,
    ) -> None:
        log = self.logger
        elapsed = max(time.time() - start_time, 1e-8)
        log.record("time/episodes", self._episode_num, exclude="tensorboard")
        log.record("time/fps", int((self.num_timesteps - start_steps) / elapsed))
        log.record("time/total_timesteps", self.num_timesteps, exclude="tensorboard")
        if ep_returns:
            log.record("rollout/ep_rew_mean", float(np.mean(ep_returns)))
        if successes:
            log.record("hiro/success_rate", float(np.mean(successes)))
        if subgoal_dist:
            log.record("hiro/subgoal_distance", float(np.mean(subgoal_dist)))
        if intrinsic:
            log.record("hiro/intrinsic_reward", float(np.mean(intrinsic)))
        for kind, fraction in self.high_buffer.pop_winner_fractions().items():
            if np.isfinite(fraction):
                log.record(f"hiro/correction_{kind}", fraction)
        log.dump(step=self.num_timesteps)

    # ------------------------------------------------------------------------------------------------ saving
    def save(self, path: str | pathlib.Path, include_buffers: bool = False) -> None:
        """Save both levels (policies, optimizers, counters) in one zip; with their replay buffers if asked.

        :param path: file to write (``.zip`` is added if missing).
        :param include_buffers: also keep both replay buffers (large).
        """
        path = pathlib.Path(path)
        if path.suffix != ".zip":
            path = path.with_suffix(".zip")
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "hrl_agent": self.agent_name,
            "policy": self.policy_name,
            "config": self.config,
            "layout": self.layout,
            "num_timesteps": self.num_timesteps,
            "n_envs": self.n_envs,
            "seed": self.seed,
            "verbose": self.verbose,
            "tensorboard_log": self.tensorboard_log,
            "has_buffers": bool(include_buffers),
        }
        with zipfile.ZipFile(path, "w") as archive:
            # readable JSON (classes such as policy_kwargs' activation_fn written as their repr) + the exact config
            archive.writestr(CONFIG_FILE, json.dumps(meta, default=repr, indent=1))
            archive.writestr(CONFIG_PICKLE, cloudpickle.dumps(meta))
            for name, model in (("high", self.high), ("low", self.low)):
                data = io.BytesIO()
                model.save(data)
                archive.writestr(f"{name}.zip", data.getvalue())
                if include_buffers:
                    archive.writestr(f"{name}_buffer.pkl", pickle.dumps(model.replay_buffer))

    def save_replay_buffer(self, path: str | pathlib.Path) -> None:
        """Pickle both levels' replay buffers into one file (as SB3's ``save_replay_buffer``; for checkpoints)."""
        pathlib.Path(path).write_bytes(pickle.dumps({"high": self.high.replay_buffer, "low": self.low.replay_buffer}))

    def load_replay_buffer(self, path: str | pathlib.Path) -> None:
        """Restore both replay buffers written by :meth:`save_replay_buffer`."""
        buffers = pickle.loads(pathlib.Path(path).read_bytes())
        if not isinstance(buffers, dict) or set(buffers) != {"high", "low"}:
            raise ValueError(f"path={str(path)!r} is not a HIRO replay buffer file (HIRO.save_replay_buffer)")
        self.high.replay_buffer, self.low.replay_buffer = buffers["high"], buffers["low"]
        self._attach_correction()

    @classmethod
    def load(
        cls: type[SelfHIRO],
        path: str | pathlib.Path,
        env: EnvLike | None = None,
        device: str = "auto",
        load_buffers: bool = True,
        n_envs: int = 1,
    ) -> SelfHIRO:
        """Load an agent written by :meth:`save`; its replay buffers too when they were saved and ``load_buffers``.

        :param path: the checkpoint.
        :param env: environment to keep training on or to evaluate in (optional).
        :param device: torch device.
        :param load_buffers: restore the saved replay buffers.
        :param n_envs: number of environments when ``env`` is an id.
        :return: the agent.
        """
        path = pathlib.Path(path)
        if not path.exists() and path.with_suffix(".zip").exists():
            path = path.with_suffix(".zip")
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                meta = json.loads(archive.read(CONFIG_FILE)) if CONFIG_FILE in names else None
                if meta is not None and meta.get("hrl_agent") == cls.agent_name and CONFIG_PICKLE in names:
                    meta = pickle.loads(archive.read(CONFIG_PICKLE))
                if meta is None or meta.get("hrl_agent") != cls.agent_name:
                    found = "an SB3 checkpoint" if "data" in names else "an unknown zip"
                    if meta is not None:
                        found = f"a {meta.get('hrl_agent')} checkpoint"
                    raise ValueError(f"path={str(path)!r} is not a {cls.agent_name} checkpoint: it is {found}")
                blobs = {name: archive.read(f"{name}.zip") for name in ("high", "low")}
                buffers = {}
                if load_buffers and meta.get("has_buffers"):
                    buffers = {name: archive.read(f"{name}_buffer.pkl") for name in ("high", "low")}
        except zipfile.BadZipFile:
            raise ValueError(f"path={str(path)!r} is not a checkpoint: it is not a zip file") from None
        config = dict(meta["config"])
        # checkpoints written before the option existed were trained with terminal period ends
        config.setdefault("low_bootstrap_periods", False)
        c = config.pop("c")
        agent = cls(
            meta["policy"],
            None,
            c=c,
            n_envs=meta["n_envs"],
            seed=meta["seed"],
            verbose=meta["verbose"],
            tensorboard_log=meta["tensorboard_log"],
            device=device,
            _layout=meta["layout"],
            **config,
        )
        high_env, low_env = agent._placeholder_envs()
        for name, placeholder in (("high", high_env), ("low", low_env)):
            algo = ALGOS[config["high_algo"] if name == "high" else config["algo"]]
            model = algo.load(io.BytesIO(blobs[name]), env=placeholder, device=device)
            if name in buffers:
                model.replay_buffer = pickle.loads(buffers[name])
            setattr(agent, name, model)
        if not isinstance(agent.high.replay_buffer, OffPolicyCorrectionReplayBuffer):
            raise ValueError(f"path={str(path)!r}: the high level's replay buffer is not an OffPolicyCorrectionReplayBuffer")
        agent._attach_correction()
        if agent.config["high_action_penalty"] > 0:
            add_action_penalty(agent.high, agent.config["high_action_penalty"])
        agent.num_timesteps = int(meta["num_timesteps"])
        if env is not None:
            agent.set_env(env, n_envs=n_envs)
        return agent
