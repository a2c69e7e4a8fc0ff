"""DIAYN: Diversity is All You Need (Eysenbach et al., ICLR 2019), on SB3's SAC or PPO."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal, overload

from stable_baselines3 import PPO, SAC
from stable_baselines3.common.vec_env import VecEnv

from agents.common.agent_factory import AgentFactory
from agents.common.arguments import copy_user_dicts
from agents.common.skill_agent import EnvLike, SkillAgent
from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.rewards.diayn import DEFAULT_DISCRIMINATOR_ARCH, DIAYNReward
from hrl_wrappers.skill_layout import integer_list

__all__ = ["DIAYN", "DIAYNPPO", "DIAYNSAC", "DIAYNBase"]


class DIAYNBase(SkillAgent):
    """Diversity is All You Need: skills discovered without reward, by an SB3 SAC or PPO (the shared code).

    Paper: https://arxiv.org/abs/1802.06070. Reference code: https://github.com/ben-eysenbach/sac (``diayn.py``).
    The policy sees the observation with the skill z appended; a discriminator q(z | f(s')) learns to tell skills
    apart from the (chosen features of the) next state, and the policy is rewarded ``log q(z|f(s')) - log p(z)``,
    recomputed with the current discriminator every time a batch is sampled.

    Build :class:`DIAYNSAC` or :class:`DIAYNPPO` (and subclass them as SB3's algorithms), or let :data:`DIAYN` pick:
    ``DIAYN(..., algo="PPO")`` is ``DIAYNPPO(...)``. Both are ``isinstance(model, DIAYN)`` (and of this class).

    :param policy: SB3 policy (``"MlpPolicy"``; switched to ``"MultiInputPolicy"`` for Dict observations).
    :param env: a Gymnasium id, an env factory, a ``gym.Env`` (wrapped in a SkillWrapper unless it already is) or a
        VecEnv of skill-wrapped environments.
    :param n_skills: number of categorical skills (default 10 when ``skill_dim`` is not given either).
    :param skill_dim: dimension of continuous skills (then the discriminator is Gaussian).
    :param distribution: continuous prior, ``"uniform"`` or ``"gaussian"``.
    :param algo: the back end, fixed by the class (``DIAYNSAC``: ``"SAC"``); another value raises. ``DIAYN(...)``
        takes it to choose the class.
    :param features: indices of the environment observation the discriminator sees (the "x-y prior"); all if None.
    :param obs_mode: ``"flat"`` or ``"dict"`` skill layout (see :class:`~hrl_wrappers.SkillWrapper`).
    :param resample_every: redraw the skill every this many steps (None: once per episode).
    :param discriminator_arch: hidden layers of the discriminator (default 128x128: see
        :data:`hrl_wrappers.rewards.diayn.DEFAULT_DISCRIMINATOR_ARCH` for why it is narrower than SB3's policy).
    :param discriminator_lr: its Adam learning rate.
    :param feature_scale: multiplies the discriminator's input features.
    :param feature_noise: std of Gaussian noise on the discriminator's input features while it trains (see
        :class:`~hrl_wrappers.DIAYNReward`); 0 disables it.
    :param discriminator_batch_size: its minibatch size.
    :param update_ratio: discriminator gradient steps per environment step (off-policy).
    :param discriminator_epochs: passes over each rollout (on-policy).
    :param intrinsic_coef: weight of the DIAYN reward.
    :param extrinsic_coef: weight of the environment reward (0: unsupervised).
    :param n_envs: number of environments when ``env`` is an id or a factory.
    :param env_kwargs: ``gym.make`` keyword arguments (e.g. ``max_episode_steps``) when ``env`` is an id.
    :param vec_env_cls: ``DummyVecEnv`` (default) or ``SubprocVecEnv``.
    :param seed: random seed.
    :param _init_setup_model: build the networks now (SB3 convention).
    :param algo_kwargs: any argument of SB3's SAC or PPO (``learning_rate``, ``policy_kwargs``, ``tensorboard_log``,
        ``verbose``, ``device``, ...). SAC's ``ent_coef`` defaults to the paper's 0.1.

    Example:
        >>> from agents import DIAYN
        >>> model = DIAYN("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=4, learning_starts=50,
        ...               policy_kwargs={"net_arch": [32]}, discriminator_arch=[32], seed=0)
        >>> _ = model.learn(200)
        >>> action, _ = model.predict_skill([0.0, 0.0], skill=3)
        >>> action.shape
        (2,)
    """

    agent_name: ClassVar[str] = "DIAYN"
    concrete_classes: ClassVar[str] = "DIAYNSAC or DIAYNPPO"
    reward_model: DIAYNReward

    def __init__(
        self,
        policy: str | type,
        env: EnvLike | None,
        n_skills: int | None = None,
        skill_dim: int | None = None,
        distribution: str = "uniform",
        algo: str | None = None,
        features: Sequence[int] | None = None,
        obs_mode: str | None = None,
        resample_every: int | None = None,
        discriminator_arch: Sequence[int] = DEFAULT_DISCRIMINATOR_ARCH,
        discriminator_lr: float = 3e-4,
        feature_scale: float | Sequence[float] = 1.0,
        feature_noise: float = 0.0,
        discriminator_batch_size: int = 256,
        update_ratio: float = 1.0,
        discriminator_epochs: int = 1,
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
        skill_config = {
            "n_skills": n_skills,
            "skill_dim": skill_dim,
            "distribution": distribution if skill_dim is not None else None,
            "obs_mode": obs_mode,
            "resample_every": resample_every,
        }
        reward_kwargs = {
            "features": None if features is None else integer_list(features, "features", "feature indices"),
            "net_arch": integer_list(discriminator_arch, "discriminator_arch", "layer sizes", minimum=1),
            "learning_rate": float(discriminator_lr),
            "feature_scale": feature_scale if isinstance(feature_scale, float | int) else [float(s) for s in feature_scale],
            "feature_noise": float(feature_noise),
        }
        callback_kwargs = {
            "batch_size": int(discriminator_batch_size),
            "update_ratio": float(update_ratio),
            "n_epochs": int(discriminator_epochs),
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
        if isinstance(self, SAC) and _init_setup_model:
            algo_kwargs.setdefault("ent_coef", 0.1)
        super().__init__(policy, wrapped, seed=seed, _init_setup_model=_init_setup_model, **copy_user_dicts(algo_kwargs))  # type: ignore[call-arg]

    def _make_reward_model(self) -> IntrinsicReward:
        algo: Any = self
        return DIAYNReward(self.skill_layout, device=algo.device, **self.reward_kwargs)


class DIAYNSAC(DIAYNBase, SAC):  # type: ignore[misc]  # SkillAgent.load/load_replay_buffer widen SB3's signatures
    """DIAYN on SB3's SAC (what ``DIAYN(..., algo="SAC")`` builds)."""


class DIAYNPPO(DIAYNBase, PPO):
    """DIAYN on SB3's PPO (what ``DIAYN(..., algo="PPO")`` builds)."""


class DIAYNFactory(AgentFactory[DIAYNBase]):
    """The type of :data:`DIAYN`: its calls, overloaded on ``algo`` so that type checkers see the class built."""

    @overload
    def __call__(
        self, policy: str | type, env: EnvLike | None, *args: Any, algo: Literal["PPO"], **kwargs: Any
    ) -> DIAYNPPO: ...
    @overload
    def __call__(
        self, policy: str | type, env: EnvLike | None, *args: Any, algo: Literal["SAC"] | None = None, **kwargs: Any
    ) -> DIAYNSAC: ...
    @overload
    def __call__(self, policy: str | type, env: EnvLike | None, *args: Any, algo: str, **kwargs: Any) -> DIAYNBase: ...
    def __call__(self, *args: Any, algo: str | None = None, **kwargs: Any) -> Any:
        return self.build(algo, *args, **kwargs)


DIAYN: DIAYNFactory = DIAYNFactory.define(
    "DIAYN",
    DIAYNBase,
    {"SAC": DIAYNSAC, "PPO": DIAYNPPO},
    default_algo="SAC",
    module=__name__,
    doc="""DIAYN on the back end named by ``algo``: ``DIAYN(policy, env, ..., algo="PPO")`` is ``DIAYNPPO(policy, env,
    ...)``; ``algo="SAC"`` (default) builds a :class:`DIAYNSAC`. The arguments are those of :class:`DIAYNBase`.

    ``DIAYN.load(path)`` loads a checkpoint with the class of the back end it stores; ``isinstance(model, DIAYN)`` is
    ``isinstance(model, DIAYNBase)``. To subclass, subclass :class:`DIAYNSAC` or :class:`DIAYNPPO`.

    Example:
        >>> from agents import DIAYN, DIAYNPPO
        >>> model = DIAYN("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=4, algo="PPO", n_steps=32, batch_size=32,
        ...               policy_kwargs={"net_arch": [8]}, discriminator_arch=[8], seed=0)
        >>> type(model) is DIAYNPPO, isinstance(model, DIAYN)
        (True, True)
    """,
)
