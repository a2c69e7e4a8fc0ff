"""Zero-shot planning over learned skills with the skill dynamics (Sharma et al., 2020, Sec. 4 and Appendix).

:class:`SkillPlanner` is model-predictive path integral control (MPPI) in *skill* space. A plan is a sequence of
``horizon`` (H_P) skills, each held for ``hold_steps`` (H_Z) environment steps. At each decision point it

1. samples ``n_candidates`` (K) plans around the current mean (continuous skills: ``N(mu, sigma^2)`` clipped to the
   prior's range, optionally smoothed along the plan with ``beta``; categorical: from per-step probabilities),
2. rolls each plan out with the skill dynamics' mean prediction of the change of the goal features,
3. scores it with the goal reward (``"dense"``: minus the distance to the goal at every predicted step;
   ``"sparse"``: one for every predicted step within ``goal_radius``),
4. refines the mean ``n_refine`` (R) times: ``mu = sum_k exp(gamma r_k) z_k / sum_p exp(gamma r_p)``,

then executes the first skill of the mean plan for H_Z steps in the real environment with the skill policy, and
replans from the state actually reached (closed loop). Paper settings: dense H_P=1, H_Z=10, K=50, R=10, gamma=10;
sparse H_P=4, H_Z=25, K=200, beta=0.9; covariance 1.5 I, initial mean 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from agents.common.goal_result import PlanResult
from hrl_wrappers.priors import CategoricalPrior, UniformPrior
from hrl_wrappers.rewards.dads import DADSReward

__all__ = ["PlanResult", "SkillPlanner", "plot_plans"]

_REWARDS = ("dense", "sparse")


class SkillPlanner:
    """MPPI over sequences of skills with a DADS agent's skill dynamics; see the module docstring.

    :param model: a trained :class:`~agents.DADS` (anything with a ``reward_model`` that is a
        :class:`~hrl_wrappers.DADSReward` and a ``predict_skill`` method).
    :param horizon: H_P, skills per plan.
    :param hold_steps: H_Z, environment steps each skill is held.
    :param n_candidates: K, plans sampled per refinement.
    :param n_refine: R, refinement iterations per decision.
    :param temperature: gamma, of the exponential weights.
    :param reward_type: ``"dense"`` or ``"sparse"`` goal reward for planning.
    :param goal_radius: distance counted as reaching the goal (sparse reward).
    :param goal_features: positions *within the skill dynamics' features* that the goal refers to (default: all).
    :param init_std: standard deviation of candidate skills around the mean (sqrt(1.5) in the reference).
    :param smoothing: beta; noise of step t is ``beta * n_t + (1 - beta) * noise_{t-1}`` (1: no smoothing).
    :param std_decay: multiplies the sampling standard deviation after each refinement (1: fixed, as the paper;
        below 1 narrows the search around the refined mean, which lets the plan stop close to a goal).
    :param deterministic: act deterministically with the skill policy.
    :param seed: seed of the candidate sampling.

    Example:
        >>> from agents import DADS
        >>> model = DADS("MlpPolicy", "hrl_wrappers/PointWorld-v0", skill_dim=2, n_steps=100, agent_steps=2,
        ...              dynamics_steps=2, n_alternatives=4, policy_kwargs={"net_arch": [16]},
        ...              dynamics_arch=[16], seed=0).learn(100)
        >>> planner = SkillPlanner(model, n_candidates=8, n_refine=2, seed=0)
        >>> env = gym.make("hrl_wrappers/PointWorld-v0")
        >>> result = planner.run(env, goal=[3.0, 0.0], max_steps=20, seed=0)
        >>> result.executed.shape
        (21, 2)
    """

    def __init__(
        self,
        model: Any,
        horizon: int = 1,
        hold_steps: int = 10,
        n_candidates: int = 50,
        n_refine: int = 10,
        temperature: float = 10.0,
        reward_type: str = "dense",
        goal_radius: float = 1.0,
        goal_features: Sequence[int] | None = None,
        init_std: float = math.sqrt(1.5),
        smoothing: float = 1.0,
        std_decay: float = 1.0,
        deterministic: bool = True,
        seed: int | None = None,
    ) -> None:
        dynamics = getattr(model, "reward_model", None)
        if not isinstance(dynamics, DADSReward):
            raise TypeError(
                "model must be a trained DADS agent whose reward_model is a DADSReward (the skill dynamics), got "
                f"{type(model).__name__} with reward_model {type(dynamics).__name__}: zero-shot planning needs q(s'|s,z)"
            )
        if not callable(getattr(model, "predict_skill", None)):
            raise TypeError(f"model must have predict_skill (a SkillAgent), got {type(model).__name__}")
        for name, value in (
            ("horizon", horizon),
            ("hold_steps", hold_steps),
            ("n_candidates", n_candidates),
            ("n_refine", n_refine),
        ):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if not (math.isfinite(temperature) and temperature > 0):
            raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}")
        if reward_type not in _REWARDS:
            raise ValueError(f"reward_type must be one of {list(_REWARDS)}, got {reward_type!r}")
        if not (math.isfinite(goal_radius) and goal_radius > 0):
            raise ValueError(f"goal_radius must be a finite number > 0, got {goal_radius!r}")
        if not (math.isfinite(init_std) and init_std > 0):
            raise ValueError(f"init_std must be a finite number > 0, got {init_std!r}")
        if not 0 < smoothing <= 1:
            raise ValueError(f"smoothing must be in (0, 1], got {smoothing!r}")
        if not 0 < std_decay <= 1:
            raise ValueError(f"std_decay must be in (0, 1], got {std_decay!r}")
        self.model = model
        self.dynamics: DADSReward = dynamics
        layout = dynamics.layout
        target = dynamics.features if dynamics.features is not None else list(range(layout.state_dim))
        inputs = dynamics.input_features if dynamics.input_features is not None else list(range(layout.state_dim))
        missing = [i for i in inputs if i not in target]
        if missing:
            raise ValueError(
                f"the skill dynamics reads observation entries {missing} that it does not predict, so it cannot roll "
                "a plan forward: planning needs input_features to be a subset of features"
            )
        self.target_features = list(target)
        #: where each input feature sits among the predicted features
        self._input_pos = [self.target_features.index(i) for i in inputs]
        if goal_features is None:
            self.goal_pos = list(range(len(self.target_features)))
        else:
            pos = [int(i) for i in goal_features]
            if not pos or any(not 0 <= i < len(self.target_features) for i in pos):
                raise ValueError(
                    f"goal_features must be positions in [0, {len(self.target_features)}) within the skill dynamics' "
                    f"features {self.target_features}, got {list(goal_features)!r}"
                )
            self.goal_pos = pos
        self.goal_dim = len(self.goal_pos)
        self.prior = layout.prior
        self.horizon = int(horizon)
        self.hold_steps = int(hold_steps)
        self.n_candidates = int(n_candidates)
        self.n_refine = int(n_refine)
        self.temperature = float(temperature)
        self.reward_type = reward_type
        self.goal_radius = float(goal_radius)
        self.init_std = float(init_std)
        self.smoothing = float(smoothing)
        self.std_decay = float(std_decay)
        self.deterministic = bool(deterministic)
        self.rng = np.random.default_rng(seed)
        self.reset()

    # ------------------------------------------------------------------------------------------------ helpers
    def reset(self) -> None:
        """Forget the warm-started plan (call between episodes)."""
        if isinstance(self.prior, CategoricalPrior):
            self._mean = np.full((self.horizon, self.prior.n_skills), 1.0 / self.prior.n_skills)
        else:
            self._mean = np.zeros((self.horizon, self.prior.encoding_dim))

    def check_goal(self, goal: Any) -> np.ndarray:
        """The goal as a float vector of the goal features' dimension, or a ``ValueError`` naming ``goal``."""
        try:
            g = np.asarray(goal, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise ValueError(f"goal must be {self.goal_dim} numbers (the goal features), got {goal!r}") from None
        if g.shape != (self.goal_dim,):
            raise ValueError(
                f"goal must have {self.goal_dim} entries (features {[self.target_features[i] for i in self.goal_pos]} "
                f"of the observation), got {g.shape[0]}: {goal!r}"
            )
        if not np.all(np.isfinite(g)):
            raise ValueError(f"goal must be finite, got {goal!r}")
        return g

    def _state_of(self, obs: Any) -> np.ndarray:
        flat = np.asarray(obs, dtype=np.float64).reshape(-1)
        return flat[self.target_features]

    def _sample(self, std: float) -> tuple[np.ndarray, np.ndarray]:
        """K candidate plans: encodings ``(K, H_P, enc)`` and the raw samples used for the mean update."""
        k, h = self.n_candidates, self.horizon
        if isinstance(self.prior, CategoricalPrior):
            n = self.prior.n_skills
            idx = np.stack([self.rng.choice(n, size=k, p=self._mean[t] / self._mean[t].sum()) for t in range(h)], axis=1)
            onehot = np.eye(n)[idx]
            return onehot, onehot
        noise = self.rng.standard_normal((k, h, self.prior.encoding_dim)) * std
        if self.smoothing < 1:
            for t in range(1, h):
                noise[:, t] = self.smoothing * noise[:, t] + (1 - self.smoothing) * noise[:, t - 1]
        z = self._mean[None] + noise
        if isinstance(self.prior, UniformPrior):
            z = np.clip(z, self.prior.low, self.prior.high)
        return z, z

    @torch.no_grad()
    def rollout(self, start: np.ndarray, plans: np.ndarray) -> np.ndarray:
        """Predicted target features along each plan: ``(K, H_P * H_Z + 1, D)`` from ``start`` ``(D,)``."""
        dyn = self.dynamics
        k = plans.shape[0]
        state = torch.as_tensor(np.broadcast_to(start, (k, len(start))).copy(), dtype=torch.float32, device=dyn.device)
        path = [state.clone()]
        z_all = torch.as_tensor(plans, dtype=torch.float32, device=dyn.device)
        for t in range(plans.shape[1]):
            z = z_all[:, t]
            for _ in range(self.hold_steps):
                state = state + dyn.predict_delta(state[:, self._input_pos], z)
                path.append(state.clone())
        return torch.stack(path, dim=1).cpu().numpy().astype(np.float64)

    def _score(self, paths: np.ndarray, goal: np.ndarray) -> np.ndarray:
        dist = np.linalg.norm(paths[:, 1:, self.goal_pos] - goal, axis=-1)
        if self.reward_type == "dense":
            return -dist.sum(-1)
        return (dist <= self.goal_radius).sum(-1).astype(np.float64)

    def plan(self, obs: Any, goal: Any) -> tuple[np.ndarray, np.ndarray]:
        """Refine the plan from raw observation ``obs`` towards ``goal``.

        :return: the plan's skill encodings ``(H_P, enc)`` (the mean, or the most likely skills for categorical
            priors) and its predicted path of goal features ``(H_P * H_Z + 1, G)``.
        """
        g = self.check_goal(goal)
        start = self._state_of(obs)
        for r in range(self.n_refine):
            plans, samples = self._sample(self.init_std * self.std_decay**r)
            rewards = self._score(self.rollout(start, plans), g)
            w = np.exp(self.temperature * (rewards - rewards.max()))
            w /= w.sum()
            self._mean = np.einsum("k,kh...->h...", w, samples)
        if isinstance(self.prior, CategoricalPrior):
            best = np.eye(self.prior.n_skills)[self._mean.argmax(-1)]
        else:
            best = self._mean.copy()
        path = self.rollout(start, best[None])[0][:, self.goal_pos]
        return best, path

    def _advance(self) -> None:
        """Warm start: drop the executed skill, append a fresh one."""
        fresh = np.full_like(self._mean[:1], 1.0 / self._mean.shape[-1]) if isinstance(self.prior, CategoricalPrior) else 0
        self._mean = np.concatenate([self._mean[1:], np.zeros_like(self._mean[:1]) + fresh], axis=0)

    # ------------------------------------------------------------------------------------------------ closed loop
    def run(
        self,
        env: gym.Env,
        goal: Any,
        max_steps: int = 200,
        seed: int | None = None,
        reset_options: dict[str, Any] | None = None,
    ) -> PlanResult:
        """Reach ``goal`` in the real (raw, not skill-wrapped) environment, replanning every ``hold_steps`` steps.

        :param env: the environment the skills were trained on, without the SkillWrapper.
        :param goal: the goal, in goal-feature coordinates (e.g. x, y).
        :param max_steps: episode length (the paper's 200); the episode also ends when the env ends it.
        :param seed: seed of ``env.reset``.
        :param reset_options: options of ``env.reset``.
        :return: the executed path, the plans and the distances.
        """
        g = self.check_goal(goal)
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
        self.reset()
        obs, _ = env.reset(seed=seed, options=reset_options)
        executed = [self._state_of(obs)[self.goal_pos]]
        result = PlanResult(goal=g, executed=np.empty(0))
        steps, done = 0, False
        while steps < max_steps and not done:
            plan, path = self.plan(obs, g)
            z = plan[0]
            skill: Any = int(np.argmax(z)) if isinstance(self.prior, CategoricalPrior) else z.astype(np.float32)
            result.planned.append(path)
            result.skills.append(skill)
            for _ in range(min(self.hold_steps, max_steps - steps)):
                action, _ = self.model.predict_skill(obs, skill, deterministic=self.deterministic)
                obs, reward, terminated, truncated, _ = env.step(action)
                result.env_return += float(reward)
                executed.append(self._state_of(obs)[self.goal_pos])
                steps += 1
                if terminated or truncated:
                    done = True
                    break
            self._advance()
        result.set_path(executed)
        return result


def plot_plans(results: Sequence[PlanResult], path: str, title: str = "", dims: tuple[int, int] = (0, 1)) -> None:
    """Draw the executed path (solid), each decision's planned path (dotted) and the goal of every result.

    :param results: planning episodes (e.g. one per goal).
    :param path: image file to write.
    :param title: figure title.
    :param dims: which goal features to draw on the x and y axes.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    colors = [f"C{i % 10}" for i in range(len(results))]
    a, b = dims
    for color, res in zip(colors, results, strict=True):
        for plan in res.planned:
            ax.plot(plan[:, a], plan[:, b], ":", color=color, lw=1, alpha=0.7)
        ax.plot(res.executed[:, a], res.executed[:, b], "-", color=color, lw=2)
        ax.plot(*res.goal[[a, b]], "*", color=color, ms=14, mec="k")
        ax.plot(*res.executed[0, [a, b]], "o", color="k", ms=4)
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.set_title(title or "zero-shot planning: executed (solid), planned (dotted), goals (stars)", fontsize=9)
    fig.savefig(path, dpi=110, bbox_inches="tight")
