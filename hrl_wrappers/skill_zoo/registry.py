"""The registered skill sets: one :class:`SkillSet` record per file shipped in ``hrl_wrappers/skill_zoo/data/``.

A record says what the file holds (method, number of skills, training steps and seed), the environment its skills
act in (a Gymnasium id, the ``gym.make`` keyword arguments and an optional :class:`~hrl_wrappers.ScaleAction`
factor), the command that produced the file and the features that measure where a skill goes.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.resources
import pathlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

import hrl_wrappers.envs  # noqa: F401  (registers the built-in environments the sets run on)
from hrl_wrappers.envs import POINT_WORLD_ID
from hrl_wrappers.locomotion import locomotion_kwargs
from hrl_wrappers.scale_action import ScaleAction
from hrl_wrappers.skills import circle_skills

__all__ = [
    "SKILL_SETS",
    "SkillSet",
    "is_skill_set_name",
    "list_skill_sets",
    "make_env",
    "skill_set",
    "skill_set_file",
    "skill_sets",
    "unknown_name_message",
]

#: the package whose ``data`` folder holds the shipped files.
DATA_PACKAGE = "hrl_wrappers.skill_zoo"
#: training steps of the HalfCheetah and Ant sets.
HALFCHEETAH_STEPS = 300_000
ANT_STEPS = 1_150_000
#: what a skill-set name looks like (a file name without a folder or a ``.zip`` suffix).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class SkillSet:
    """One pretrained skill set shipped with the package.

    :param name: the name ``load_skills(name)`` takes.
    :param description: one line on what the skills do.
    :param file: the file name under ``hrl_wrappers/skill_zoo/data/`` (a policy-only checkpoint).
    :param env_id: the Gymnasium id of the environment the skills act in.
    :param method: how the skills were learned (e.g. ``"DIAYN (SAC)"``).
    :param n_skills: number of categorical skills (None for continuous skills: see ``skill_dim``).
    :param steps: environment steps of training.
    :param seed: the training seed.
    :param command: the command (from the repository root) that produced the file.
    :param features: the observation entries that locate the agent (displacement is measured on them), or
        ``"locomotion"`` for the torso position of Gymnasium's MuJoCo locomotion envs.
    :param features_name: what the features are, in words.
    :param env_kwargs: keyword arguments of ``gym.make``.
    :param action_scale: the env receives ``action_scale`` times each action (1: no :class:`ScaleAction`).
    :param skill_dim: dimension of continuous skills (None for categorical ones).
    :param shown_skills: continuous skills: the skill vectors that ``hrl skills show`` rolls out and the docs tabulate.
    :param stages: training ran as consecutive runs: ``(start, resample_every)`` for each run after the first, in
        order: at ``start`` steps the agent so far was saved and resumed with an empty replay buffer, the skill redrawn
        every ``resample_every`` steps within an episode from then on (None: once per episode). Empty: one run, the
        skill drawn once per episode.
    """

    name: str
    description: str
    file: str
    env_id: str
    method: str
    n_skills: int | None
    steps: int
    seed: int
    command: str
    features: tuple[int, ...] | str
    features_name: str
    env_kwargs: Mapping[str, Any] = field(default_factory=dict)
    action_scale: float = 1.0
    skill_dim: int | None = None
    shown_skills: tuple[tuple[float, ...], ...] = ()
    stages: tuple[tuple[int, int | None], ...] = ()

    @contextlib.contextmanager
    def path(self) -> Iterator[pathlib.Path]:
        """The shipped file as a path on disk, for the duration of the ``with`` block."""
        with importlib.resources.as_file(importlib.resources.files(DATA_PACKAGE).joinpath("data", self.file)) as file:
            yield pathlib.Path(file)

    @property
    def is_mujoco(self) -> bool:
        """Whether the environment is a MuJoCo one (its skills can be recorded as videos)."""
        return self.features == "locomotion" or "mujoco" in str(gym.spec(self.env_id).entry_point).lower()

    def make_env(self, render_mode: str | None = None) -> gym.Env:
        """The environment the skills act in: ``gym.make`` with the set's keyword arguments and action scale.

        :param render_mode: Gymnasium's render mode (``"rgb_array"`` for videos).
        """
        kwargs = dict(self.env_kwargs)
        if render_mode is not None:
            kwargs["render_mode"] = render_mode
        env = gym.make(self.env_id, **kwargs)
        return env if self.action_scale == 1.0 else ScaleAction(env, self.action_scale)

    def displacement_features(self) -> Any:
        """What :func:`~hrl_wrappers.evaluate_skills` measures: observation indices or a features callable."""
        if self.features == "locomotion":
            from hrl_wrappers.evaluation import locomotion_position_features

            return locomotion_position_features(self.env_id)
        return list(self.features)

    def shown_skill_vectors(self) -> list[np.ndarray] | None:
        """The continuous skills ``hrl skills show`` rolls out, as float32 arrays; None for categorical sets (every
        skill is shown)."""
        if self.n_skills is not None:
            return None
        return [np.asarray(z, dtype=np.float32) for z in self.shown_skills]

    def file_size(self) -> int | None:
        """Size of the shipped file in bytes (None when it is missing, e.g. not made yet)."""
        with self.path() as file:
            return file.stat().st_size if file.is_file() else None

    def to_dict(self) -> dict[str, Any]:
        """The record as plain data, with the file's size in bytes (``size``)."""
        return {
            "name": self.name,
            "description": self.description,
            "file": self.file,
            "env_id": self.env_id,
            "env_kwargs": dict(self.env_kwargs),
            "action_scale": self.action_scale,
            "method": self.method,
            "n_skills": self.n_skills,
            "skill_dim": self.skill_dim,
            "steps": self.steps,
            "seed": self.seed,
            "command": self.command,
            "features": self.features if isinstance(self.features, str) else list(self.features),
            "features_name": self.features_name,
            "stages": [list(stage) for stage in self.stages],
            "size": self.file_size(),
        }


