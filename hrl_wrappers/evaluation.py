"""Evaluate learned skills: rollouts per skill, discriminability, displacement, state coverage, plots and videos.

What this module offers:

* :func:`evaluate_skills`: roll out every skill of a skill agent (anything with ``predict_skill(raw_obs, skill)``
  and a ``skill_layout``, e.g. :class:`agents.DIAYN`) on a *raw* environment and measure, per skill, the mean
  displacement and velocity of chosen features, the episode length and return, and the discriminator's accuracy on
  the visited states; over all rollouts, the number of distinct cells visited (METRA's state coverage).
  The result is a :class:`SkillEvaluation` (``to_dict()``, ``markdown_table()``, ``summary()``).
* :func:`random_policy_coverage`: the same metrics for uniformly random actions (the coverage baseline).
* :func:`state_coverage`: the number of distinct ``floor(point / cell_size)`` cells among points.
* Features to measure on: :func:`info_features` (values from ``info``, e.g. HalfCheetah's ``"x_position"``) and
  :func:`locomotion_position_features` (the torso x or x-y of Gymnasium's MuJoCo locomotion envs).
* :func:`plot_skill_trajectories`: the trajectories of every skill over two feature dimensions (or one over time).
* :func:`record_skill_videos`: one video per skill with Gymnasium's ``RecordVideo``.
* :class:`SkillEvalCallback`: an SB3 callback that runs :func:`evaluate_skills` every ``eval_freq`` steps and logs
  the metrics and the trajectory plot (TensorBoard), a PNG and a CSV row.

Example:
    >>> import numpy as np
    >>> state_coverage(np.array([[0.1, 0.1], [0.9, 0.2], [1.5, 0.1], [-0.2, 0.0]]), cell_size=1.0)
    3
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from stable_baselines3.common.callbacks import BaseCallback

from hrl_wrappers.locomotion import POSITION_DIMS
from hrl_wrappers.priors import CategoricalPrior
from hrl_wrappers.sb3.terminal import copy_observations
from hrl_wrappers.skill_layout import SkillLayout

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "InfoFeatures",
    "SkillEvalCallback",
    "SkillEvaluation",
    "SkillPolicy",
    "evaluate_skills",
    "info_features",
    "locomotion_position_features",
    "plot_skill_trajectories",
    "random_policy_coverage",
    "record_skill_videos",
    "state_coverage",
]

#: Step cap of a rollout when neither ``max_steps`` nor a ``TimeLimit`` ends episodes.
DEFAULT_MAX_STEPS = 1000
#: Number of continuous skills drawn from the prior by default (METRA: 48 deterministic rollouts).
DEFAULT_CONTINUOUS_ROLLOUTS = 48

FeatureFn = Callable[[Any, dict[str, Any]], np.ndarray]
Features = Sequence[int] | FeatureFn | None


class SkillPolicy(Protocol):
    """What the evaluators need from a model: a skill layout and ``predict_skill`` on raw observations."""

    skill_layout: SkillLayout

    def predict_skill(self, observation: Any, skill: Any, *, deterministic: bool = True) -> tuple[Any, Any]:
        """Act with ``skill`` on a raw environment observation."""
        ...


# ================================================================================================== features
class InfoFeatures:
    """Read features from the step/reset ``info`` dict: ``np.array([info[k] for k in keys])``.

    Usable wherever a ``features`` callable ``(obs, info) -> np.ndarray`` is accepted. When a key is missing from
    ``info`` and ``qpos_index`` maps it to a MuJoCo ``qpos`` entry, the value is read from
    ``env.unwrapped.data.qpos`` instead (the evaluators pass ``env``).

    :param keys: ``info`` keys, in order.
    :param qpos_index: fallback ``qpos`` index of each key (MuJoCo envs only).

    Example:
        >>> f = InfoFeatures("x_position", "y_position")
        >>> f(None, {"x_position": 1.5, "y_position": -2.0}).tolist()
        [1.5, -2.0]
    """

    def __init__(self, *keys: str, qpos_index: Mapping[str, int] | None = None) -> None:
        if not keys:
            raise ValueError("info_features needs at least one info key, e.g. info_features('x_position')")
        for key in keys:
            if not isinstance(key, str):
                raise ValueError(f"info keys must be strings, got {key!r}")
        self.keys = tuple(keys)
        self.qpos_index = dict(qpos_index or {})

    def __call__(self, obs: Any, info: Mapping[str, Any], env: gym.Env | None = None) -> np.ndarray:
        values = []
        for key in self.keys:
            if key in info:
                values.append(np.asarray(info[key], dtype=np.float64).reshape(-1))
            elif key in self.qpos_index and env is not None and hasattr(getattr(env.unwrapped, "data", None), "qpos"):
                qpos = env.unwrapped.data.qpos  # type: ignore[attr-defined]
                values.append(np.asarray([qpos[self.qpos_index[key]]], dtype=np.float64))
            else:
                raise KeyError(
                    f"info has no key {key!r} (keys: {sorted(info)}); pick features that the environment reports in "
                    "info after reset and after every step"
                )
        return np.concatenate(values)

    def __repr__(self) -> str:
        return f"info_features({', '.join(repr(k) for k in self.keys)})"


def info_features(*keys: str, qpos_index: Mapping[str, int] | None = None) -> InfoFeatures:
    """A ``features`` callable reading ``info[key]`` for each key (e.g. HalfCheetah's ``"x_position"``).

    :param keys: ``info`` keys, in order.
    :param qpos_index: optional fallback ``qpos`` index of each key, for MuJoCo envs that omit it from ``info``.
    :return: a callable ``(obs, info) -> np.ndarray``.

    Example:
        >>> info_features("x_position")(None, {"x_position": 0.25}).tolist()
        [0.25]
    """
    return InfoFeatures(*keys, qpos_index=qpos_index)


def locomotion_position_features(env_id: str) -> InfoFeatures:
    """The torso position of a Gymnasium MuJoCo locomotion env: x (HalfCheetah, Hopper, Walker2d) or x, y (Ant,
    Swimmer, Humanoid, HumanoidStandup), read from ``info["x_position"]`` / ``info["y_position"]`` with
    ``env.unwrapped.data.qpos[0]`` / ``[1]`` as fallback (versions whose reset info lacks them).

    :param env_id: e.g. ``"HalfCheetah-v5"`` or ``"Ant-v5"``.
    :return: a ``features`` callable for :func:`evaluate_skills`.

    Example:
        >>> locomotion_position_features("Ant-v5")
        info_features('x_position', 'y_position')
    """
    family = str(env_id).split("/")[-1].split("-v")[0]
    if family not in POSITION_DIMS:
        raise ValueError(
            f"env_id must be one of the MuJoCo locomotion envs {sorted(POSITION_DIMS)} (any version), got {env_id!r}"
        )
    keys = ("x_position", "y_position")[: POSITION_DIMS[family]]
    return InfoFeatures(*keys, qpos_index={"x_position": 0, "y_position": 1})


def _feature_fn(env: gym.Env, features: Features) -> Callable[[Any, dict[str, Any]], np.ndarray]:
    """Turn ``features`` (None, indices or a callable) into ``(obs, info) -> 1-D float64 array``."""
    if isinstance(features, InfoFeatures):
        info_fn = features
        return lambda obs, info: info_fn(obs, info, env)
    if callable(features):
        fn = features
        return lambda obs, info: np.asarray(fn(obs, info), dtype=np.float64).reshape(-1)
    space = env.observation_space
    dim = spaces.flatdim(space)
    wrong = f"features must be None, a sequence of integer indices or a callable (obs, info), got {features!r}"
    if features is None:
        idx: list[int] | None = None
    else:
        if isinstance(features, str | bytes):
            raise ValueError(wrong)
        try:
            idx = [int(i) for i in features]
        except (TypeError, ValueError):
            raise ValueError(wrong) from None
        if not idx:
            raise ValueError("features must name at least one index, got an empty sequence")
        bad = [i for i in idx if not 0 <= i < dim]
        if bad:
            raise ValueError(f"features has indices {bad} outside the flattened observation (valid: 0..{dim - 1})")

    def flat(obs: Any, info: dict[str, Any]) -> np.ndarray:
        values = np.asarray(spaces.flatten(space, obs), dtype=np.float64)
        return values if idx is None else values[idx]

    return flat


def state_coverage(points: np.ndarray, cell_size: float = 1.0) -> int:
    """Number of distinct cells ``floor(point / cell_size)`` among ``points`` (METRA's ``MjNumUniqueCoords``).

    :param points: ``(n, d)`` array of feature vectors (or ``(n,)`` for one feature).
    :param cell_size: side length of the cells (METRA: 1 m on the x-y plane).
    :return: the number of cells visited.

    Example:
        >>> import numpy as np
        >>> state_coverage(np.array([0.2, 0.7, 1.1, 2.5, -0.5]), cell_size=1.0)
        4
    """
    if not (isinstance(cell_size, int | float | np.floating | np.integer) and math.isfinite(cell_size) and cell_size > 0):
        raise ValueError(f"cell_size must be a finite number > 0, got {cell_size!r}")
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2:
        raise ValueError(f"points must have shape (n, d) or (n,), got {pts.shape}")
    if pts.shape[0] == 0:
        return 0
    if not np.all(np.isfinite(pts)):
        raise ValueError("points contains NaN or infinite values")
    cells = np.floor(pts / float(cell_size)).astype(np.int64)
    return int(np.unique(cells, axis=0).shape[0])


# ================================================================================================== results
def _to_jsonable(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, dict):
        return {str(k): _to_jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_to_jsonable(v) for v in x]
    return x


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "-"
    if isinstance(x, list | tuple | np.ndarray):
        return "(" + ", ".join(_fmt(v, digits) for v in x) + ")"
    if isinstance(x, float | np.floating):
        return f"{float(x):.{digits}f}"
    return str(x)


@dataclass
class SkillEvaluation:
    """The result of :func:`evaluate_skills` (or :func:`random_policy_coverage`).

    :param skills: the skill of each rollout (int for categorical skills, a list for continuous ones, None for random).
    :param trajectories: the feature vectors visited by each rollout, ``(T + 1, d)`` arrays (initial state first).
    :param accuracy: fraction of visited states whose discriminator prediction is the true skill (categorical skills
        and a reward model with ``predict_skill``), else None.
    :param per_skill: one dict per skill group: ``skill``, ``n_rollouts``, ``displacement`` (mean final minus initial
        features), ``abs_displacement`` (mean Euclidean norm of it), ``velocity_per_step`` and ``velocity_per_second``
        (first feature; None without ``dt``), ``velocity`` (per second if ``dt`` else per step), ``episode_length``,
        ``return``, ``discriminability`` (categorical) and ``mse`` (continuous).
    :param coverage: number of distinct cells of side ``cell_size`` over all visited feature vectors.
    :param cell_size: the cell side used for ``coverage``.
    :param n_steps: environment steps over all rollouts.
    :param mse: mean squared error of the discriminator's skill prediction (continuous skills), else None.
    :param dt: seconds per environment step (``env.unwrapped.dt``), None when the env has no ``dt``.
    :param returns: the environment return of each rollout.
    :param episode_lengths: the number of steps of each rollout.
    :param categorical: whether skills are categorical.
    """

    skills: list[Any]
    trajectories: list[np.ndarray]
    accuracy: float | None
    per_skill: list[dict[str, Any]]
    coverage: int
    cell_size: float
    n_steps: int
    mse: float | None = None
    dt: float | None = None
    returns: list[float] = field(default_factory=list)
    episode_lengths: list[int] = field(default_factory=list)
    categorical: bool = True

    @property
    def feature_dim(self) -> int:
        """Number of features in the trajectories."""
        return int(self.trajectories[0].shape[1]) if self.trajectories else 0

    @property
    def velocity_unit(self) -> str:
        """Unit of ``velocity``: ``"1/s"`` when the env has ``dt``, else ``"1/step"``."""
        return "1/s" if self.dt is not None else "1/step"

    def summary(self) -> dict[str, float]:
        """Scalar metrics (metrics that do not apply are left out).

        Keys: ``accuracy``, ``mse``, ``coverage``, ``n_rollouts``, ``n_steps``, ``mean_episode_length``,
        ``mean_return``, ``mean_abs_displacement`` (mean norm of the feature displacement of a rollout),
        ``max_forward_velocity`` and ``max_backward_velocity`` (largest mean velocity of the first feature in the
        positive and in the negative direction over skills, both >= 0, in :attr:`velocity_unit`),
        ``mean_discriminability`` and ``min_discriminability`` (over skills).
        """
        out: dict[str, float] = {}
        if self.accuracy is not None:
            out["accuracy"] = float(self.accuracy)
        if self.mse is not None:
            out["mse"] = float(self.mse)
        out["coverage"] = float(self.coverage)
        out["n_rollouts"] = float(len(self.trajectories))
        out["n_steps"] = float(self.n_steps)
        if self.trajectories:
            out["mean_episode_length"] = float(np.mean(self.episode_lengths)) if self.episode_lengths else float("nan")
            out["mean_return"] = float(np.mean(self.returns)) if self.returns else float("nan")
            out["mean_abs_displacement"] = float(np.mean([np.linalg.norm(t[-1] - t[0]) for t in self.trajectories]))
        velocities = [g["velocity"] for g in self.per_skill if g.get("velocity") is not None]
        if velocities:
            out["max_forward_velocity"] = max(0.0, float(max(velocities)))
            out["max_backward_velocity"] = max(0.0, -float(min(velocities)))
        disc = [g["discriminability"] for g in self.per_skill if g.get("discriminability") is not None]
        if disc:
            out["mean_discriminability"] = float(np.mean(disc))
            out["min_discriminability"] = float(np.min(disc))
        return out

    def to_dict(self, include_trajectories: bool = True) -> dict[str, Any]:
        """A JSON-serialisable dict (lists, floats, ints, None) of everything, the summary included.

        :param include_trajectories: include the (possibly long) trajectories.
        """
        out: dict[str, Any] = {
            "skills": _to_jsonable(self.skills),
            "accuracy": self.accuracy,
            "mse": self.mse,
            "per_skill": _to_jsonable(self.per_skill),
            "coverage": int(self.coverage),
            "cell_size": float(self.cell_size),
            "n_steps": int(self.n_steps),
            "dt": self.dt,
            "returns": [float(r) for r in self.returns],
            "episode_lengths": [int(n) for n in self.episode_lengths],
            "categorical": bool(self.categorical),
            "summary": self.summary(),
        }
        if include_trajectories:
            out["trajectories"] = [np.asarray(t, dtype=np.float64).tolist() for t in self.trajectories]
        return out

    def markdown_table(self, digits: int = 3) -> str:
        """A Markdown table with one row per skill: skill, displacement, velocity, discriminability (or MSE), return.

        :param digits: decimals shown.
        """
        score = "discriminability" if self.categorical else "mse"
        lines = [
            f"| skill | n | displacement | velocity ({self.velocity_unit}) | {score} | return |",
            "|---|---|---|---|---|---|",
        ]
        for g in self.per_skill:
            lines.append(
                f"| {_fmt(g['skill'], digits)} | {g['n_rollouts']} | {_fmt(g['displacement'], digits)} | "
                f"{_fmt(g['velocity'], digits)} | {_fmt(g.get(score), digits)} | {_fmt(g['return'], digits)} |"
            )
        return "\n".join(lines)


# ================================================================================================== rollouts
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


def evaluate_skills(
    model: SkillPolicy,
    env: gym.Env | str,
    skills: Sequence[Any] | None = None,
    n_rollouts: int | None = None,
    features: Features = None,
    cell_size: float = 1.0,
    deterministic: bool = True,
    max_steps: int | None = None,
    seed: int = 0,
) -> SkillEvaluation:
    """Roll out skills of ``model`` on a raw environment and measure what they do.

    Categorical skills: every skill (or those in ``skills``), ``n_rollouts`` rollouts each (default 1 when
    ``deterministic``, else 5); the ``r``-th rollout of every skill is reset with ``seed + r``, so all skills start
    from the same states. Continuous skills: ``n_rollouts`` skills (default 48, METRA's protocol) drawn from the prior
    with ``np.random.default_rng(seed)``, one rollout each, rollout ``i`` reset with ``seed + i`` (or the given
    ``skills``, ``n_rollouts`` rollouts each).

    The discriminator accuracy uses ``model.reward_model.predict_skill`` when there is one: every visited next state
    (the current state for a reward model built with ``use_next_obs=False``) is joined with the true skill
    (``model.skill_layout.join``) and the prediction compared with it; continuous skills get the mean squared error of
    the predicted skill instead.

    :param model: a skill agent: ``skill_layout`` and ``predict_skill(raw_obs, skill, deterministic=...)``.
    :param env: the raw environment (without :class:`~hrl_wrappers.SkillWrapper`) or its id (then ``gym.make(id)``,
        closed afterwards).
    :param skills: the skills to evaluate (None: see above).
    :param n_rollouts: rollouts per skill (categorical) or number of skills drawn (continuous).
    :param features: what displacement, velocity, coverage and plots measure: None (the whole flattened
        observation), indices into the flattened observation, or a callable ``(obs, info) -> array`` such as
        :func:`info_features` / :func:`locomotion_position_features`.
    :param cell_size: cell side of the coverage count.
    :param deterministic: act deterministically.
    :param max_steps: cap on steps per rollout (None: until the episode ends; 1000 if nothing ends it).
    :param seed: seed of the resets and of the skills drawn from a continuous prior.
    :return: a :class:`SkillEvaluation`.

    Example:
        >>> from agents import DIAYN
        >>> model = DIAYN("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=2, policy_kwargs={"net_arch": [8]},
        ...               discriminator_arch=[8], seed=0)
        >>> ev = evaluate_skills(model, "hrl_wrappers/PointWorld-v0", max_steps=10)
        >>> ev.skills, [t.shape for t in ev.trajectories], 0.0 <= ev.accuracy <= 1.0
        ([0, 1], [(11, 2), (11, 2)], True)
    """
    env, own = _make_env(env)
    try:
        layout = _check_model(model, env)
        feature_fn = _feature_fn(env, features)
        limit = _step_limit(env, max_steps)
        chosen, per_skill_n = _plan_skills(layout, skills, n_rollouts, deterministic, seed)
        categorical = layout.is_categorical
        dt = _env_dt(env)

        groups: list[list[_Episode]] = []
        rollout_skills: list[Any] = []
        index = 0
        for skill in chosen:
            group = []
            for r in range(per_skill_n):
                reset_seed = seed + (r if categorical else index)

                def act(obs: Any, skill: Any = skill) -> Any:
                    return model.predict_skill(obs, skill, deterministic=deterministic)[0]

                group.append(_run_episode(env, act, feature_fn, limit, reset_seed))
                rollout_skills.append(skill)
                index += 1
            groups.append(group)

        reward_model = getattr(model, "reward_model", None)
        predict = getattr(reward_model, "predict_skill", None)
        use_next = bool(getattr(reward_model, "use_next_obs", True))
        scores: list[dict[str, Any]] = []
        total_hits, total_sq, total_n = 0.0, 0.0, 0
        for skill, group in zip(chosen, groups, strict=True):
            stats: dict[str, Any] = {"skill": skill if categorical else [float(v) for v in np.asarray(skill).reshape(-1)]}
            stats.update(_group_stats(group, dt))
            if callable(predict):
                hits, sq, n = 0.0, 0.0, 0
                for ep in group:
                    if ep.steps == 0:
                        continue
                    states = ep.observations[1:] if use_next else ep.observations[:-1]
                    pred = np.asarray(predict(layout.join(_stack_obs(states), skill)))
                    if categorical:
                        hits += float(np.sum(pred.reshape(-1) == int(skill)))
                    else:
                        z = np.asarray(layout.prior.encode(skill), dtype=np.float64)
                        sq += float(np.sum(np.mean((pred.reshape(len(states), -1) - z) ** 2, axis=-1)))
                    n += len(states)
                total_hits, total_sq, total_n = total_hits + hits, total_sq + sq, total_n + n
                if categorical:
                    stats["discriminability"] = hits / n if n else None
                else:
                    stats["mse"] = sq / n if n else None
            else:
                stats["discriminability" if categorical else "mse"] = None
            scores.append(stats)

        episodes = [ep for group in groups for ep in group]
        has_score = callable(predict) and total_n > 0
        trajectories = [ep.features for ep in episodes]
        return SkillEvaluation(
            skills=[s if categorical else [float(v) for v in np.asarray(s).reshape(-1)] for s in rollout_skills],
            trajectories=trajectories,
            accuracy=total_hits / total_n if has_score and categorical else None,
            per_skill=scores,
            coverage=state_coverage(np.concatenate(trajectories), cell_size),
            cell_size=float(cell_size),
            n_steps=int(sum(ep.steps for ep in episodes)),
            mse=total_sq / total_n if has_score and not categorical else None,
            dt=dt,
            returns=[ep.ret for ep in episodes],
            episode_lengths=[ep.steps for ep in episodes],
            categorical=categorical,
        )
    finally:
        if own:
            env.close()


def random_policy_coverage(
    env: gym.Env | str,
    n_rollouts: int = DEFAULT_CONTINUOUS_ROLLOUTS,
    features: Features = None,
    cell_size: float = 1.0,
    max_steps: int | None = None,
    seed: int = 0,
) -> SkillEvaluation:
    """The metrics of :func:`evaluate_skills` for uniformly random actions: the baseline for state coverage.

    All rollouts form one group (``per_skill[0]["skill"] == "random"``); ``accuracy`` is None. Rollout ``i`` is
    reset with ``seed + i`` and actions come from ``env.action_space`` seeded with ``seed``.

    :param env: the raw environment or its id.
    :param n_rollouts: number of rollouts.
    :param features: as in :func:`evaluate_skills`.
    :param cell_size: cell side of the coverage count.
    :param max_steps: cap on steps per rollout.
    :param seed: seed of resets and actions.
    :return: a :class:`SkillEvaluation` with ``skills == [None] * n_rollouts``.

    Example:
        >>> ev = random_policy_coverage("hrl_wrappers/PointWorld-v0", n_rollouts=2, max_steps=5)
        >>> len(ev.trajectories), ev.trajectories[0].shape, ev.accuracy
        (2, (6, 2), None)
    """
    if isinstance(n_rollouts, bool) or int(n_rollouts) < 1:
        raise ValueError(f"n_rollouts must be a positive integer, got {n_rollouts!r}")
    env, own = _make_env(env)
    try:
        feature_fn = _feature_fn(env, features)
        limit = _step_limit(env, max_steps)
        env.action_space.seed(seed)

        def act(obs: Any) -> Any:
            return env.action_space.sample()

        episodes = [_run_episode(env, act, feature_fn, limit, seed + i) for i in range(int(n_rollouts))]
        dt = _env_dt(env)
        group: dict[str, Any] = {"skill": "random", **_group_stats(episodes, dt), "discriminability": None, "mse": None}
        trajectories = [ep.features for ep in episodes]
        return SkillEvaluation(
            skills=[None] * len(episodes),
            trajectories=trajectories,
            accuracy=None,
            per_skill=[group],
            coverage=state_coverage(np.concatenate(trajectories), cell_size),
            cell_size=float(cell_size),
            n_steps=int(sum(ep.steps for ep in episodes)),
            dt=dt,
            returns=[ep.ret for ep in episodes],
            episode_lengths=[ep.steps for ep in episodes],
            categorical=True,
        )
    finally:
        if own:
            env.close()


# ================================================================================================== plots
def _skill_colours(evaluation: SkillEvaluation) -> tuple[list[Any], list[str | None]]:
    """One colour per rollout (one per skill) and the legend label of each rollout (first of its skill only)."""
    from matplotlib import colormaps

    skills = evaluation.skills
    if evaluation.categorical:
        keys = [repr(s) for s in skills]
        distinct = list(dict.fromkeys(keys))
        n = len(distinct)
        if n <= 10:
            cmap = colormaps["tab10"]
            colours = [cmap(distinct.index(k)) for k in keys]
        elif n <= 20:
            cmap = colormaps["tab20"]
            colours = [cmap(distinct.index(k)) for k in keys]
        else:
            cmap = colormaps["hsv"]
            colours = [cmap(distinct.index(k) / n) for k in keys]
        seen: set[str] = set()
        labels: list[str | None] = []
        for k, s in zip(keys, skills, strict=True):
            labels.append(None if k in seen or n > 20 else ("random" if s is None else f"skill {s}"))
            seen.add(k)
        return colours, labels
    z = np.asarray(skills, dtype=np.float64).reshape(len(skills), -1)
    if z.shape[1] >= 2:
        # METRA's colouring: the hue is the direction of the skill vector
        values = (np.arctan2(z[:, 1], z[:, 0]) + np.pi) / (2 * np.pi)
        cmap = colormaps["hsv"]
    else:
        lo, hi = float(z[:, 0].min()), float(z[:, 0].max())
        values = (z[:, 0] - lo) / (hi - lo) if hi > lo else np.full(len(z), 0.5)
        cmap = colormaps["viridis"]
    return [cmap(float(v)) for v in values], [None] * len(skills)


def plot_skill_trajectories(
    evaluation: SkillEvaluation,
    path: str | os.PathLike[str] | None = None,
    dims: tuple[int, int] = (0, 1),
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot every rollout's trajectory over two feature dimensions, one colour per skill, starts marked with a dot.

    With one feature (``dims[1]`` is then ignored) or ``dims[0] == dims[1]``, feature ``dims[0]`` is plotted against
    the time step instead. Categorical skills use ``tab10``/``tab20`` with a legend; continuous skills are coloured by
    the direction of the skill vector. The figure is built without pyplot (Agg canvas), so nothing global changes.

    :param evaluation: the result of :func:`evaluate_skills`.
    :param path: write a PNG there when given.
    :param dims: the two feature dimensions (x axis, y axis).
    :param title: the axes title.
    :param ax: draw into these axes instead of a new figure.
    :return: the figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    d = evaluation.feature_dim
    dx, dy = int(dims[0]), int(dims[1])
    over_time = d == 1 or dx == dy
    if d and not (0 <= dx < d and (over_time or 0 <= dy < d)):
        raise ValueError(f"dims {tuple(dims)} must index the {d} features of the trajectories")
    if ax is None:
        fig = Figure(figsize=(6, 5), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
    else:
        parent = ax.get_figure(root=True)
        if not isinstance(parent, Figure):
            raise ValueError("ax must belong to a matplotlib Figure")
        fig = parent
    colours, labels = _skill_colours(evaluation)
    for traj, colour, label in zip(evaluation.trajectories, colours, labels, strict=True):
        if over_time:
            xs, ys = np.arange(len(traj)), traj[:, dx]
        else:
            xs, ys = traj[:, dx], traj[:, dy]
        ax.plot(xs, ys, color=colour, linewidth=1.2, alpha=0.85, label=label)
        ax.scatter([xs[0]], [ys[0]], color=colour, edgecolors="black", s=25, zorder=3)
    if over_time:
        ax.set_xlabel("step")
        ax.set_ylabel(f"feature {dx}")
    else:
        ax.set_xlabel(f"feature {dx}")
        ax.set_ylabel(f"feature {dy}")
        ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, alpha=0.3)
    if any(label is not None for label in labels):
        ax.legend(fontsize="small", loc="best", ncol=2 if len(set(labels)) > 10 else 1)
    if title is None:
        title = f"coverage {evaluation.coverage}"
        if evaluation.accuracy is not None:
            title += f", accuracy {evaluation.accuracy:.2f}"
    ax.set_title(title)
    if path is not None:
        directory = os.path.dirname(os.fspath(path))
        if directory:
            os.makedirs(directory, exist_ok=True)
        fig.savefig(os.fspath(path), format="png", bbox_inches="tight")
    return fig


# ================================================================================================== videos
def _make_render_env(env_id_or_factory: str | Callable[..., gym.Env], env_kwargs: dict[str, Any]) -> gym.Env:
    os.environ.setdefault("MUJOCO_GL", "egl")  # offscreen MuJoCo rendering without a display
    kwargs = {**env_kwargs, "render_mode": "rgb_array"}
    if isinstance(env_id_or_factory, str):
        try:
            env = gym.make(env_id_or_factory, **kwargs)
        except (TypeError, ValueError, gym.error.Error) as exc:
            raise ValueError(f"cannot make {env_id_or_factory!r} with render_mode='rgb_array': {exc}") from exc
    elif callable(env_id_or_factory):
        try:
            env = env_id_or_factory(**kwargs)
        except TypeError:
            env = env_id_or_factory(**env_kwargs)
    else:
        raise TypeError(f"env_id_or_factory must be an environment id or a factory, got {type(env_id_or_factory).__name__}")
    if env.render_mode != "rgb_array":
        env.close()
        raise ValueError(
            f"the environment renders with render_mode={env.render_mode!r}; videos need render_mode='rgb_array' "
            "(give an env id, or a factory that accepts render_mode)"
        )
    return env


def record_skill_videos(
    model: SkillPolicy,
    env_id_or_factory: str | Callable[..., gym.Env],
    video_folder: str | os.PathLike[str],
    skills: Sequence[Any] | None = None,
    video_length: int = 200,
    env_kwargs: dict[str, Any] | None = None,
    seed: int = 0,
    deterministic: bool = True,
) -> list[str]:
    """Record one video per skill with :class:`gymnasium.wrappers.RecordVideo` (``name_prefix=f"skill_{k}"``).

    Each video shows ``video_length`` steps of skill ``k`` (episodes that end earlier are reset with the next seed
    and the recording goes on). ``MUJOCO_GL`` defaults to ``"egl"`` for offscreen MuJoCo rendering.

    :param model: a skill agent (``skill_layout`` and ``predict_skill``).
    :param env_id_or_factory: the raw environment's id, or a factory accepting ``render_mode`` (and ``env_kwargs``).
    :param video_folder: where the ``.mp4`` files go.
    :param skills: the skills (categorical: all when None; continuous: 8 drawn from the prior with ``seed``).
        ``k`` in the file name is the position in this list.
    :param video_length: steps per video.
    :param env_kwargs: keyword arguments of ``gym.make`` or of the factory.
    :param seed: reset seed (and seed of the drawn continuous skills).
    :param deterministic: act deterministically.
    :return: the paths of the videos, in skill order.
    :raises ValueError: when the environment cannot render ``rgb_array`` frames.
    """
    if isinstance(video_length, bool) or int(video_length) < 1:
        raise ValueError(f"video_length must be a positive integer, got {video_length!r}")
    from gymnasium.wrappers import RecordVideo

    folder = os.path.abspath(os.fspath(video_folder))
    os.makedirs(folder, exist_ok=True)
    kwargs = dict(env_kwargs or {})
    env: gym.Env | None = _make_render_env(env_id_or_factory, kwargs)
    assert env is not None
    try:
        layout = _check_model(model, env)
        if skills is not None:
            chosen, _ = _plan_skills(layout, skills, 1, True, seed)
        elif isinstance(layout.prior, CategoricalPrior):
            chosen = list(range(layout.prior.n_skills))
        else:
            chosen = [np.asarray(z, dtype=np.float32) for z in layout.prior.sample(np.random.default_rng(seed), size=8)]
    except Exception:
        env.close()
        raise
    paths: list[str] = []
    for k, skill in enumerate(chosen):
        if env is None:
            env = _make_render_env(env_id_or_factory, kwargs)
        prefix = f"skill_{k}"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Overwriting existing videos.*")
            recorder = RecordVideo(
                env, folder, episode_trigger=lambda e: e == 0, video_length=int(video_length), name_prefix=prefix
            )
        try:
            obs, _ = recorder.reset(seed=seed)
            episode = 0
            for _ in range(int(video_length)):
                action = model.predict_skill(obs, skill, deterministic=deterministic)[0]
                obs, _, terminated, truncated, _ = recorder.step(action)
                if not recorder.recording:
                    break
                if terminated or truncated:
                    episode += 1
                    obs, _ = recorder.reset(seed=seed + episode)
        finally:
            recorder.close()
            env = None
        path = os.path.join(folder, f"{prefix}-episode-0.mp4")
        if not os.path.isfile(path):
            raise RuntimeError(f"RecordVideo wrote no video for skill {k} (expected {path})")
        paths.append(path)
    if env is not None:
        env.close()
    return paths


# ================================================================================================== callback
class SkillEvalCallback(BaseCallback):
    """Evaluate the skills of the model being trained every ``eval_freq`` calls, log the metrics and a plot.

    Logs ``skills/<metric>`` for every entry of :meth:`SkillEvaluation.summary` (``skills/accuracy``,
    ``skills/coverage``, ``skills/mean_abs_displacement``, ``skills/mean_discriminability``, ...) and the trajectory
    plot as an SB3 ``Figure`` under ``skills/trajectories`` (TensorBoard only). With ``log_dir`` it also writes
    ``skills_{num_timesteps}.png`` and appends the summary (with ``timesteps``) to ``skill_eval.csv``.

    :param eval_env: the raw evaluation environment (without SkillWrapper) or its id (made once).
    :param eval_freq: evaluate every this many callback calls (environment steps of one env; <= 0 disables).
    :param features: as in :func:`evaluate_skills`.
    :param cell_size: coverage cell side.
    :param n_rollouts: as in :func:`evaluate_skills`.
    :param plot_dims: the feature dimensions of the plot.
    :param log_dir: folder of the PNGs and the CSV (None: none written).
    :param verbose: 1 prints a one-line summary per evaluation.
    :param max_steps: cap on steps per evaluation rollout.
    :param deterministic: act deterministically in evaluations.
    :param seed: seed of :func:`evaluate_skills`.
    """

    def __init__(
        self,
        eval_env: gym.Env | str,
        eval_freq: int = 10_000,
        features: Features = None,
        cell_size: float = 1.0,
        n_rollouts: int | None = None,
        plot_dims: tuple[int, int] = (0, 1),
        log_dir: str | os.PathLike[str] | None = None,
        verbose: int = 0,
        max_steps: int | None = None,
        deterministic: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(verbose)
        if isinstance(eval_env, str):
            eval_env = gym.make(eval_env)
        if not isinstance(eval_env, gym.Env):
            raise TypeError(f"eval_env must be a gymnasium.Env or an environment id, got {type(eval_env).__name__}")
        self.eval_env = eval_env
        self.eval_freq = int(eval_freq)
        self.features = features
        self.cell_size = float(cell_size)
        self.n_rollouts = n_rollouts
        self.plot_dims = (int(plot_dims[0]), int(plot_dims[1]))
        self.log_dir = None if log_dir is None else os.fspath(log_dir)
        self.max_steps = max_steps
        self.deterministic = bool(deterministic)
        self.seed = int(seed)
        self.last_evaluation: SkillEvaluation | None = None

    def _init_callback(self) -> None:
        _check_model(self.model, self.eval_env)
        _feature_fn(self.eval_env, self.features)  # fail at the start of learn, not at the first evaluation
        if self.log_dir is not None:
            os.makedirs(self.log_dir, exist_ok=True)

    def _on_step(self) -> bool:
        if self.eval_freq > 0 and self.n_calls % self.eval_freq == 0:
            self.evaluate()
        return True

    def evaluate(self) -> SkillEvaluation:
        """Run one evaluation now, log it and return it."""
        from stable_baselines3.common.logger import Figure as LoggerFigure

        model: Any = self.model
        evaluation = evaluate_skills(
            model,
            self.eval_env,
            n_rollouts=self.n_rollouts,
            features=self.features,
            cell_size=self.cell_size,
            deterministic=self.deterministic,
            max_steps=self.max_steps,
            seed=self.seed,
        )
        self.last_evaluation = evaluation
        summary = evaluation.summary()
        for key, value in summary.items():
            self.logger.record(f"skills/{key}", value)
        # too few features for plot_dims: plot the first feature over time
        dims = self.plot_dims if all(0 <= i < evaluation.feature_dim for i in self.plot_dims) else (0, 0)
        png = None if self.log_dir is None else os.path.join(self.log_dir, f"skills_{self.num_timesteps}.png")
        fig = plot_skill_trajectories(evaluation, png, dims=dims, title=f"skills at {self.num_timesteps} steps")
        self.logger.record("skills/trajectories", LoggerFigure(fig, close=True), exclude=("stdout", "log", "json", "csv"))
        if self.log_dir is not None:
            self._append_csv({"timesteps": float(self.num_timesteps), **summary})
        if self.verbose >= 1:
            shown = ", ".join(f"{k}={v:.3g}" for k, v in summary.items())
            print(f"[SkillEvalCallback] {self.num_timesteps} steps: {shown}")
        return evaluation

    def _append_csv(self, row: dict[str, float]) -> None:
        assert self.log_dir is not None
        path = os.path.join(self.log_dir, "skill_eval.csv")
        header: list[str] | None = None
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            with open(path, newline="") as f:
                header = next(csv.reader(f), None)
        with open(path, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header or list(row), restval="", extrasaction="ignore")
            if header is None:
                writer.writeheader()
            writer.writerow(row)
