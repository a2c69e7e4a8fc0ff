"""METRA (Park, Rybkin and Levine, ICLR 2024) and LSD (Park et al., ICLR 2022) on SB3's SAC."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3 import SAC
from stable_baselines3.common.vec_env import VecEnv

from agents.common.arguments import copy_user_dicts
from agents.common.skill_agent import EnvLike, SkillAgent
from hrl_wrappers.priors import CategoricalPrior
from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.rewards.lsd import LSDReward
from hrl_wrappers.rewards.metra import METRAReward
from hrl_wrappers.rewards.phi import DEFAULT_PHI_ARCH, PhiReward
from hrl_wrappers.skill_layout import integer_list

__all__ = ["LSD", "METRA"]

_CONSTRAINTS = ("dual", "spectral")


def _ratio_of(algo_kwargs: dict[str, Any], n_envs: int) -> float:
    """SAC's gradient steps per environment transition under ``algo_kwargs`` (SB3's defaults: one per step)."""
    train_freq = algo_kwargs.get("train_freq", 1)
    gradient_steps = int(algo_kwargs.get("gradient_steps", 1))
    if isinstance(train_freq, tuple | list):
        if len(train_freq) != 2 or train_freq[1] != "step":
            return 1.0  # episode-based rollouts: no fixed ratio to follow
        train_freq = train_freq[0]
    if gradient_steps < 0:  # -1: as many gradient steps as transitions collected
        return 1.0
    return gradient_steps / (int(train_freq) * max(n_envs, 1))


class METRA(SkillAgent, SAC):  # type: ignore[misc]  # SkillAgent.load/load_replay_buffer widen SB3's signatures
    """METRA: skills that travel far in a learned temporal-distance space, from the full state, on SB3's SAC.

    Paper: https://arxiv.org/abs/2310.08887. Reference code: https://github.com/seohongpark/METRA (``iod/metra.py``).
    A representation phi: S -> R^d is trained to maximise ``(phi(s') - phi(s))^T z`` under the constraint
    ``||phi(s') - phi(s)|| <= 1`` on every transition (a learned dual variable), and the policy, which sees the
    observation with z appended, is rewarded ``(phi(s') - phi(s))^T z`` under the current phi each time a batch is
    sampled (:class:`~hrl_wrappers.METRAReward`). With ``constraint="spectral"`` phi is 1-Lipschitz in the state
    instead (LSD, :class:`~hrl_wrappers.LSDReward`; the class :class:`LSD` sets it).

    The defaults are the paper's where a CPU allows: SAC with learning rate 1e-4, entropy coefficient learned from
    0.01 towards the target entropy ``-|A| / 2``, 2-D skills on the unit circle, lambda starting at 30 with slack
    1e-3. SAC's networks are SB3's 256x256 and phi is 128x128 (the paper's 1024x1024 is too slow here; see
    :data:`hrl_wrappers.rewards.phi.DEFAULT_PHI_ARCH`), and phi takes one gradient step per SAC
    gradient step (``update_ratio=None``).

    :param policy: SB3 policy (``"MlpPolicy"``; switched to ``"MultiInputPolicy"`` for Dict observations).
    :param env: a Gymnasium id, an env factory, a ``gym.Env`` (wrapped in a SkillWrapper unless it already is) or a
        VecEnv of skill-wrapped environments.
    :param skill_dim: dimension of continuous skills (default 2 when ``n_skills`` is not given).
    :param n_skills: number of discrete skills (zero-centred one-hot vectors in the reward; the paper's HalfCheetah).
    :param distribution: continuous prior: ``"sphere"`` (unit vectors, METRA), ``"gaussian"`` (LSD) or ``"uniform"``.
    :param constraint: ``"dual"`` (METRA) or ``"spectral"`` (LSD).
    :param features: indices of the environment observation phi sees; the whole state when None (no x-y prior).
    :param obs_mode: ``"flat"`` or ``"dict"`` skill layout (see :class:`~hrl_wrappers.SkillWrapper`).
    :param resample_every: redraw the skill every this many steps (None: once per episode).
    :param phi_arch: hidden layers of phi.
    :param phi_lr: its Adam learning rate (the paper: 1e-4).
    :param feature_scale: multiplies phi's input features.
    :param dual_lambda: initial lambda (``constraint="dual"``).
    :param dual_slack: slack of the constraint (``constraint="dual"``).
    :param dual_lr: Adam learning rate of ``log lambda`` (None: ``phi_lr``).
    :param phi_batch_size: phi's minibatch size when it samples its own batches.
    :param update_ratio: phi's gradient steps per environment transition (None: SAC's own ratio,
        ``gradient_steps / (train_freq * n_envs)``, so phi steps once on every batch SAC samples).
    :param intrinsic_coef: weight of the METRA reward.
    :param extrinsic_coef: weight of the environment reward (0: unsupervised).
    :param n_envs: number of environments when ``env`` is an id or a factory.
    :param env_kwargs: ``gym.make`` keyword arguments (e.g. ``max_episode_steps``) when ``env`` is an id.
    :param vec_env_cls: ``DummyVecEnv`` (default) or ``SubprocVecEnv``.
    :param seed: random seed.
    :param _init_setup_model: build the networks now (SB3 convention).
    :param algo_kwargs: any argument of SB3's SAC (``learning_rate``, ``policy_kwargs``, ``train_freq``, ...).

    Example:
        >>> from agents import METRA
        >>> model = METRA("MlpPolicy", "hrl_wrappers/PointWorld-v0", learning_starts=50,
        ...               policy_kwargs={"net_arch": [32]}, phi_arch=[32], seed=0)
        >>> _ = model.learn(200)
        >>> action, _ = model.predict_skill([0.0, 0.0], skill=[0.6, 0.8])
        >>> action.shape
        (2,)
        >>> z = model.goal_skill([0.0, 0.0], goal=[3.0, 4.0])  # the skill that heads for the goal
        >>> round(float(np.linalg.norm(z)), 3)
        1.0
    """

    agent_name: ClassVar[str] = "METRA"
    concrete_classes: ClassVar[str] = "METRA or LSD"
    #: the constraint this class builds by default.
    default_constraint: ClassVar[str] = "dual"
    reward_model: PhiReward

    def __init__(
        self,
        policy: str | type,
        env: EnvLike | None,
        skill_dim: int | None = None,
        n_skills: int | None = None,
        distribution: str = "sphere",
        constraint: str | None = None,
        features: Sequence[int] | None = None,
        obs_mode: str | None = None,
        resample_every: int | None = None,
        phi_arch: Sequence[int] = DEFAULT_PHI_ARCH,
        phi_lr: float = 1e-4,
        feature_scale: float | Sequence[float] = 1.0,
        dual_lambda: float = 30.0,
        dual_slack: float = 1e-3,
        dual_lr: float | None = None,
        phi_batch_size: int = 256,
        update_ratio: float | None = None,
        intrinsic_coef: float = 1.0,
        extrinsic_coef: float = 0.0,
        n_envs: int = 1,
        env_kwargs: dict[str, Any] | None = None,
        vec_env_cls: type[VecEnv] | None = None,
        seed: int | None = None,
        _init_setup_model: bool = True,
        **algo_kwargs: Any,
    ) -> None:
        constraint = self.default_constraint if constraint is None else constraint
        if constraint not in _CONSTRAINTS:
            raise ValueError(f"constraint must be 'dual' (METRA) or 'spectral' (LSD), got {constraint!r}")
        if constraint == "spectral" and (dual_lambda != 30.0 or dual_slack != 1e-3 or dual_lr is not None):
            raise ValueError(
                "dual_lambda, dual_slack and dual_lr set METRA's dual variable, and constraint='spectral' (LSD) has none: "
                "leave them at their defaults, or use constraint='dual'"
            )
        self.constraint = constraint
        if n_skills is None and skill_dim is None:
            skill_dim = 2
        skill_config = {
            "n_skills": n_skills,
            "skill_dim": skill_dim,
            "distribution": distribution if skill_dim is not None else None,
            "obs_mode": obs_mode,
            "resample_every": resample_every,
        }
        reward_kwargs: dict[str, Any] = {
            "features": None if features is None else integer_list(features, "features", "feature indices"),
            "net_arch": integer_list(phi_arch, "phi_arch", "layer sizes", minimum=1),
            "learning_rate": float(phi_lr),
            "feature_scale": feature_scale if isinstance(feature_scale, float | int) else [float(s) for s in feature_scale],
        }
        if constraint == "dual":
            reward_kwargs.update({"dual_lambda": dual_lambda, "dual_slack": dual_slack, "dual_lr": dual_lr})
        if update_ratio is not None and (isinstance(update_ratio, bool) or not float(update_ratio) >= 0):
            raise ValueError(f"update_ratio must be a number >= 0 or None, got {update_ratio!r}")
        callback_kwargs = {
            "batch_size": int(phi_batch_size),
            "update_ratio": _ratio_of(algo_kwargs, n_envs) if update_ratio is None else float(update_ratio),
        }
        wrapped = self._init_skill_agent(
            env,
            skill_config,
            reward_kwargs,
            callback_kwargs,
            intrinsic_coef,
            extrinsic_coef,
            n_envs,
            seed,
            env_kwargs,
            vec_env_cls,
        )
        if env is not None:
            policy = self._checked_policy(policy, features)
        if _init_setup_model:
            algo_kwargs.setdefault("learning_rate", 1e-4)
            algo_kwargs.setdefault("ent_coef", "auto_0.01")
            if wrapped is not None and isinstance(wrapped.action_space, spaces.Box):
                algo_kwargs.setdefault("target_entropy", -float(np.prod(wrapped.action_space.shape)) / 2.0)
        super().__init__(policy, wrapped, seed=seed, _init_setup_model=_init_setup_model, **copy_user_dicts(algo_kwargs))  # type: ignore[call-arg,arg-type]

    def _make_reward_model(self) -> IntrinsicReward:
        algo: Any = self
        if self.constraint == "spectral":
            return LSDReward(self.skill_layout, device=algo.device, **self.reward_kwargs)
        return METRAReward(self.skill_layout, device=algo.device, **self.reward_kwargs)

    # ------------------------------------------------------------------------------------------------ phi
    def _phi_features(self, observation: Any) -> tuple[np.ndarray, bool]:
        """The features phi sees of raw environment observation(s), as a ``(batch, d_f)`` array, and whether the input
        was a batch."""
        obs, batched = self._check_raw_observation(observation)
        layout = self.skill_layout
        n = len(next(iter(obs.values()))) if isinstance(obs, dict) else len(obs)
        any_skill = layout.prior.encode(layout.prior.sample(np.random.default_rng(0), size=n))  # phi ignores it
        joined = layout.join(obs, any_skill, encoded=True)
        return np.asarray(layout.features(joined, self.reward_model.features), dtype=np.float32), batched

    def phi(self, observation: Any) -> np.ndarray:
        """phi of raw environment observation(s): ``(d,)`` for one, ``(batch, d)`` for a batch."""
        feats, batched = self._phi_features(observation)
        model = self.reward_model
        with torch.no_grad():
            out = model.phi_of_features(torch.as_tensor(feats, device=model.device)).cpu().numpy()
        return out if batched else out[0]

    def goal_skill(self, observation: Any, goal: Any) -> Any:
        """The skill that heads from ``observation`` to ``goal`` (both raw environment observations): zero-shot goal
        reaching, ``z = (phi(g) - phi(s)) / ||phi(g) - phi(s)||`` (see :meth:`hrl_wrappers.METRAReward.goal_skill`).

        :param observation: the current raw observation (or a batch).
        :param goal: the goal as a full raw observation (or one per observation); to aim at a position only, copy the
            current observation and write the goal position into it (as the paper does, and as
            :func:`~agents.metra.goal_reaching.reach_goal` does).
        :return: a skill (int or unit vector) per observation.
        """
        feats, batched = self._phi_features(observation)
        try:
            goal_feats, _ = self._phi_features(goal)
        except ValueError as exc:
            raise ValueError(f"goal: {exc}") from None
        if goal_feats.shape != feats.shape:
            raise ValueError(
                f"goal must be one raw observation, or one per observation ({len(feats)}), got {len(goal_feats)}"
            )
        skills = self.reward_model.goal_skill(feats, goal_feats)
        if isinstance(self.skill_layout.prior, CategoricalPrior):
            return skills if batched else int(skills[0])
        return skills if batched else skills[0]


class LSD(METRA):
    """LSD: Lipschitz-constrained skill discovery (Park et al., ICLR 2022): :class:`METRA` with a spectrally normalised
    phi (``constraint="spectral"``) and Gaussian skills by default, on SB3's SAC.

    Paper: https://arxiv.org/abs/2202.00914. phi is 1-Lipschitz in the (scaled) state, so a skill earns reward only by
    moving the state far along its direction in phi-space. The arguments are :class:`METRA`'s; the dual-variable ones
    do not apply.

    Example:
        >>> from agents import LSD
        >>> model = LSD("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=4, learning_starts=50,
        ...             policy_kwargs={"net_arch": [32]}, phi_arch=[32], seed=0)
        >>> _ = model.learn(100)
        >>> type(model.reward_model).__name__
        'LSDReward'
    """

    agent_name: ClassVar[str] = "LSD"
    default_constraint: ClassVar[str] = "spectral"

    def __init__(self, policy: str | type, env: EnvLike | None, **kwargs: Any) -> None:
        kwargs.setdefault("distribution", "gaussian")
        super().__init__(policy, env, **kwargs)
