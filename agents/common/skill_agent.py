"""What every skill-discovery agent (DIAYN, DADS, ...) shares, on top of an SB3 SAC or PPO.

:class:`SkillAgent` is a mixin placed before the SB3 algorithm in the MRO (``class DIAYNSAC(DIAYN, SAC)``). It:

* wraps the environment in a :class:`~hrl_wrappers.SkillWrapper` (an id, a factory, a ``gym.Env`` or a VecEnv);
* builds the reward model in ``_setup_model`` and plugs the relabelling replay/rollout buffer into the learner;
* adds the :class:`~hrl_wrappers.IntrinsicRewardCallback` to every ``learn`` call;
* saves the reward model and its optimizer with the policy (``_get_torch_save_params``), re-attaches it to a loaded
  replay buffer, and refuses checkpoints of other algorithms;
* offers :meth:`predict_skill` on raw environment observations.

Each agent is an abstract base (``DIAYNBase``) with one concrete class per back end (``DIAYNSAC``, ``DIAYNPPO``), and
its short name (``DIAYN``) is an :class:`~agents.common.agent_factory.AgentFactory`: ``DIAYN(..., algo="PPO")`` calls
``DIAYNPPO(...)``. A subclass of a concrete class is built, saved and loaded as a subclass of an SB3 algorithm is.
"""

from __future__ import annotations

import pathlib
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.type_aliases import MaybeCallback
from stable_baselines3.common.vec_env import VecEnv

from agents.common.agent_factory import backend_name, check_checkpoint, read_checkpoint_data, require_backend
from agents.common.arguments import check_total_timesteps
from agents.common.seeding import seeded_torch
from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.sb3.callbacks import IntrinsicRewardCallback
from hrl_wrappers.sb3.non_finite import with_finite_check
from hrl_wrappers.sb3.replay_buffer import relabeling_replay_buffer_class
from hrl_wrappers.sb3.rollout_buffer import relabeling_rollout_buffer_class
from hrl_wrappers.skill_layout import SkillLayout
from hrl_wrappers.skill_wrapper import SkillWrapper

__all__ = ["SkillAgent", "make_skill_env"]

if TYPE_CHECKING:
    # Type checkers see the SB3 algorithm every concrete agent is (``DIAYNSAC`` is ``DIAYN`` + ``SAC``), so that
    # ``model = DIAYN(...); model.save(...)`` type-checks in user code. At run time the mixin derives from object and
    # the back end comes second in the MRO. SkillController uses the same base.
    from stable_baselines3.common.base_class import BaseAlgorithm as _AlgorithmBase
else:
    _AlgorithmBase = object

SelfSkillAgent = TypeVar("SelfSkillAgent", bound="SkillAgent")
EnvLike = str | Callable[[], gym.Env] | gym.Env | VecEnv


def _existing_layout(env: Any) -> SkillLayout | None:
    try:
        if isinstance(env, VecEnv):
            return env.get_attr("skill_layout", indices=[0])[0]
        if isinstance(env, gym.Env):
            return env.get_wrapper_attr("skill_layout")
    except AttributeError:
        return None
    return None


def _existing_skill_config(env: Any) -> dict[str, Any]:
    """The constructor arguments of the SkillWrapper already around ``env`` (a gym.Env or a VecEnv)."""
    if isinstance(env, VecEnv):
        return dict(env.get_attr("skill_config", indices=[0])[0])
    return dict(env.get_wrapper_attr("skill_config"))


