"""SkillController: a high-level SB3 learner (PPO, SAC or DQN) choosing among frozen pretrained skills.

The hierarchical setup of DIAYN (Eysenbach et al., ICLR 2019, Sec. 4.2.2) as one object: the task environment is
wrapped in a :class:`~hrl_wrappers.MacroActionWrapper`, so one action of the learner is one skill held for
``hold_steps`` primitive steps, and the learner is an ordinary SB3 algorithm on that wrapped environment.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Literal, TypeVar, overload

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from stable_baselines3 import DQN, PPO, SAC
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.type_aliases import MaybeCallback
from stable_baselines3.common.vec_env import VecEnv

from agents.common.agent_factory import AgentFactory, backend_name, check_checkpoint, read_checkpoint_data, require_backend
from agents.common.arguments import check_total_timesteps, copy_user_dicts
from agents.common.skill_agent import _AlgorithmBase
from hrl_wrappers.macro_action_wrapper import MacroActionWrapper, relative_indices
from hrl_wrappers.sb3.non_finite import with_finite_check
from hrl_wrappers.skill_library import SkillLibrary, load_skills

__all__ = ["SkillController", "SkillControllerBase", "SkillControllerDQN", "SkillControllerPPO", "SkillControllerSAC"]

SelfSkillController = TypeVar("SelfSkillController", bound="SkillControllerBase")
EnvLike = str | Callable[[], gym.Env] | gym.Env | VecEnv
SkillsLike = str | pathlib.Path | SkillLibrary | BaseAlgorithm

_STORE_MODES = ("copy", "reference")


def _as_library(skills: SkillsLike) -> SkillLibrary:
    if isinstance(skills, SkillLibrary):
        return skills
    if isinstance(skills, str | pathlib.Path | BaseAlgorithm):
        return load_skills(skills)
    raise TypeError(
        f"skills must be a path to a saved skill model, a SkillLibrary or an SB3 model, got {type(skills).__name__}"
    )


def _macro_wrapped(env: Any) -> bool:
    try:
        if isinstance(env, VecEnv):
            env.get_attr("macro_config", indices=[0])
        else:
            env.get_wrapper_attr("macro_config")
    except AttributeError:
        return False
    return True


class SkillControllerBase(_AlgorithmBase):
    """A high-level PPO, SAC or DQN over frozen skills (DIAYN's hierarchical setup), with the SB3 API (the shared code).

    Paper: https://arxiv.org/abs/1802.06070 (Sec. 4.2.2, "Using Skills for Hierarchical RL"). The learner sees the task
    observation and picks a skill; the skill's frozen policy then acts for ``hold_steps`` primitive steps (or until
    the episode ends) and the learner receives the summed reward (see :class:`~hrl_wrappers.MacroActionWrapper`).
    Build :class:`SkillControllerPPO`, :class:`SkillControllerSAC` or :class:`SkillControllerDQN` (and subclass them as
    SB3's algorithms), or let :data:`SkillController` pick: ``SkillController(..., algo="DQN")`` is
    ``SkillControllerDQN(...)`` (default ``"PPO"``); all are ``isinstance(model, SkillController)``. DQN needs
    categorical skills, SAC continuous ones, PPO takes either.
    ``num_timesteps`` and ``learn(total_timesteps)`` count high-level decisions, as SB3 counts env steps.

    :param policy: SB3 policy (``"MlpPolicy"``).
    :param env: the task: a Gymnasium id, an env factory, a ``gym.Env`` (wrapped here), or a VecEnv whose environments
        are already ``MacroActionWrapper``-wrapped.
    :param skills: the frozen skills: a saved skill model's path (DIAYN, or any SB3 model on a SkillWrapper), a
        :class:`~hrl_wrappers.SkillLibrary` (e.g. pruned or selected) or a model in memory.
    :param hold_steps: primitive steps per high-level decision (k; the paper used 10 and 100).
    :param macro_gamma: discount inside one macro-action when summing its rewards (1: the plain sum).
    :param skill_obs: indices of the task observation that the skills read (all of it when ``None``).
    :param relative_obs: indices of the skills' observation that they read relative to their value when each
        macro-action starts (see :class:`~hrl_wrappers.MacroActionWrapper`; e.g. a locomotion robot's x-y).
    :param algo: the back end, fixed by the class (``SkillControllerPPO``: ``"PPO"``); another value raises.
        ``SkillController(...)`` takes it to choose the class.
    :param store_skills: ``"copy"``: :meth:`save` puts the frozen skill networks into the checkpoint;
        ``"reference"``: it stores only the path they were loaded from (and the chosen skills), re-read on load.
    :param n_envs: number of environments when ``env`` is an id or a factory.
    :param env_kwargs: ``gym.make`` keyword arguments (or the factory's) when ``env`` is an id or a factory.
    :param vec_env_cls: ``DummyVecEnv`` (default) or ``SubprocVecEnv``.
    :param seed: random seed.
    :param _init_setup_model: build the networks now (SB3 convention).
    :param algo_kwargs: any argument of SB3's PPO, SAC or DQN (``learning_rate``, ``policy_kwargs``, ``verbose``, ...).

    Example:
        >>> from agents import DIAYN, SkillController
        >>> skills = DIAYN("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=4, policy_kwargs={"net_arch": [8]},
        ...                discriminator_arch=[8], seed=0)
        >>> controller = SkillController("MlpPolicy", "hrl_wrappers/PointWaypoints-v0", skills, hold_steps=10,
        ...                              skill_obs=[0, 1], algo="PPO", n_steps=16, batch_size=16, seed=0)
        >>> controller.action_space
        Discrete(4)
        >>> _ = controller.learn(32)
        >>> skill, _ = controller.predict(controller.env.reset(), deterministic=True)   # one skill per env
        >>> skill.shape, int(skill[0]) in range(4)
        ((1,), True)
    """

    agent_name: ClassVar[str] = "SkillController"

    skills: SkillLibrary
    hold_steps: int
    macro_gamma: float
    skill_obs: list[int] | None
    relative_obs: list[int] | None
    store_skills: str
    skills_source: dict[str, Any] | None
    algo_name: str
    hrl_agent: str

    def __init__(
        self,
        policy: str | type,
        env: EnvLike | None,
        skills: SkillsLike | None = None,
        hold_steps: int = 10,
        macro_gamma: float = 1.0,
        skill_obs: Sequence[int] | None = None,
        algo: str | None = None,
        relative_obs: Sequence[int] | None = None,
        store_skills: str = "copy",
        n_envs: int = 1,
        env_kwargs: dict[str, Any] | None = None,
        vec_env_cls: type[VecEnv] | None = None,
        seed: int | None = None,
        _init_setup_model: bool = True,
        **algo_kwargs: Any,
    ) -> None:
        require_backend(self, self.agent_name, "SkillControllerPPO, SkillControllerSAC or SkillControllerDQN")
        backend = backend_name(type(self), SkillControllerBase)
        if algo is not None and str(algo).upper() != backend:
            raise ValueError(
                f"{type(self).__name__} runs on {backend}, got algo={algo!r}: build SkillController(..., algo={algo!r}), "
                "or the class of that back end"
            )
        if store_skills not in _STORE_MODES:
            raise ValueError(f"store_skills must be one of {list(_STORE_MODES)}, got {store_skills!r}")
        if n_envs < 1:
            raise ValueError(f"n_envs must be >= 1, got {n_envs}")
        self.hrl_agent = self.agent_name
        self.algo_name = str(backend)  # saved: SkillController.load picks the class
        self.store_skills = store_skills
        if skills is None:
            if not _init_setup_model and env is not None and _macro_wrapped(env):  # SB3's load: skills come with data
                library = self._skills_of(env)
            elif not _init_setup_model:
                library = None
            else:
                raise ValueError("skills must be given: a path to a saved skill model, a SkillLibrary or an SB3 model")
        else:
            library = _as_library(skills)
        if library is not None:
            self.skills = library
            self._check_algo(library)
            if store_skills == "reference" and library.source is None:
                raise ValueError(
                    "store_skills='reference' needs skills loaded from a file (load_skills(path)); these have no source "
                    "path: use store_skills='copy'"
                )
            self.skills_source = None if library.source is None else {"path": library.source, "indices": library.indices}
        if isinstance(hold_steps, bool) or not isinstance(hold_steps, int | np.integer) or hold_steps < 1:
            raise ValueError(f"hold_steps must be an integer >= 1, got {hold_steps!r}")
        self.hold_steps = int(hold_steps)
        self.macro_gamma = float(macro_gamma)
        self.skill_obs = None if skill_obs is None else [int(i) for i in skill_obs]
        if library is not None:  # checked against the skills' observation (the wrapper's own check)
            relative_obs = relative_indices(relative_obs, library.observation_space)
        self.relative_obs = None if relative_obs is None else [int(i) for i in relative_obs]
        if env is not None and library is not None:
            macro = (hold_steps, macro_gamma, skill_obs, relative_obs)
            env = self._wrap(env, library, macro, n_envs, seed, env_kwargs, vec_env_cls)
        super().__init__(policy, env, seed=seed, _init_setup_model=_init_setup_model, **copy_user_dicts(algo_kwargs))  # type: ignore[call-arg, arg-type]

    def _check_algo(self, library: SkillLibrary) -> None:
        space = library.skill_space
        if isinstance(self, DQN) and not isinstance(space, spaces.Discrete):
            raise ValueError(f"algo='DQN' needs categorical skills (a Discrete action space); these skills are {space}")
        if isinstance(self, SAC) and not isinstance(space, spaces.Box):
            raise ValueError(
                f"algo='SAC' needs continuous skills (a Box action space); these skills are {space}: use 'PPO' or 'DQN'"
            )

    @staticmethod
    def _skills_of(env: Any) -> SkillLibrary:
        if isinstance(env, VecEnv):
            return env.get_attr("skills", indices=[0])[0]
        return env.get_wrapper_attr("skills")

    @staticmethod
    def _wrap(
        env: EnvLike,
        library: SkillLibrary,
        macro: tuple[int, float, Sequence[int] | None, Sequence[int] | None],
        n_envs: int,
        seed: int | None,
        env_kwargs: dict[str, Any] | None,
        vec_env_cls: type[VecEnv] | None,
    ) -> gym.Env | VecEnv:
        """``env`` wrapped in :class:`MacroActionWrapper` with ``macro = (hold_steps, gamma, skill_obs, relative_obs)``."""
        hold_steps, macro_gamma, skill_obs, relative_obs = macro
        wrapper_kwargs = {
            "skills": library,
            "hold_steps": hold_steps,
            "gamma": macro_gamma,
            "skill_obs": skill_obs,
            "relative_obs": relative_obs,
        }
        if isinstance(env, str) or (callable(env) and not isinstance(env, gym.Env | VecEnv)):
            return make_vec_env(
                env,  # type: ignore[arg-type]
                n_envs=n_envs,
                seed=seed,
                env_kwargs=env_kwargs,
                wrapper_class=MacroActionWrapper,  # type: ignore[arg-type]
                wrapper_kwargs=wrapper_kwargs,
                vec_env_cls=vec_env_cls,  # type: ignore[arg-type]
            )
        if _macro_wrapped(env):
            return env
        if isinstance(env, VecEnv):
            raise ValueError(
                "env is a VecEnv whose environments are not wrapped with hrl_wrappers.MacroActionWrapper: pass an "
                "environment id or factory (the controller wraps it), or build it with "
                "make_vec_env(..., wrapper_class=MacroActionWrapper, wrapper_kwargs={'skills': ...})"
            )
        if isinstance(env, gym.Env):
            return MacroActionWrapper(env, library, hold_steps, macro_gamma, skill_obs, relative_obs)
        raise TypeError(f"env must be a Gymnasium id, an env factory, a gym.Env or a VecEnv, got {type(env).__name__}")

    # ------------------------------------------------------------------------------------------------ learning
    def _setup_model(self) -> None:
        """The back end's own (PPO, SAC or DQN) networks; the controller adds nothing to them."""
        super()._setup_model()  # type: ignore[safe-super]  # abstract only for the type checker; the back end's runs

    def _init_callback(self, callback: MaybeCallback, progress_bar: bool = False) -> BaseCallback:
        """SB3's callbacks of a ``learn`` call, with a :class:`~hrl_wrappers.sb3.non_finite.FiniteDataCallback` first: a
        NaN or infinite observation or reward from the environment stops training before any network is updated."""
        algo: Any = super()
        return algo._init_callback(with_finite_check(callback), progress_bar)

    def learn(
        self: SelfSkillController,
        total_timesteps: int,
        callback: MaybeCallback = None,
        log_interval: int | None = None,
        tb_log_name: str = "SkillController",
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
    ) -> SelfSkillController:
        """Train the high level for ``total_timesteps`` high-level decisions (SB3's ``learn``)."""
        total_timesteps = check_total_timesteps(total_timesteps)
        kwargs: dict[str, Any] = {}
        if log_interval is not None:
            kwargs["log_interval"] = log_interval
        algo: Any = super()
        algo.learn(
            total_timesteps=total_timesteps,
            callback=callback,
            tb_log_name=tb_log_name,
            reset_num_timesteps=reset_num_timesteps,
            progress_bar=progress_bar,
            **kwargs,
        )
        return self

    def predict_primitive(self, observation: Any, deterministic: bool = True) -> tuple[np.ndarray, Any]:
        """The primitive action for one task observation: the chosen skill's action (no holding; for inspection).

        :return: the primitive action and the chosen skill.
        """
        skill, _ = self.predict(observation, deterministic=deterministic)
        obs = np.asarray(observation)
        view = np.array(obs if self.skill_obs is None else obs[self.skill_obs])
        if self.relative_obs is not None:  # as at the first step of a macro-action: displacement 0
            view[self.relative_obs] = 0
        return self.skills.act(view, skill), skill

    # ------------------------------------------------------------------------------------------------ saving
    def _excluded_save_params(self) -> list[str]:
        excluded = list(super()._excluded_save_params())
        if self.store_skills == "reference":
            excluded.append("skills")
        return excluded

    @classmethod
    def load(  # type: ignore[override]
        cls: type[SelfSkillController],
        path: str | pathlib.Path,
        env: EnvLike | None = None,
        device: str = "auto",
        custom_objects: dict[str, Any] | None = None,
        print_system_info: bool = False,
        force_reset: bool = True,
        skills: SkillsLike | None = None,
        **kwargs: Any,
    ) -> SelfSkillController:
        """Load a controller saved with :meth:`save` on this class's back end, as an instance of this class (SB3's
        ``load``); ``env`` may be the raw task environment (it is re-wrapped). ``SkillController.load`` picks the class
        of the back end stored in the checkpoint.

        :param skills: replace the skills the checkpoint holds or refers to (they must have the same skill space).
        """
        data = read_checkpoint_data(path, custom_objects)
        check_checkpoint(cls, data, path, cls.agent_name, SkillControllerBase)
        assert data is not None
        if skills is not None:
            library = _as_library(skills)
        elif data.get("store_skills") == "reference":
            source = data.get("skills_source") or {}
            try:
                library = load_skills(source["path"], skills=source.get("indices"))
            except (FileNotFoundError, KeyError) as exc:
                raise ValueError(
                    f"path={str(path)!r} refers to skills at {source.get('path')!r}, which cannot be read ({exc}): "
                    "pass skills= to load it with other skills"
                ) from None
        else:
            library = data["skills"]
        if library.skill_space != data["action_space"]:
            raise ValueError(f"skills act in {library.skill_space}, the checkpoint's controller in {data['action_space']}")
        if env is not None:
            macro = (data["hold_steps"], data["macro_gamma"], data["skill_obs"], data.get("relative_obs"))
            env = cls._wrap(env, library, macro, 1, kwargs.get("seed"), None, None)
        custom = dict(custom_objects or {})
        custom["skills"] = library
        loaded: Any = super().load(
            path,
            env=env,
            device=device,
            custom_objects=custom,
            print_system_info=print_system_info,
            force_reset=force_reset,
            **kwargs,
        )
        loaded.skills = library
        return loaded


class SkillControllerPPO(SkillControllerBase, PPO):
    """A PPO controller over frozen skills (what ``SkillController(..., algo="PPO")`` builds)."""


class SkillControllerSAC(SkillControllerBase, SAC):
    """A SAC controller over continuous frozen skills (``algo="SAC"``)."""


class SkillControllerDQN(SkillControllerBase, DQN):
    """A DQN controller over categorical frozen skills (``algo="DQN"``)."""


class SkillControllerFactory(AgentFactory[SkillControllerBase]):
    """The type of :data:`SkillController`: its calls, overloaded on ``algo`` so that type checkers see the class built."""

    @overload
    def __call__(
        self, policy: str | type, env: EnvLike | None, *args: Any, algo: Literal["SAC"], **kwargs: Any
    ) -> SkillControllerSAC: ...
    @overload
    def __call__(
        self, policy: str | type, env: EnvLike | None, *args: Any, algo: Literal["DQN"], **kwargs: Any
    ) -> SkillControllerDQN: ...
    @overload
    def __call__(
        self, policy: str | type, env: EnvLike | None, *args: Any, algo: Literal["PPO"] | None = None, **kwargs: Any
    ) -> SkillControllerPPO: ...
    @overload
    def __call__(
        self, policy: str | type, env: EnvLike | None, *args: Any, algo: str, **kwargs: Any
    ) -> SkillControllerBase: ...
    def __call__(self, *args: Any, algo: str | None = None, **kwargs: Any) -> Any:
        return self.build(algo, *args, **kwargs)


SkillController: SkillControllerFactory = SkillControllerFactory.define(
    "SkillController",
    SkillControllerBase,
    {"PPO": SkillControllerPPO, "SAC": SkillControllerSAC, "DQN": SkillControllerDQN},
    default_algo="PPO",
    module=__name__,
    doc="""A controller on the back end named by ``algo``: ``SkillController(policy, env, skills, ..., algo="DQN")`` is
    ``SkillControllerDQN(policy, env, skills, ...)``; ``algo="PPO"`` (default) builds a :class:`SkillControllerPPO`.
    The arguments are those of :class:`SkillControllerBase`.

    ``SkillController.load(path)`` loads a checkpoint with the class of the back end it stores;
    ``isinstance(model, SkillController)`` is ``isinstance(model, SkillControllerBase)``. To subclass, subclass
    :class:`SkillControllerPPO`, :class:`SkillControllerSAC` or :class:`SkillControllerDQN`.
    """,
)
