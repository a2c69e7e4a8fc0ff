"""A library of frozen, pretrained skills: :func:`load_skills` and :class:`SkillLibrary` (torch, CPU).

:func:`load_skills` reads the policy of a saved skill-discovery agent (DIAYN, DADS, METRA, LSD: any agent built on
``agents.common.SkillAgent``) or of any SB3 model trained on a :class:`~hrl_wrappers.SkillWrapper`, rebuilds it on
the CPU with gradients off, and returns a :class:`SkillLibrary`: the skill set that
:class:`~hrl_wrappers.MacroActionWrapper` turns into macro-actions. Only the policy is read; replay buffers,
critics' optimizers and discriminators stay in the file. It also loads, by name, the skill sets shipped with the
package (:mod:`hrl_wrappers.skill_zoo`): ``load_skills("point-diayn-8")``.
"""

from __future__ import annotations

import copy
import pathlib
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.save_util import load_from_zip_file

from hrl_wrappers import skill_zoo
from hrl_wrappers.checkpoint_file import checkpoint_file
from hrl_wrappers.macro_action_wrapper import check_skill_spaces
from hrl_wrappers.priors import SkillPrior, SphericalPrior, make_prior
from hrl_wrappers.skill_layout import OBSERVATION_KEY, SKILL_KEY, SkillLayout
from hrl_wrappers.skill_wrapper import find_skill_layout
from hrl_wrappers.skill_zoo.export import DROPPED_KEY
from hrl_wrappers.skills import skill_displacements

__all__ = ["SkillLibrary", "load_skills"]


def _no_schedule(_: float) -> float:
    return 0.0


def _freeze(policy: BasePolicy) -> BasePolicy:
    policy = policy.to("cpu")
    policy.set_training_mode(False)
    for p in policy.parameters():
        p.requires_grad_(False)
    return policy


def _layout_from_space(
    space: spaces.Space, n_skills: int | None, skill_dim: int | None, distribution: str, argument: str
) -> SkillLayout:
    """Rebuild the skill layout of a plain SB3 model from its observation space and the skills the user names."""
    try:
        prior: SkillPrior = make_prior(n_skills=n_skills, skill_dim=skill_dim, distribution=distribution)
    except ValueError as exc:
        raise ValueError(
            f"{argument} holds a plain SB3 checkpoint without skill information: pass n_skills= (categorical skills) or "
            f"skill_dim= (continuous skills) as it was trained on a SkillWrapper ({exc})"
        ) from None
    e = prior.encoding_dim
    if isinstance(space, spaces.Dict):
        if SKILL_KEY not in space.spaces or space.spaces[SKILL_KEY].shape != (e,):
            raise ValueError(
                f"{argument}: its observation space {space} has no {SKILL_KEY!r} entry of shape ({e},) for {prior}"
            )
        rest = {k: s for k, s in space.spaces.items() if k != SKILL_KEY}
        base = rest[OBSERVATION_KEY] if set(rest) == {OBSERVATION_KEY} else spaces.Dict(rest)
        return SkillLayout(base, prior, "dict")
    if not isinstance(space, spaces.Box) or len(space.shape) != 1 or space.shape[0] <= e:
        raise ValueError(
            f"{argument}: its observation space {space} is not an environment observation with {e} skill entries "
            f"appended (what SkillWrapper builds for {prior})"
        )
    low, high = np.asarray(space.low), np.asarray(space.high)
    base_box = spaces.Box(low[:-e], high[:-e], dtype=space.dtype)  # type: ignore[arg-type]
    return SkillLayout(base_box, prior, "flat")