def _command(name: str) -> str:
    return f"python -m benchmarks.zoo.make_skill_set {name}"


def _directions(n: int) -> tuple[tuple[float, ...], ...]:
    """``n`` unit vectors at equal angles from +x, counter-clockwise (the skills shown of a 2-D sphere prior)."""
    return tuple(tuple(round(float(v), 6) + 0.0 for v in row) for row in circle_skills(n))  # + 0.0: no -0.0 shown


#: what the HalfCheetah sets share: HalfCheetah-v5 with x in the observation, 200-step episodes, seed 0.
_HALFCHEETAH: dict[str, Any] = {
    "env_id": "HalfCheetah-v5",
    "env_kwargs": {**locomotion_kwargs("HalfCheetah-v5"), "max_episode_steps": 200},
    "steps": HALFCHEETAH_STEPS,
    "seed": 0,
    "features": "locomotion",
    "features_name": "torso x (m)",
}

SKILL_SETS: dict[str, SkillSet] = {
    s.name: s
    for s in (
        SkillSet(
            name="point-diayn-8",
            description="8 DIAYN skills, each driving the point from the centre to its own stretch of the border",
            file="point-diayn-8.zip",
            env_id=POINT_WORLD_ID,
            method="DIAYN (SAC)",
            n_skills=8,
            steps=20_000,
            seed=0,
            command=_command("point-diayn-8"),
            features=(0, 1),
            features_name="position x, y (the observation)",
        ),
        SkillSet(
            name="halfcheetah-diayn-x",
            description="6 DIAYN skills with the x prior: the cheetah runs forwards or backwards at its own pace",
            file="halfcheetah-diayn-x.zip",
            method="DIAYN (SAC), x prior",
            n_skills=6,
            command=_command("halfcheetah-diayn-x"),
            **_HALFCHEETAH,
        ),
        SkillSet(
            name="halfcheetah-metra-x",
            description="4 METRA skills with phi on x: two run forwards, two run backwards",
            file="halfcheetah-metra-x.zip",
            method="METRA (SAC), x prior",
            n_skills=4,
            command=_command("halfcheetah-metra-x"),
            **_HALFCHEETAH,
        ),
        SkillSet(
            name="ant-metra-xy",
            description="2-D METRA skills on the x-y position: each unit skill walks the gear-30 ant its own way, 7-15 m",
            file="ant-metra-xy.zip",
            env_id="Ant-v5",
            env_kwargs={
                **locomotion_kwargs("Ant-v5", terminate_when_unhealthy=False, contact_forces=False),
                "max_episode_steps": 200,
            },
            action_scale=0.2,
            method="METRA (SAC), x-y prior",
            n_skills=None,
            skill_dim=2,
            steps=ANT_STEPS,
            seed=0,
            command=_command("ant-metra-xy"),
            features="locomotion",
            features_name="torso x, y (m)",
            shown_skills=_directions(8),
            stages=((400_000, None), (800_000, 50), (1_000_000, None)),
        ),
    )
}


def skill_sets() -> dict[str, SkillSet]:
    """The registered skill sets by name (a copy of :data:`SKILL_SETS`)."""
    return dict(SKILL_SETS)


def list_skill_sets() -> list[dict[str, Any]]:
    """Every registered skill set as plain data (see :meth:`SkillSet.to_dict`), in registration order.

    Example:
        >>> [s["name"] for s in list_skill_sets()]
        ['point-diayn-8', 'halfcheetah-diayn-x', 'halfcheetah-metra-x', 'ant-metra-xy']
    """
    return [s.to_dict() for s in SKILL_SETS.values()]


def is_skill_set_name(text: Any) -> bool:
    """Whether ``text`` is a string that looks like a skill-set name (no folder, no ``.zip`` suffix)."""
    return isinstance(text, str) and _NAME.fullmatch(text) is not None and not text.lower().endswith(".zip")


def _unknown(name: str, what: str) -> str:
    close = difflib.get_close_matches(name, list(SKILL_SETS), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{name!r} {what}{hint}; the registered skill sets are {', '.join(SKILL_SETS)} (`hrl skills list`)"


def skill_set(name: str) -> SkillSet:
    """The registered skill set ``name``; a ``ValueError`` listing the registered names otherwise."""
    if not isinstance(name, str) or name not in SKILL_SETS:
        raise ValueError(_unknown(str(name), "is not a registered skill set"))
    return SKILL_SETS[name]


def unknown_name_message(name: str) -> str:
    """The message of ``load_skills(name)`` for a name that is neither a registered skill set nor a file."""
    return _unknown(name, "is neither a registered skill set nor a file") + "; or give the path of a saved skill model (.zip)"


@contextlib.contextmanager
def skill_set_file(name: str) -> Iterator[pathlib.Path]:
    """The shipped file of skill set ``name`` as a path, for the duration of the ``with`` block.

    :raises ValueError: for a name that is not registered.
    :raises FileNotFoundError: when the file is not in the package data (it has not been made).
    """
    entry = skill_set(name)
    with entry.path() as file:
        if not file.is_file():
            raise FileNotFoundError(
                f"skill set {name!r}: its file {entry.file} is not in the package data; make it with `{entry.command}`"
            )
        yield file


def make_env(name: str, render_mode: str | None = None) -> gym.Env:
    """The environment skill set ``name`` acts in (see :meth:`SkillSet.make_env`).

    Example:
        >>> make_env("point-diayn-8").spec.id
        'hrl_wrappers/PointWorld-v0'
    """
    return skill_set(name).make_env(render_mode)