def make_skill_env(
    env: EnvLike,
    skill_config: dict[str, Any],
    n_envs: int = 1,
    seed: int | None = None,
    env_kwargs: dict[str, Any] | None = None,
    vec_env_cls: type[VecEnv] | None = None,
) -> gym.Env | VecEnv:
    """Wrap ``env`` in a :class:`SkillWrapper` built from ``skill_config`` (unless it already is one).

    :param env: a Gymnasium id, an env factory, a ``gym.Env`` or a skill-wrapped VecEnv.
    :param skill_config: :class:`SkillWrapper` keyword arguments.
    :param n_envs: number of environments when ``env`` is an id or a factory.
    :param seed: seed of the vectorised environments.
    :param env_kwargs: keyword arguments of ``gym.make`` (``max_episode_steps`` included) or of the factory.
    :param vec_env_cls: ``DummyVecEnv`` (default) or ``SubprocVecEnv``.
    :return: a skill-wrapped env or VecEnv.
    """
    if isinstance(env, str) or (callable(env) and not isinstance(env, gym.Env | VecEnv)):
        return make_vec_env(
            env,  # type: ignore[arg-type]
            n_envs=n_envs,
            seed=seed,
            env_kwargs=env_kwargs,
            wrapper_class=SkillWrapper,
            wrapper_kwargs=skill_config,
            vec_env_cls=vec_env_cls,  # type: ignore[arg-type]
        )
    if _existing_layout(env) is not None:
        return env
    if isinstance(env, VecEnv):
        raise ValueError(
            "env is a VecEnv whose environments are not wrapped with hrl_wrappers.SkillWrapper: pass an environment id or "
            "factory (the agent wraps it), or build it with make_vec_env(..., wrapper_class=SkillWrapper)"
        )
    if isinstance(env, gym.Env):
        return SkillWrapper(env, **skill_config)
    raise TypeError(f"env must be a Gymnasium id, an env factory, a gym.Env or a VecEnv, got {type(env).__name__}")


def _check_layout_matches(layout: SkillLayout, skill_config: dict[str, Any], argument_names: Sequence[str]) -> None:
    prior_cfg = layout.prior.config()
    for name in argument_names:
        wanted = skill_config.get(name)
        have = prior_cfg.get(name)
        if wanted is not None and have is not None and wanted != have:
            raise ValueError(f"{name}={wanted!r} does not match the SkillWrapper already around env ({name}={have!r})")


