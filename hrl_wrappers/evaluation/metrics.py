"""What an evaluation reports: :func:`evaluate_skills` (rollouts of every skill), :func:`random_policy_coverage`
(the random-action baseline), :func:`state_coverage` (METRA's cell count) and their result, :class:`SkillEvaluation`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from hrl_wrappers.evaluation.episodes import (
    DEFAULT_CONTINUOUS_ROLLOUTS,
    SkillPolicy,
    _check_model,
    _env_dt,
    _Episode,
    _group_stats,
    _make_env,
    _plan_skills,
    _run_episode,
    _stack_obs,
    _step_limit,
)
from hrl_wrappers.evaluation.features import Features, _feature_fn

__all__ = ["SkillEvaluation", "evaluate_skills", "random_policy_coverage", "state_coverage"]


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
        :func:`~hrl_wrappers.evaluation.info_features` / :func:`~hrl_wrappers.evaluation.locomotion_position_features`.
    :param cell_size: cell side of the coverage count.
    :param deterministic: act deterministically.
    :param max_steps: cap on steps per rollout (None: until the episode ends; 1000 if nothing ends it).
    :param seed: seed of the resets and of the skills drawn from a continuous prior.
    :return: a :class:`SkillEvaluation`.

    Example (a hand-written skill policy, with an untrained DIAYN discriminator as its reward model):
        >>> import gymnasium as gym
        >>> import numpy as np
        >>> from hrl_wrappers.priors import CategoricalPrior
        >>> from hrl_wrappers.rewards import DIAYNReward
        >>> from hrl_wrappers.skill_layout import SkillLayout
        >>> class TwoDirections:  # skill 0 moves the point right, skill 1 moves it up
        ...     def __init__(self, observation_space):
        ...         self.skill_layout = SkillLayout(observation_space, CategoricalPrior(2))
        ...         self.reward_model = DIAYNReward(self.skill_layout, net_arch=[8])
        ...     def predict_skill(self, obs, skill, deterministic=True):
        ...         return np.eye(2, dtype=np.float32)[skill], None
        >>> model = TwoDirections(gym.make("hrl_wrappers/PointWorld-v0").observation_space)
        >>> ev = evaluate_skills(model, "hrl_wrappers/PointWorld-v0", max_steps=10)
        >>> ev.skills, [t.shape for t in ev.trajectories], 0.0 <= ev.accuracy <= 1.0
        ([0, 1], [(11, 2), (11, 2)], True)
        >>> np.round([g["displacement"] for g in ev.per_skill], 2).tolist()
        [[5.0, 0.0], [0.0, 5.0]]
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
