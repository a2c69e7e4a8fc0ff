"""DADS: Dynamics-Aware Unsupervised Discovery of Skills (Sharma et al., ICLR 2020), on SB3's SAC or PPO."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal, overload

from stable_baselines3 import PPO, SAC
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import VecEnv

from agents.common.agent_factory import AgentFactory
from agents.common.arguments import copy_user_dicts
from agents.common.skill_agent import EnvLike, SkillAgent
from agents.dads.importance import ImportanceWeightedDynamicsCallback
from agents.dads.policies import HideFeaturesExtractor
from agents.dads.schedule import FreshDataLikelihoodCallback, OnPolicyScheduleCallback
from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.rewards.dads import DADSReward
from hrl_wrappers.skill_layout import integer_list

__all__ = ["DADS", "DADSPPO", "DADSSAC", "DADSBase"]


_SCHEDULES = ("on-policy", "off-policy")


class DADSBase(SkillAgent):
    """Dynamics-Aware Discovery of Skills: predictable skills learned without reward, by an SB3 SAC or PPO (the shared
    code).

    Paper: https://arxiv.org/abs/1907.01657. Reference code: https://github.com/google-research/dads. The policy sees
    the observation with the skill z appended; a skill-dynamics model q(delta s | s, z) (:class:`~hrl_wrappers.DADSReward`)
    learns to predict the change of the chosen ``features`` under each skill, and the policy is rewarded
    ``log q(delta|s,z) - log sum_i q(delta|s,z_i) + log(L+1)``: skills that are predictable and differ from each
    other. Build :class:`DADSSAC` or :class:`DADSPPO` (and subclass them as SB3's algorithms), or let :data:`DADS`
    pick: ``DADS(..., algo="PPO")`` is ``DADSPPO(...)``; ``algo="SAC"`` (default) builds a :class:`DADSSAC`.

    Two schedules on SAC:

    * ``"on-policy"`` (the paper's, ``ant_xy_onpolicy``): each iteration the replay buffer is cleared, ``n_steps``
      (N) steps are collected, the skill dynamics takes ``dynamics_steps`` (K1) steps, the rewards of the buffer are
      computed once, and SAC takes ``agent_steps`` (K2) gradient steps;
    * ``"off-policy"``: an ordinary replay buffer of ``buffer_size``; rewards are relabelled with the current skill
      dynamics every time a batch is sampled, and the skill dynamics takes ``update_ratio`` steps per env step on
      the learner's own batches. With ``importance_clip`` (the reference's off-DADS ``is_clip_eps``), the skill
      dynamics trains on its own batches instead, each transition weighted by the clipped ratio of the current to
      the behaviour policy's likelihood of its action (:mod:`agents.dads.importance`).

    PPO is on-policy by nature: rewards of each rollout are computed when GAE runs, with the skill dynamics as it
    was before training on that rollout (SB3 computes advantages before the callback's ``on_rollout_end``), then the
    skill dynamics takes ``dynamics_epochs`` passes over the rollout.

    :param policy: SB3 policy (``"MlpPolicy"``).
    :param env: a Gymnasium id, an env factory, a ``gym.Env`` or a VecEnv of skill-wrapped environments.
    :param skill_dim: dimension of continuous skills (default 2 when ``n_skills`` is not given either).
    :param n_skills: number of categorical skills (one-hot).
    :param distribution: continuous prior, ``"uniform"`` on [-1, 1] (the paper) or ``"gaussian"``.
    :param algo: the back end, fixed by the class (``DADSSAC``: ``"SAC"``); another value raises. ``DADS(...)`` takes
        it to choose the class.
    :param schedule: ``"on-policy"`` or ``"off-policy"`` (SAC only).
    :param features: observation indices whose change the skill dynamics predicts (``[0, 1]``: the x-y prior).
    :param input_features: observation indices the skill dynamics reads (default: ``features``; ``[]``: none, the
        skill dynamics is ``q(delta | z)``, as the reference's x-y prior has it).
    :param hide_features: hide ``features`` from the policy (True), hide these indices (a list), or nothing (False).
    :param obs_mode: ``"flat"`` or ``"dict"`` skill layout.
    :param resample_every: redraw the skill every this many steps (None: once per episode, the paper).
    :param n_steps: N, environment steps collected per iteration of the on-policy schedule (2000 in the reference);
        with PPO, the rollout length (``n_steps // n_envs`` per environment).
    :param dynamics_steps: K1, skill-dynamics gradient steps per iteration (32 in the reference).
    :param agent_steps: K2, SAC gradient steps per iteration (64 in the reference).
    :param n_experts: Gaussian experts of the skill dynamics (4).
    :param dynamics_arch: its hidden layers.
    :param dynamics_lr: its Adam learning rate.
    :param learn_variance: learn the experts' variances (the reference fixes them to 1).
    :param n_alternatives: L, prior samples in the reward's marginal. None: 100 for continuous skills (the
        reference code), the exact sum over every skill for categorical ones.
    :param dynamics_batch_size: skill-dynamics minibatch size.
    :param update_ratio: off-policy schedule: skill-dynamics steps per environment step.
    :param dynamics_epochs: PPO: passes of the skill dynamics over each rollout.
    :param importance_clip: off-policy schedule on SAC: weight each skill-dynamics transition by
        ``clip(pi(a|s,z) / mu(a|s,z), 1/importance_clip, importance_clip)``, mu the policy that collected it (10 in
        the reference's off-DADS); None: no weighting.
    :param importance_normalize: divide those weights by their batch mean (``normalized_importance_sampling``).
    :param track_intrinsic_returns: score every environment step to log ``dads/ep_intrinsic_return`` (L + 1 forward
        passes of the skill dynamics per step; off by default, the on-policy schedule logs
        ``dads/buffer_intrinsic_reward`` instead).
    :param intrinsic_coef: weight of the DADS reward.
    :param extrinsic_coef: weight of the environment reward (0: unsupervised).
    :param n_envs: number of environments when ``env`` is an id or a factory.
    :param env_kwargs: ``gym.make`` keyword arguments when ``env`` is an id.
    :param vec_env_cls: ``DummyVecEnv`` (default) or ``SubprocVecEnv``.
    :param seed: random seed.
    :param _init_setup_model: build the networks now (SB3 convention).
    :param algo_kwargs: any argument of SB3's SAC or PPO. SAC's ``ent_coef`` defaults to 0.1, fixed. (The
        reference's ``agent_entropy=0.1`` is a reward scale of 1/0.1 for TF-Agents' SAC, whose alpha is learned from
        1 towards -dim(A)/2: ``ent_coef="auto_0.1", target_entropy=-dim(A)/2`` on unscaled rewards here.) With the
        on-policy schedule ``train_freq``, ``gradient_steps``, ``learning_starts`` and ``buffer_size`` are set from
        ``n_steps`` and ``agent_steps``.

    Example:
        >>> from agents import DADS
        >>> model = DADS("MlpPolicy", "hrl_wrappers/PointWorld-v0", skill_dim=2, n_steps=100, agent_steps=4,
        ...              dynamics_steps=4, n_alternatives=8, policy_kwargs={"net_arch": [32]},
        ...              dynamics_arch=[32], seed=0)
        >>> _ = model.learn(200)
        >>> action, _ = model.predict_skill([0.0, 0.0], skill=[0.5, -0.5])
        >>> action.shape
        (2,)
    """

    agent_name: ClassVar[str] = "DADS"
    concrete_classes: ClassVar[str] = "DADSSAC or DADSPPO"
    reward_model: DADSReward

    def __init__(
        self,
        policy: str | type,
        env: EnvLike | None,
        skill_dim: int | None = None,
        n_skills: int | None = None,
        distribution: str = "uniform",
        algo: str | None = None,
        schedule: str = "on-policy",
        features: Sequence[int] | None = None,
        input_features: Sequence[int] | None = None,
        hide_features: bool | Sequence[int] = False,
        obs_mode: str | None = None,
        resample_every: int | None = None,
        n_steps: int = 2000,
        dynamics_steps: int = 32,
        agent_steps: int = 64,
        n_experts: int = 4,
        dynamics_arch: Sequence[int] = (256, 256),
        dynamics_lr: float = 3e-4,
        learn_variance: bool = False,
        n_alternatives: int | None = None,
        dynamics_batch_size: int = 256,
        update_ratio: float = 1.0,
        dynamics_epochs: int = 1,
        importance_clip: float | None = None,
        importance_normalize: bool = False,
        track_intrinsic_returns: bool = False,
        intrinsic_coef: float = 1.0,
        extrinsic_coef: float = 0.0,
        n_envs: int = 1,
        env_kwargs: dict[str, Any] | None = None,
        vec_env_cls: type[VecEnv] | None = None,
        seed: int | None = None,
        _init_setup_model: bool = True,
        **algo_kwargs: Any,
    ) -> None:
        self._check_algo_argument(algo)
        if schedule not in _SCHEDULES:
            raise ValueError(f"schedule must be one of {list(_SCHEDULES)}, got {schedule!r}")
        for name, value in (("n_steps", n_steps), ("dynamics_steps", dynamics_steps), ("agent_steps", agent_steps)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if n_skills is None and skill_dim is None:
            skill_dim = 2
        if n_alternatives is None and n_skills is None:
            n_alternatives = 100  # continuous skills: L = 100 prior samples, as the reference code
        if importance_clip is not None:
            if schedule != "off-policy" or not isinstance(self, SAC):
                raise ValueError(
                    "importance_clip needs schedule='off-policy' and algo='SAC' (the on-policy schedule has no old data)"
                )
            if isinstance(importance_clip, bool) or not isinstance(importance_clip, int | float) or not importance_clip > 1:
                raise ValueError(
                    f"importance_clip must be a number > 1 (ratios are clipped to [1/c, c]) or None, got {importance_clip!r}"
                )
        self.importance_clip = None if importance_clip is None else float(importance_clip)
        self.importance_normalize = bool(importance_normalize)
        self.schedule = schedule
        self.n_steps_per_iter = int(n_steps)
        self.dynamics_steps = int(dynamics_steps)
        self.agent_steps = int(agent_steps)
        skill_config = {
            "n_skills": n_skills,
            "skill_dim": skill_dim,
            "distribution": distribution if skill_dim is not None else None,
            "obs_mode": obs_mode,
            "resample_every": resample_every,
        }
        reward_kwargs = {
            "features": None if features is None else integer_list(features, "features", "feature indices"),
            "input_features": (
                None if input_features is None else integer_list(input_features, "input_features", "feature indices")
            ),
            "n_experts": int(n_experts),
            "net_arch": integer_list(dynamics_arch, "dynamics_arch", "layer sizes", minimum=1),
            "learning_rate": float(dynamics_lr),
            "learn_variance": bool(learn_variance),
            "n_alternatives": None if n_alternatives is None else int(n_alternatives),
        }
        on_policy_sac = schedule == "on-policy" and isinstance(self, SAC)
        callback_kwargs = {
            "batch_size": int(dynamics_batch_size),
            "update_ratio": float(dynamics_steps) / float(n_steps) if on_policy_sac else float(update_ratio),
            "n_epochs": int(dynamics_epochs),
            "train_on_learner_batches": not on_policy_sac and importance_clip is None,
            "track_returns": bool(track_intrinsic_returns),
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
            self.skill_layout.check_feature_indices(input_features, "input_features", allow_empty=True)  # []: q(delta | z)
            if hide_features is not False:
                algo_kwargs["policy_kwargs"] = self._hide_features_kwargs(features, hide_features, algo_kwargs)
        if _init_setup_model:
            self._schedule_kwargs(wrapped, algo_kwargs)
        super().__init__(policy, wrapped, seed=seed, _init_setup_model=_init_setup_model, **copy_user_dicts(algo_kwargs))  # type: ignore[call-arg]

    def _hide_features_kwargs(
        self, features: Sequence[int] | None, hide_features: bool | Sequence[int], algo_kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """``policy_kwargs`` with the :class:`HideFeaturesExtractor` that keeps ``hide_features`` from the policy."""
        layout = self.skill_layout
        if hide_features is True and not features:
            raise ValueError(
                f"hide_features=True hides the skill dynamics' features, and features={features!r}: give features=[...] "
                "(the indices whose change the dynamics predicts) or hide_features=[indices to hide]"
            )
        hidden = (features or []) if hide_features is True else list(hide_features)  # type: ignore[arg-type]
        hidden = layout.check_feature_indices(hidden, "hide_features") or []
        if layout.mode != "flat":
            raise ValueError("hide_features needs obs_mode='flat' (the policy drops entries of a flat observation)")
        policy_kwargs = dict(algo_kwargs.get("policy_kwargs") or {})
        policy_kwargs.setdefault("features_extractor_class", HideFeaturesExtractor)
        policy_kwargs.setdefault("features_extractor_kwargs", {"hidden": hidden})
        return policy_kwargs

    def _schedule_kwargs(self, wrapped: Any, algo_kwargs: dict[str, Any]) -> None:
        """Set the learner's arguments that the schedule decides (in place)."""
        n_env = wrapped.num_envs if isinstance(wrapped, VecEnv) else 1
        n_steps = self.n_steps_per_iter
        if isinstance(self, PPO):
            if self.schedule == "off-policy":
                raise ValueError("schedule='off-policy' needs algo='SAC' (PPO is on-policy)")
            algo_kwargs.setdefault("n_steps", max(1, n_steps // n_env))
            return
        algo_kwargs.setdefault("ent_coef", 0.1)
        if self.schedule != "on-policy":
            return
        if n_steps % n_env != 0:
            raise ValueError(f"n_steps={n_steps} must be a multiple of the number of environments ({n_env})")
        for name in ("train_freq", "gradient_steps", "learning_starts"):
            if name in algo_kwargs:
                raise ValueError(
                    f"{name} is set by the on-policy schedule (n_steps, agent_steps): pass schedule='off-policy' "
                    "to choose it yourself"
                )
        algo_kwargs["train_freq"] = (n_steps // n_env, "step")
        algo_kwargs["gradient_steps"] = self.agent_steps
        algo_kwargs["learning_starts"] = 0
        buffer_size = int(algo_kwargs.get("buffer_size", n_steps))
        if buffer_size < n_steps:
            raise ValueError(f"buffer_size={buffer_size} must hold one iteration's n_steps={n_steps}")
        algo_kwargs["buffer_size"] = buffer_size

    def _setup_model(self) -> None:
        super()._setup_model()
        clip = getattr(self, "importance_clip", None)
        if clip is not None:
            kwargs = {**self.callback_kwargs, "train_on_learner_batches": False}
            self._reward_callback = ImportanceWeightedDynamicsCallback(
                self.reward_model, clip=clip, normalize=self.importance_normalize, **kwargs
            )

    def _make_reward_model(self) -> IntrinsicReward:
        algo: Any = self
        return DADSReward(self.skill_layout, device=algo.device, **self.reward_kwargs)

    @property
    def skill_dynamics(self) -> DADSReward:
        """The learned skill-dynamics model q(delta s | s, z) (the reward model)."""
        return self.reward_model

    def _agent_callbacks(self) -> list[BaseCallback]:
        """The reward model's callback and, for SAC's on-policy schedule, the callbacks that score and run it."""
        own = super()._agent_callbacks()
        if isinstance(self, SAC) and self.schedule == "on-policy":
            # the new data's log-likelihood before the skill dynamics trains on it, then that training, then rewards
            own = [FreshDataLikelihoodCallback(self.reward_model), *own, OnPolicyScheduleCallback(self.reward_model)]
        return own


class DADSSAC(DADSBase, SAC):  # type: ignore[misc]  # SkillAgent.load/load_replay_buffer widen SB3's signatures
    """DADS on SB3's SAC (what ``DADS(..., algo="SAC")`` builds)."""


class DADSPPO(DADSBase, PPO):
    """DADS on SB3's PPO (what ``DADS(..., algo="PPO")`` builds)."""


class DADSFactory(AgentFactory[DADSBase]):
    """The type of :data:`DADS`: its calls, overloaded on ``algo`` so that type checkers see the class built."""

    @overload
    def __call__(
        self, policy: str | type, env: EnvLike | None, *args: Any, algo: Literal["PPO"], **kwargs: Any
    ) -> DADSPPO: ...
    @overload
    def __call__(
        self, policy: str | type, env: EnvLike | None, *args: Any, algo: Literal["SAC"] | None = None, **kwargs: Any
    ) -> DADSSAC: ...
    @overload
    def __call__(self, policy: str | type, env: EnvLike | None, *args: Any, algo: str, **kwargs: Any) -> DADSBase: ...
    def __call__(self, *args: Any, algo: str | None = None, **kwargs: Any) -> Any:
        return self.build(algo, *args, **kwargs)


DADS: DADSFactory = DADSFactory.define(
    "DADS",
    DADSBase,
    {"SAC": DADSSAC, "PPO": DADSPPO},
    default_algo="SAC",
    module=__name__,
    doc="""DADS on the back end named by ``algo``: ``DADS(policy, env, ..., algo="PPO")`` is ``DADSPPO(policy, env,
    ...)``; ``algo="SAC"`` (default) builds a :class:`DADSSAC`. The arguments are those of :class:`DADSBase`.

    ``DADS.load(path)`` loads a checkpoint with the class of the back end it stores; ``isinstance(model, DADS)`` is
    ``isinstance(model, DADSBase)``. To subclass, subclass :class:`DADSSAC` or :class:`DADSPPO`.
    """,
)