class SkillAgent(_AlgorithmBase):
    """Mixin for SB3-based skill-discovery agents; see the module docstring."""

    #: name written into checkpoints, checked on load.
    agent_name: ClassVar[str] = "SkillAgent"
    #: the concrete classes, named in the error a subclass without a back end gets.
    concrete_classes: ClassVar[str] = ""

    reward_model: IntrinsicReward
    skill_layout: SkillLayout
    skill_config: dict[str, Any]
    reward_kwargs: dict[str, Any]
    callback_kwargs: dict[str, Any]
    algo_name: str
    hrl_agent: str
    intrinsic_coef: float
    extrinsic_coef: float

    def _init_skill_agent(
        self,
        env: EnvLike | None,
        skill_config: dict[str, Any],
        reward_kwargs: dict[str, Any],
        callback_kwargs: dict[str, Any],
        intrinsic_coef: float,
        extrinsic_coef: float,
        n_envs: int,
        seed: int | None,
        env_kwargs: dict[str, Any] | None,
        vec_env_cls: type[VecEnv] | None,
    ) -> gym.Env | VecEnv | None:
        """Store the configuration and return the skill-wrapped env to hand to the SB3 constructor."""
        require_backend(self, self.agent_name, self.concrete_classes)
        if n_envs < 1:
            raise ValueError(f"n_envs must be >= 1, got {n_envs}")
        if env is not None:
            existing = _existing_layout(env)
            if existing is not None:
                _check_layout_matches(existing, skill_config, ("n_skills", "skill_dim"))
                # record the wrapper's own arguments, so that load(path, env=raw_env) can re-wrap a raw env
                skill_config = _existing_skill_config(env)
            else:
                if skill_config.get("n_skills") is None and skill_config.get("skill_dim") is None:
                    skill_config = {**skill_config, "n_skills": 10}
            env = make_skill_env(env, skill_config, n_envs, seed, env_kwargs, vec_env_cls)
            layout = _existing_layout(env)
            assert layout is not None
            self.skill_layout = layout
            self._check_action_space(env.action_space)
        self.skill_config = {k: v for k, v in skill_config.items() if v is not None}
        self.reward_kwargs = dict(reward_kwargs)
        self.callback_kwargs = dict(callback_kwargs)
        self.intrinsic_coef = float(intrinsic_coef)
        self.extrinsic_coef = float(extrinsic_coef)
        self.hrl_agent = self.agent_name  # saved in the checkpoint's data, checked by load()
        self.algo_name = str(backend_name(type(self), SkillAgent))  # saved: the short name's load picks the class
        return env

    def _check_action_space(self, action_space: spaces.Space) -> None:
        """Refuse an action space the back end cannot train on, with the back end that can (SB3 only asserts)."""
        if isinstance(self, OffPolicyAlgorithm) and not isinstance(action_space, spaces.Box):
            backend = backend_name(type(self), SkillAgent)
            raise ValueError(
                f"{type(self).__name__} (algo={backend!r}) needs a continuous Box action space, and env's action space is "
                f"{action_space}: use {self.agent_name}(..., algo='PPO') (or the class {self.agent_name}PPO), which "
                "takes Discrete and MultiDiscrete actions"
            )

    def _check_observations(self, policy: str | type) -> None:
        """Refuse image (or other multi-dimensional) observations and ``CnnPolicy``: the skill is appended to a flat
        observation and the reward model is an MLP over it, so pixels would need an encoder that these agents lack."""
        expected = (
            f"{self.agent_name} takes a flat Box observation or a Dict of flat Boxes (the skill is appended to it and "
            "the reward model is an MLP over it): flatten or encode the image first, e.g. with "
            "gymnasium.wrappers.FlattenObservation or a wrapper that returns features of a pretrained encoder"
        )
        if policy == "CnnPolicy":
            raise ValueError(f"policy='CnnPolicy' is not supported: {expected}, and use 'MlpPolicy'")

        def check(space: spaces.Space, where: str) -> None:
            if isinstance(space, spaces.Dict):
                for key, sub in space.spaces.items():
                    check(sub, f"{where}[{key!r}]")
            elif isinstance(space, spaces.Box) and len(space.shape) > 1:
                raise ValueError(f"env observation{where} is {space}, an image or another multi-dimensional Box: {expected}")

        check(self.skill_layout.base_space, "")

    def _checked_policy(self, policy: str | type, features: Sequence[int] | None) -> str | type:
        """Check the observations and the reward model's ``features`` against the skill layout, and return the policy
        to build: ``"MultiInputPolicy"`` in place of ``"MlpPolicy"`` for Dict observations."""
        self._check_observations(policy)
        self.skill_layout.check_feature_indices(features, "features")
        if isinstance(self.skill_layout.observation_space, spaces.Dict) and policy == "MlpPolicy":
            return "MultiInputPolicy"
        return policy

    def _check_algo_argument(self, algo: str | None) -> None:
        """Refuse an ``algo`` argument that names another back end than this class's."""
        backend = backend_name(type(self), SkillAgent)
        if algo is not None and backend is not None and str(algo).upper() != backend:
            raise ValueError(
                f"{type(self).__name__} runs on {backend}, got algo={algo!r}: build {self.agent_name}(..., "
                f"algo={algo!r}), or the class of that back end"
            )

    # ------------------------------------------------------------------------------------------------ model
    @abstractmethod
    def _make_reward_model(self) -> IntrinsicReward:
        """Build the reward model from ``self.skill_layout`` and ``self.reward_kwargs``."""

    def _setup_model(self) -> None:
        # SB3 seeds the global generators only in its own _setup_model, below: the reward model is built from its
        # own stream of the agent's seed, whatever the global state was
        algo_seed: int | None = getattr(self, "seed", None)
        with seeded_torch(algo_seed, "reward_model"):
            self.reward_model = self._make_reward_model()
        self._validate_reward_model()
        coefs = {"reward": self.reward_model, "intrinsic_coef": self.intrinsic_coef, "extrinsic_coef": self.extrinsic_coef}
        algo: Any = self
        if isinstance(self, OffPolicyAlgorithm):
            algo.replay_buffer_class = relabeling_replay_buffer_class(algo.observation_space)
            algo.replay_buffer_kwargs = {**algo.replay_buffer_kwargs, **coefs}
        else:
            algo.rollout_buffer_class = relabeling_rollout_buffer_class(algo.observation_space)
            algo.rollout_buffer_kwargs = {**algo.rollout_buffer_kwargs, **coefs}
        super()._setup_model()  # type: ignore[safe-super]  # abstract only for the type checker; the back end's runs
        # the live reward model must not be pickled into the checkpoint's data
        for name in ("replay_buffer_kwargs", "rollout_buffer_kwargs"):
            kwargs = getattr(self, name, None)
            if isinstance(kwargs, dict):
                setattr(self, name, {k: v for k, v in kwargs.items() if k != "reward"})
        self._reward_callback = IntrinsicRewardCallback(self.reward_model, **self.callback_kwargs)

    def _validate_reward_model(self) -> None:
        """Hook for subclasses; the base checks nothing."""

    # ------------------------------------------------------------------------------------------------ learn
    def _agent_callbacks(self) -> list[BaseCallback]:
        """The callbacks this agent trains with, before the user's: the reward model's (subclasses may add more)."""
        return [self._reward_callback]

    def _init_callback(self, callback: MaybeCallback, progress_bar: bool = False) -> BaseCallback:
        """SB3's callbacks of a ``learn`` call, with a :class:`~hrl_wrappers.sb3.non_finite.FiniteDataCallback` first: a
        NaN or infinite observation or reward from the environment stops training before any network is updated."""
        algo: Any = super()
        return algo._init_callback(with_finite_check(callback), progress_bar)

    def _with_reward_callback(self, callback: MaybeCallback) -> BaseCallback:
        own = self._agent_callbacks()
        if callback is None:
            return own[0] if len(own) == 1 else CallbackList(own)
        return CallbackList([*own, *(callback if isinstance(callback, list) else [callback])])

    def learn(
        self: SelfSkillAgent,
        total_timesteps: int,
        callback: MaybeCallback = None,
        log_interval: int | None = None,
        tb_log_name: str | None = None,
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
    ) -> SelfSkillAgent:
        """Train for ``total_timesteps`` environment steps (SB3's ``learn``; the reward model trains alongside).

        ``tb_log_name`` defaults to the agent's name (``DIAYN``, ``DADS``); ``log_interval`` to the back end's own.
        """
        total_timesteps = check_total_timesteps(total_timesteps)
        kwargs: dict[str, Any] = {}
        if log_interval is not None:
            kwargs["log_interval"] = log_interval
        algo: Any = super()
        algo.learn(
            total_timesteps=total_timesteps,
            callback=self._with_reward_callback(callback),
            tb_log_name=self.agent_name if tb_log_name is None else tb_log_name,
            reset_num_timesteps=reset_num_timesteps,
            progress_bar=progress_bar,
            **kwargs,
        )
        return self

    # ------------------------------------------------------------------------------------------------ saving
    def _excluded_save_params(self) -> list[str]:
        return [*super()._excluded_save_params(), "reward_model", "_reward_callback"]

    def _get_torch_save_params(self) -> tuple[list[str], list[str]]:
        state_dicts, variables = super()._get_torch_save_params()
        return [*state_dicts, "reward_model", "reward_model.optimizer"], variables

    def load_replay_buffer(self, path: str | pathlib.Path, truncate_last_traj: bool = True) -> None:
        """Load a replay buffer saved with ``save_replay_buffer`` and re-attach this agent's reward model."""
        super().load_replay_buffer(path, truncate_last_traj)  # type: ignore[misc]
        self.replay_buffer.attach(self.reward_model)  # type: ignore[attr-defined]

    @classmethod
    def load(  # type: ignore[override]
        cls: type[SelfSkillAgent],
        path: str | pathlib.Path,
        env: EnvLike | None = None,
        device: str = "auto",
        custom_objects: dict[str, Any] | None = None,
        print_system_info: bool = False,
        force_reset: bool = True,
        **kwargs: Any,
    ) -> SelfSkillAgent:
        """Load an agent saved with :meth:`save` on this class's back end, as an instance of this class (SB3's ``load``:
        ``cls(policy=..., env=..., device=..., _init_setup_model=False)``, then the saved attributes and parameters).

        ``env`` may be the raw (unwrapped) environment. The short name's ``load`` (``DIAYN.load``) picks the class of
        the back end stored in the checkpoint.
        """
        data = read_checkpoint_data(path, custom_objects)
        check_checkpoint(cls, data, path, cls.agent_name, SkillAgent)
        assert data is not None
        if env is not None:
            env = make_skill_env(env, data["skill_config"], seed=kwargs.get("seed"))
        loaded: Any = super().load(
            path,
            env=env,
            device=device,
            custom_objects=custom_objects,
            print_system_info=print_system_info,
            force_reset=force_reset,
            **kwargs,
        )
        return loaded

    # ------------------------------------------------------------------------------------------------ acting
    def predict(
        self,
        observation: Any,
        state: Any = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = False,
    ) -> tuple[np.ndarray, Any]:
        """SB3's ``predict`` on observation(s) with the skill appended (as the SkillWrapper returns them); a raw
        environment observation is refused with what to do (append the skill, or call :meth:`predict_skill`)."""
        self._refuse_raw_observation(observation)
        algo: Any = super()
        return algo.predict(observation, state, episode_start, deterministic)

    def _refuse_raw_observation(self, observation: Any) -> None:
        layout = getattr(self, "skill_layout", None)
        if layout is None:
            return
        base, full = layout.base_space, layout.observation_space
        fix = (
            "predict takes the observation with the skill appended, as the SkillWrapper returns it: append the skill "
            "(model.skill_layout.join(observation, skill)) or call model.predict_skill(observation, skill=...)"
        )
        if isinstance(full, spaces.Dict):
            if isinstance(observation, dict) and set(observation) != set(full.spaces):
                keys = sorted(full.spaces)
                raise ValueError(f"observation has keys {sorted(observation)}, and the agent's have {keys}: {fix}")
            return
        if isinstance(observation, dict | tuple):  # a tuple, such as (obs, info), gets SB3's own message
            return
        shape = np.shape(observation)
        base_shape = () if isinstance(base, spaces.Discrete) else tuple(base.shape or ())
        if shape != tuple(full.shape or ()) and (shape == base_shape or shape[1:] == base_shape):
            raise ValueError(
                f"observation has shape {shape}, that of the raw env observation (without the skill); the agent's "
                f"observations have shape {full.shape}: {fix}"
            )

    def predict_skill(
        self,
        observation: Any,
        skill: Any,
        state: Any = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, Any]:
        """Act with ``skill`` on raw environment observation(s) (without the skill appended).

        :param observation: one environment observation, or a batch (leading axis).
        :param skill: one skill (applied to the whole batch) or one per observation.
        :param state: recurrent state (unused by MLP policies).
        :param episode_start: episode starts (unused by MLP policies).
        :param deterministic: whether to act deterministically.
        :return: the action(s) and the state, as ``predict`` returns them.
        """
        layout = self.skill_layout
        obs, batched = self._check_raw_observation(observation)
        n = len(next(iter(obs.values()))) if isinstance(obs, dict) else len(obs)
        skills = self._check_skills(skill, n)
        joined = layout.join(obs, layout.prior.encode(skills) if layout.is_categorical else np.stack(skills), encoded=True)
        action, state = self.predict(joined, state, episode_start, deterministic)
        return (action if batched else action[0]), state

    def _check_raw_observation(self, observation: Any) -> tuple[Any, bool]:
        space = self.skill_layout.base_space
        if isinstance(space, spaces.Dict):
            if not isinstance(observation, dict) or set(observation) != set(space.spaces):
                raise ValueError(f"observation must be a dict with keys {sorted(space.spaces)} (the raw env observation)")
            first_key = next(iter(space.spaces))
            sub = space.spaces[first_key]
            batched = np.ndim(observation[first_key]) > (0 if isinstance(sub, spaces.Discrete) else len(sub.shape or ()))
            obs = {k: np.asarray(v) if batched else np.asarray(v)[None] for k, v in observation.items()}
            return obs, batched
        arr = np.asarray(observation)
        shape: tuple[int, ...] = () if isinstance(space, spaces.Discrete) else tuple(space.shape or ())
        if arr.shape == shape:
            arr, batched = arr[None], False
        elif arr.shape[1:] == shape:
            batched = True
        else:
            raise ValueError(
                f"observation must have shape {shape} (the raw env observation, without the skill) or (batch, *{shape}), "
                f"got {arr.shape}"
            )
        if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
            raise ValueError("observation contains NaN or infinite values")
        return arr, batched

    def _check_skills(self, skill: Any, n: int) -> list[Any]:
        prior = self.skill_layout.prior
        if prior.is_categorical:
            if np.ndim(skill) == 0:
                return [prior.validate(skill, "skill")] * n
            items = list(np.asarray(skill).tolist())
        else:
            z = np.asarray(skill)
            if z.ndim <= 1:
                return [prior.validate(skill, "skill")] * n
            items = list(z)
        if len(items) != n:
            raise ValueError(f"skill must be one skill or one per observation ({n}), got {len(items)}")
        return [prior.validate(s, f"skill[{i}]") for i, s in enumerate(items)]

    @property
    def n_skills(self) -> int | None:
        """Number of categorical skills (None for continuous skills)."""
        return getattr(self.skill_layout.prior, "n_skills", None)

    def skills(self) -> list[Any]:
        """All categorical skills, ``[0, ..., n_skills - 1]`` (raises for continuous priors)."""
        if self.n_skills is None:
            raise ValueError("skills() lists categorical skills only; this agent's skills are continuous")
        return list(range(self.n_skills))
