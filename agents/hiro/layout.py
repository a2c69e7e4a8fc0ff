"""How an environment's observations and actions map onto HIRO's states, goals and actions.

The *layout* is plain data (saved with the agent): which Dict keys form the state, which state indices form the goal
space, the relative-goal box, what the low level does not see and the action bounds. It is read from the env once and
checked again when another env is attached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

__all__ = ["EnvLike", "layout_from_env", "make_env"]

EnvLike = str | Callable[[], gym.Env] | gym.Env | VecEnv


def make_env(
    env: EnvLike, n_envs: int, env_kwargs: dict[str, Any] | None, vec_env_cls: type[VecEnv] | None, seed: int | None
) -> VecEnv:
    """The VecEnv of ``env``: a VecEnv as is, a ``gym.Env`` in a ``DummyVecEnv``, an id or a factory ``n_envs`` times."""
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


def layout_from_env(
    env: VecEnv,
    config: dict[str, Any],
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
        state_keys, state_low, state_high, desired_key, desired_dim = _dict_state(obs_space, config)
        default_goal = list(range(int(np.prod(obs_space.spaces[state_keys[0]].shape or ()))))
    elif isinstance(obs_space, spaces.Box):
        state_keys, desired_key, desired_dim = [], None, 0
        state_low, state_high = obs_space.low.reshape(-1), obs_space.high.reshape(-1)
        default_goal = list(range(len(state_low)))
        if config["high_hindsight"] > 0:
            raise ValueError("high_hindsight needs a goal-conditioned env (Dict observation with achieved and desired goals)")
    else:
        raise ValueError(f"env: observation_space must be a Box or a Dict of Boxes, got {obs_space}")
    state_dim = len(state_low)
    goal_idx = default_goal if goal_indices is None else [int(i) for i in np.asarray(goal_indices).reshape(-1)]
    if len(goal_idx) == 0 or any(i < 0 or i >= state_dim for i in goal_idx):
        raise ValueError(f"goal_indices={goal_idx} must be indices of the state, 0..{state_dim - 1} (state_dim={state_dim})")
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


def _dict_state(obs_space: spaces.Dict, config: dict[str, Any]) -> tuple[list[str], np.ndarray, np.ndarray, str | None, int]:
    """State keys, state bounds, desired-goal key and size of a Dict observation space (checked)."""
    for key, sub in obs_space.spaces.items():
        if isinstance(sub, spaces.Dict):
            raise ValueError(f"env: observation_space[{key!r}] is a Dict: nested Dict observations are not supported")
    missing = [k for k in config["state_keys"] if k not in obs_space.spaces]
    if missing:
        raise ValueError(
            f"state_keys={config['state_keys']!r}: the Dict observation has no key(s) {missing} "
            f"(its keys: {sorted(obs_space.spaces)})"
        )
    boxes: dict[str, spaces.Box] = {}
    for key, sub in obs_space.spaces.items():
        if isinstance(sub, spaces.Box):
            boxes[key] = sub
        elif key in config["state_keys"] or key == config["desired_goal_key"]:
            raise ValueError(f"env: observation_space[{key!r}] must be a Box (HIRO concatenates it into the state), got {sub}")
    desired_key = config["desired_goal_key"]
    if desired_key is not None and desired_key not in boxes:
        raise ValueError(
            f"desired_goal_key={desired_key!r} is not a key of the Dict observation (its keys: "
            f"{sorted(obs_space.spaces)}); pass desired_goal_key=None if the env has no desired goal"
        )
    if config["high_hindsight"] > 0:
        ag_key = config["achieved_goal_key"]
        if desired_key is None or ag_key not in boxes:
            raise ValueError(
                f"high_hindsight needs the Dict observation to hold achieved_goal_key={ag_key!r} and "
                f"desired_goal_key={desired_key!r} (its keys: {sorted(boxes)})"
            )
        if boxes[ag_key].shape != boxes[desired_key].shape:
            raise ValueError(f"achieved_goal_key={ag_key!r} and desired_goal_key={desired_key!r} differ in shape")
    state_keys = list(config["state_keys"])
    low = np.concatenate([np.broadcast_to(boxes[k].low, boxes[k].shape).reshape(-1) for k in state_keys])
    high = np.concatenate([np.broadcast_to(boxes[k].high, boxes[k].shape).reshape(-1) for k in state_keys])
    desired_dim = int(np.prod(boxes[desired_key].shape)) if desired_key is not None else 0
    return state_keys, low, high, desired_key, desired_dim


def _as_float_list(x: Any) -> list[float]:
    return [float(v) for v in np.asarray(x, dtype=np.float64).reshape(-1)]
