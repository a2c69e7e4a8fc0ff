"""Rolling out a skill policy: the :class:`SkillPolicy` protocol, the checks of a model against an environment, the
plan of which skills to roll out, the episode runner and the statistics of one skill's rollouts."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from hrl_wrappers.priors import CategoricalPrior
from hrl_wrappers.sb3.terminal import copy_observations
from hrl_wrappers.skill_layout import SkillLayout

__all__ = ["DEFAULT_CONTINUOUS_ROLLOUTS", "DEFAULT_MAX_STEPS", "SkillPolicy"]

#: Step cap of a rollout when neither ``max_steps`` nor a ``TimeLimit`` ends episodes.
DEFAULT_MAX_STEPS = 1000
#: Number of continuous skills drawn from the prior by default (METRA: 48 deterministic rollouts).
DEFAULT_CONTINUOUS_ROLLOUTS = 48


class SkillPolicy(Protocol):
    """What the evaluators need from a model: a skill layout and ``predict_skill`` on raw observations."""

    skill_layout: SkillLayout

    def predict_skill(self, observation: Any, skill: Any, *, deterministic: bool = True) -> tuple[Any, Any]:
        """Act with ``skill`` on a raw environment observation."""
        ...


@dataclass
class _Episode:
    features: np.ndarray
    observations: list[Any]
    ret: float
    steps: int


def _stack_obs(observations: Sequence[Any]) -> Any:
    if isinstance(observations[0], dict):
        return {k: np.stack([o[k] for o in observations]) for k in observations[0]}
    return np.stack([np.asarray(o) for o in observations])


def _step_limit(env: gym.Env, max_steps: int | None) -> int | None:
    """The cap on steps per rollout: ``max_steps``, or none when a ``TimeLimit`` ends episodes, else a default."""
    if max_steps is not None:
        if isinstance(max_steps, bool) or int(max_steps) < 1:
            raise ValueError(f"max_steps must be a positive integer or None, got {max_steps!r}")
        return int(max_steps)
    if env.spec is not None and env.spec.max_episode_steps is not None:
        return None
    warnings.warn(
        f"the environment has no time limit and max_steps is None: rollouts are cut at {DEFAULT_MAX_STEPS} steps",
        stacklevel=3,
    )
    return DEFAULT_MAX_STEPS


def _run_episode(
    env: gym.Env,
    act: Callable[[Any], Any],
    feature_fn: Callable[[Any, dict[str, Any]], np.ndarray],
    limit: int | None,
    seed: int | None,
) -> _Episode:
    obs, info = env.reset(seed=seed)
    feats = [feature_fn(obs, info)]
    observations = [copy_observations(obs)]
    ret, steps = 0.0, 0
    while limit is None or steps < limit:
        obs, reward, terminated, truncated, info = env.step(act(obs))
        ret += float(reward)
        steps += 1
        feats.append(feature_fn(obs, info))
        observations.append(copy_observations(obs))
        if terminated or truncated:
            break
    dims = {f.shape for f in feats}
    if len(dims) != 1:
        raise ValueError(f"the features callable returned arrays of different shapes {sorted(dims)} within one rollout")
    return _Episode(np.stack(feats), observations, ret, steps)


def _make_env(env: gym.Env | str) -> tuple[gym.Env, bool]:
    if isinstance(env, str):
        return gym.make(env), True
    if not isinstance(env, gym.Env):
        raise TypeError(f"env must be a gymnasium.Env or an environment id, got {type(env).__name__}")
    return env, False


def _env_dt(env: gym.Env) -> float | None:
    dt = getattr(env.unwrapped, "dt", None)
    if isinstance(dt, int | float | np.floating) and math.isfinite(float(dt)) and float(dt) > 0:
        return float(dt)
    return None


def _group_stats(episodes: Sequence[_Episode], dt: float | None) -> dict[str, Any]:
    """Displacement, velocity, length and return averaged over the rollouts of one skill."""
    disp = np.stack([e.features[-1] - e.features[0] for e in episodes])
    per_step = [float(e.features[-1, 0] - e.features[0, 0]) / e.steps for e in episodes if e.steps > 0]
    v_step = float(np.mean(per_step)) if per_step else 0.0
    v_sec = v_step / dt if dt is not None else None
    return {
        "n_rollouts": len(episodes),
        "displacement": [float(x) for x in disp.mean(axis=0)],
        "abs_displacement": float(np.linalg.norm(disp, axis=1).mean()),
        "velocity_per_step": v_step,
        "velocity_per_second": v_sec,
        "velocity": v_sec if v_sec is not None else v_step,
        "episode_length": float(np.mean([e.steps for e in episodes])),
        "return": float(np.mean([e.ret for e in episodes])),
    }


def _check_model(model: Any, env: gym.Env) -> SkillLayout:
    layout = getattr(model, "skill_layout", None)
    if not isinstance(layout, SkillLayout) or not callable(getattr(model, "predict_skill", None)):
        raise TypeError(
            "model must be a skill agent (e.g. agents.DIAYN) with a skill_layout and predict_skill(obs, skill), "
            f"got {type(model).__name__}"
        )
    try:
        env.get_wrapper_attr("skill_layout")
    except AttributeError:
        pass
    else:
        raise ValueError(
            "env is wrapped with a SkillWrapper: pass the raw environment (evaluate_skills appends the skill itself "
            "through model.predict_skill)"
        )
    if type(env.observation_space) is not type(layout.base_space) or spaces.flatdim(env.observation_space) != layout.state_dim:
        raise ValueError(
            f"env's observation space {env.observation_space} does not match the model's environment observation space "
            f"{layout.base_space}; build the evaluation env exactly like the training env (same gym.make keyword arguments)"
        )
    return layout


def _plan_skills(
    layout: SkillLayout, skills: Sequence[Any] | None, n_rollouts: int | None, deterministic: bool, seed: int
) -> tuple[list[Any], int]:
    """The distinct skills to evaluate and the number of rollouts of each."""
    prior = layout.prior
    if n_rollouts is not None and (isinstance(n_rollouts, bool) or int(n_rollouts) < 1):
        raise ValueError(f"n_rollouts must be a positive integer or None, got {n_rollouts!r}")
    per_skill_default = 1 if deterministic else 5
    if skills is not None:
        chosen = [prior.validate(s, f"skills[{i}]") for i, s in enumerate(skills)]
        if not chosen:
            raise ValueError("skills must name at least one skill (or be None for all of them)")
        return chosen, int(n_rollouts) if n_rollouts is not None else per_skill_default
    if prior.is_categorical:
        assert isinstance(prior, CategoricalPrior)
        return list(range(prior.n_skills)), int(n_rollouts) if n_rollouts is not None else per_skill_default
    n = int(n_rollouts) if n_rollouts is not None else DEFAULT_CONTINUOUS_ROLLOUTS
    drawn = prior.sample(np.random.default_rng(seed), size=n)
    return [np.asarray(z, dtype=np.float32) for z in drawn], 1