class SkillLibrary:
    """Frozen skills on the CPU: a skill-conditioned SB3 policy, its :class:`SkillLayout` and a choice of skills.

    Implements the :class:`~hrl_wrappers.skills.Skills` interface. Categorical skills are addressed by their position
    in :attr:`indices` (the chosen subset of the original skills, all of them at first); continuous skills by their
    vector ``z``. Build one with :func:`load_skills`, or :meth:`from_model` for a model in memory.

    :param policy: the SB3 policy (its input is the skill-conditioned observation); copied to the CPU and frozen.
    :param layout: how the observation and the skill are joined.
    :param indices: the chosen categorical skills (all when ``None``).
    :param deterministic: act with the policy's mode (True) or sample from it.
    :param source: where the skills came from (a path), kept for reference.

    Example:
        >>> from stable_baselines3 import SAC
        >>> from stable_baselines3.common.env_util import make_vec_env
        >>> from hrl_wrappers import SkillWrapper
        >>> env = make_vec_env("hrl_wrappers/PointWorld-v0", wrapper_class=SkillWrapper, wrapper_kwargs={"n_skills": 4})
        >>> model = SAC("MlpPolicy", env, policy_kwargs={"net_arch": [8]}, seed=0)   # trained on skill-wrapped envs
        >>> skills = SkillLibrary.from_model(model).select([3, 1])
        >>> skills.skill_space, skills.indices
        (Discrete(2), [3, 1])
        >>> skills.act([0.0, 0.0], 0).shape
        (2,)
    """

    def __init__(
        self,
        policy: BasePolicy,
        layout: SkillLayout,
        indices: Sequence[int] | None = None,
        deterministic: bool = True,
        source: str | None = None,
    ) -> None:
        self.policy = _freeze(policy)
        self.layout = layout
        self.deterministic = bool(deterministic)
        self.source = source
        self.indices: list[int] | None = None
        if layout.is_categorical:
            n = int(layout.prior.n_skills)  # type: ignore[attr-defined]
            self.indices = list(range(n)) if indices is None else self._check_indices(indices, n)
        elif indices is not None:
            raise ValueError("indices picks categorical skills; these skills are continuous")
        self._generator: torch.Generator | None = None

    @staticmethod
    def _check_indices(indices: Sequence[int], n: int) -> list[int]:
        try:
            idx = [int(i) for i in indices]
        except (TypeError, ValueError):
            raise ValueError(f"skills must be a sequence of skill indices, got {indices!r}") from None
        if not idx:
            raise ValueError("skills must pick at least one skill, got an empty sequence")
        bad = [i for i in idx if not 0 <= i < n]
        if bad:
            raise ValueError(f"skills has indices {bad} outside [0, {n}) (the model has {n} skills)")
        if len(set(idx)) != len(idx):
            raise ValueError(f"skills picks a skill twice: {idx}")
        return idx

    # ------------------------------------------------------------------------------------------------ building
    @classmethod
    def from_model(
        cls,
        model: BaseAlgorithm,
        indices: Sequence[int] | None = None,
        deterministic: bool = True,
        n_skills: int | None = None,
        skill_dim: int | None = None,
        distribution: str = "uniform",
    ) -> SkillLibrary:
        """Frozen CPU copy of the skills of an SB3 model in memory (a DIAYN agent, or any model on a SkillWrapper).

        :param model: the trained model (left untouched: its policy is copied).
        :param indices: the categorical skills to keep (all when ``None``).
        :param deterministic: act with the policy's mode.
        :param n_skills: categorical skills, for a model whose env carries no SkillWrapper (otherwise read from it).
        :param skill_dim: continuous skills, likewise.
        :param distribution: continuous prior, likewise.
        """
        layout = getattr(model, "skill_layout", None)
        if layout is None and model.get_env() is not None and n_skills is None and skill_dim is None:
            layout = find_skill_layout(model.get_env())
        if layout is None:
            layout = _layout_from_space(model.observation_space, n_skills, skill_dim, distribution, "model")
        policy = copy.deepcopy(model.policy)
        return cls(policy, layout, indices, deterministic)

    # ------------------------------------------------------------------------------------------------ Skills API
    @property
    def skill_space(self) -> spaces.Space:
        """``Discrete(len(indices))`` for categorical skills, the prior's Box for continuous ones."""
        if self.indices is not None:
            return spaces.Discrete(len(self.indices))
        return self.layout.prior.encoding_space

    @property
    def observation_space(self) -> spaces.Space:
        """The environment observation the skills read (without the skill)."""
        return self.layout.base_space

    @property
    def action_space(self) -> spaces.Space:
        """The environment's action space."""
        return self.policy.action_space

    @property
    def n_skills(self) -> int | None:
        """Number of chosen categorical skills (``None`` for continuous skills)."""
        return None if self.indices is None else len(self.indices)

    def seed(self, seed: int | None = None) -> None:
        """Seed the sampling of stochastic skills (``deterministic=False``), which draw from torch's global generator
        (as SB3 policies do); deterministic skills leave it alone."""
        if seed is not None and not self.deterministic:
            torch.manual_seed(seed)

    def encode(self, skill: Any) -> np.ndarray:
        """The encoding of ``skill`` (a position in :attr:`indices`, or a vector) inside the policy's observation.

        Unit-vector skills (``distribution="sphere"``, METRA's) are divided by their norm, so that any vector of
        :attr:`skill_space` (the box a controller acts in) names the skill of its direction; the zero vector stays zero.
        """
        if self.indices is not None:
            return self.layout.prior.encode(self.indices[int(skill)])
        z = np.asarray(skill, dtype=np.float32)
        if isinstance(self.layout.prior, SphericalPrior):
            z = z / np.float32(max(float(np.linalg.norm(z)), 1e-8))
        return z

    def act(self, observation: Any, skill: Any) -> np.ndarray:
        """The action of ``skill`` for one environment ``observation``."""
        joined = self.layout.join(observation, self.encode(skill), encoded=True)
        if isinstance(joined, dict):
            action, _ = self.policy.predict(joined, deterministic=self.deterministic)
            return action
        # what BasePolicy.predict does for one flat observation, without its per-call checks (this runs every step)
        with torch.no_grad():
            out = self.policy._predict(torch.as_tensor(joined).unsqueeze(0), deterministic=self.deterministic)
        action = out.numpy()[0]
        space = self.policy.action_space
        if isinstance(space, spaces.Box):
            if self.policy.squash_output:
                return self.policy.unscale_action(action)
            return np.clip(action, space.low, space.high)
        return action

    def act_batch(self, observations: Any, skills: Sequence[Any]) -> np.ndarray:
        """Actions for a batch of observations, one skill each (leading axis on both)."""
        encoded = np.stack([self.encode(s) for s in skills])
        joined = self.layout.join(observations, encoded, encoded=True)
        action, _ = self.policy.predict(joined, deterministic=self.deterministic)
        return action

    # ------------------------------------------------------------------------------------------------ choosing
    def select(self, indices: Sequence[int]) -> SkillLibrary:
        """A library of the chosen skills (positions in the current :attr:`indices`), sharing the frozen policy."""
        if self.indices is None:
            raise ValueError("select() picks categorical skills; these skills are continuous")
        chosen = self._check_indices(indices, len(self.indices))
        out = copy.copy(self)
        out.indices = [self.indices[i] for i in chosen]
        return out

    def check_env(self, env: gym.Env, skill_obs: Sequence[int] | None = None) -> None:
        """Raise a ``ValueError`` saying what does not fit unless the skills can act in ``env``."""
        check_skill_spaces(env, self, skill_obs)

    def displacements(
        self,
        env: gym.Env,
        n_steps: int | None = None,
        features: Sequence[int] | Callable[[Any, dict[str, Any]], Any] | None = None,
        seed: int = 0,
        skills: Sequence[Any] | np.ndarray | None = None,
    ) -> np.ndarray:
        """Where each skill takes ``features`` in one rollout from a seeded reset: final minus initial
        (:func:`~hrl_wrappers.skills.skill_displacements` with :meth:`act`).

        :param env: an environment the skills fit (raw observations, as the skills read them).
        :param n_steps: rollout length (until the episode ends when ``None``).
        :param features: indices of the observation, or ``f(obs, info) -> vector``; the whole observation if ``None``.
        :param seed: reset seed of every rollout (the same start for every skill).
        :param skills: the skills to roll out: positions in :attr:`indices` (all chosen skills when ``None``) or, for
            continuous skills, skill vectors (required).
        :return: an array ``(n_skills, n_features)``, one row per skill.
        """
        if skills is None:
            if self.indices is None:
                raise ValueError("skills must list the skill vectors to roll out: these skills are continuous")
            skills = list(range(len(self.indices)))
        self.check_env(env)
        return skill_displacements(self.act, env, skills, n_steps, features, seed)

    def prune(
        self,
        env: gym.Env,
        min_distance: float,
        n_steps: int | None = None,
        features: Sequence[int] | Callable[[Any, dict[str, Any]], Any] | None = None,
        seed: int = 0,
    ) -> SkillLibrary:
        """Drop skills whose displacement duplicates another's: keep a skill only if its displacement is at least
        ``min_distance`` away from that of every skill kept before it (longest displacements first).

        :param env: the environment to roll the skills out in (see :meth:`displacements`).
        :param min_distance: how far apart two kept skills' displacements must be (> 0).
        :param n_steps: rollout length (until the episode ends when ``None``).
        :param features: what displacement is measured on (see :meth:`displacements`).
        :param seed: reset seed of the rollouts.
        :return: the library of the kept skills, in their original order.
        """
        if not (isinstance(min_distance, float | int) and np.isfinite(min_distance) and min_distance > 0):
            raise ValueError(f"min_distance must be a finite number > 0, got {min_distance!r}")
        if self.indices is None:
            raise ValueError("prune() keeps categorical skills; these skills are continuous")
        disp = self.displacements(env, n_steps, features, seed)
        order = np.argsort(-np.linalg.norm(disp, axis=1), kind="stable")
        kept: list[int] = []
        for i in order:
            if all(np.linalg.norm(disp[i] - disp[j]) >= min_distance for j in kept):
                kept.append(int(i))
        return self.select(sorted(kept))

    # ------------------------------------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("policy", "_generator")}
        state["policy_class"] = type(self.policy)
        state["policy_init"] = {
            "observation_space": self.policy.observation_space,
            "action_space": self.policy.action_space,
            "kwargs": self.policy._get_constructor_parameters(),
        }
        state["policy_state"] = {k: v.detach().cpu().numpy() for k, v in self.policy.state_dict().items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        policy_class = state.pop("policy_class")
        init = state.pop("policy_init")
        params = state.pop("policy_state")
        kwargs = {k: v for k, v in init["kwargs"].items() if k not in ("observation_space", "action_space")}
        kwargs.setdefault("lr_schedule", _no_schedule)
        policy = policy_class(init["observation_space"], init["action_space"], **kwargs)
        policy.load_state_dict({k: torch.as_tensor(v) for k, v in params.items()})
        self.__dict__.update(state)
        self.policy = _freeze(policy)
        self._generator = None

    def __repr__(self) -> str:
        which = f"skills {self.indices}" if self.indices is not None else f"continuous skills {self.skill_space}"
        return f"SkillLibrary({which}, policy {type(self.policy).__name__}, source {self.source!r})"


def _file_exists(path: pathlib.Path) -> bool:
    """Whether ``path``, or ``path`` + ``.zip`` as SB3 reads it, is a file."""
    return path.is_file() or path.with_name(path.name + ".zip").is_file()


def _load_file(
    file: pathlib.Path,
    where: str,
    skills: Sequence[int] | None,
    deterministic: bool,
    n_skills: int | None,
    skill_dim: int | None,
    distribution: str,
) -> SkillLibrary:
    """The skills of the checkpoint ``file`` (``where`` names it in the messages)."""
    try:
        data, params, _ = load_from_zip_file(file, device="cpu", print_system_info=False)
    except (zipfile.BadZipFile, ValueError, KeyError, RuntimeError) as exc:
        raise ValueError(f"{where} is not a skill model: it is not an SB3 checkpoint ({exc})") from None
    if not data or "policy_class" not in data or "observation_space" not in data or "policy" not in params:
        raise ValueError(f"{where} is not a skill model: it holds no SB3 policy")
    layout = data.get("skill_layout")
    agent = data.get("hrl_agent")
    if agent is not None and not isinstance(layout, SkillLayout):
        article = "an" if str(agent)[:1] in "AEIOU" else "a"
        raise ValueError(
            f"{where} is {article} {agent} checkpoint, not a skill model: load_skills takes a policy over observation + "
            f"skill (a DIAYN, DADS or METRA checkpoint, or an SB3 model trained on a SkillWrapper); load this one with "
            f"{agent}.load(path)"
        )
    if not isinstance(layout, SkillLayout):
        layout = _layout_from_space(data["observation_space"], n_skills, skill_dim, distribution, where)
    elif layout.observation_space != data["observation_space"]:
        raise ValueError(f"{where}: its skill layout does not match its policy's observation space")
    policy_class = data["policy_class"]
    policy = policy_class(data["observation_space"], data["action_space"], _no_schedule, **(data.get("policy_kwargs") or {}))
    # a file written by export_skill_set leaves out the parameter groups acting does not use (critics, targets)
    dropped = tuple(str(p) for p in data.get(DROPPED_KEY) or ())
    try:
        result = policy.load_state_dict(params["policy"], strict=not dropped)
    except RuntimeError as exc:
        raise ValueError(
            f"{where}: its policy's parameters do not fit its observation and action spaces ({str(exc).splitlines()[0]})"
        ) from None
    missing = [k for k in result.missing_keys if not k.startswith(dropped)]
    if missing or result.unexpected_keys:
        raise ValueError(
            f"{where}: its saved parameters do not match its policy (missing {missing}, unexpected "
            f"{list(result.unexpected_keys)})"
        )
    return SkillLibrary(policy, layout, skills, deterministic, source=str(file))


def load_skills(
    path: str | pathlib.Path | BaseAlgorithm,
    env: gym.Env | None = None,
    skills: Sequence[int] | None = None,
    deterministic: bool = True,
    n_skills: int | None = None,
    skill_dim: int | None = None,
    distribution: str = "uniform",
    skill_obs: Sequence[int] | None = None,
) -> SkillLibrary:
    """Load the skills of a saved skill-discovery agent (DIAYN, ...) or SB3 model as a frozen :class:`SkillLibrary`.

    :param path: the name of a skill set shipped with the package (``"point-diayn-8"``; see
        :mod:`hrl_wrappers.skill_zoo`, ``hrl skills list``), an SB3 ``.zip`` checkpoint, or a model in memory. A
        string that names a registered set loads the set (a file of the same name loads as a ``pathlib.Path`` or with
        a folder, ``./name``); a name that is neither a set nor a file is a ``ValueError`` listing the sets. Agents
        built on ``SkillAgent`` carry their skill layout; for a plain SB3 model trained on a
        :class:`~hrl_wrappers.SkillWrapper` pass ``n_skills`` or ``skill_dim`` (and ``distribution``) as the wrapper
        had them.
    :param env: when given, the skills are checked against it and a ``ValueError`` says what does not fit.
    :param skills: the categorical skills to keep, by index (all when ``None``).
    :param deterministic: act with the policy's mode (True) or sample from it.
    :param n_skills: categorical skills of a plain SB3 checkpoint.
    :param skill_dim: continuous skills of a plain SB3 checkpoint.
    :param distribution: continuous prior of a plain SB3 checkpoint.
    :param skill_obs: for the check against ``env``: the entries of its observation that the skills will read.
    :return: the frozen skills, on the CPU.

    Example:
        >>> import pathlib, tempfile
        >>> import gymnasium as gym
        >>> from stable_baselines3 import PPO
        >>> from stable_baselines3.common.env_util import make_vec_env
        >>> from hrl_wrappers import SkillWrapper
        >>> env = make_vec_env("hrl_wrappers/PointWorld-v0", wrapper_class=SkillWrapper, wrapper_kwargs={"n_skills": 4})
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "skills.zip"
        >>> PPO("MlpPolicy", env, policy_kwargs={"net_arch": [8]}, seed=0).save(path)
        >>> skills = load_skills(path, env=gym.make("hrl_wrappers/PointWorld-v0"), n_skills=4, skills=[0, 2])
        >>> skills.skill_space, skills.indices
        (Discrete(2), [0, 2])
        >>> load_skills("point-diayn-8").skill_space     # a shipped skill set, by name
        Discrete(8)
    """
    if isinstance(path, BaseAlgorithm):
        library = SkillLibrary.from_model(path, skills, deterministic, n_skills, skill_dim, distribution)
    elif isinstance(path, str) and path in skill_zoo.SKILL_SETS:
        with skill_zoo.skill_set_file(path) as file:
            library = _load_file(file, f"skill set {path!r}", skills, deterministic, n_skills, skill_dim, distribution)
    else:
        if skill_zoo.is_skill_set_name(path) and not _file_exists(pathlib.Path(path)):
            raise ValueError(skill_zoo.unknown_name_message(str(path)))
        file = checkpoint_file(path, "skill model")  # path or path.zip, complete; errors name the path given
        library = _load_file(file, f"path={str(path)!r}", skills, deterministic, n_skills, skill_dim, distribution)
    if env is not None:
        library.check_env(env, skill_obs)
    return library
