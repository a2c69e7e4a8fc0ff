"""The skill zoo: pretrained skill sets shipped inside the package, loaded by name with no training.

Each set is one small file under ``hrl_wrappers/skill_zoo/data/`` (package data): the policy of a trained
skill-discovery agent and nothing else (:func:`export_skill_set` strips critics, optimizers and the discriminator),
and a :class:`SkillSet` record in the registry saying what it is: the environment, the method, the number of
skills, the training steps and seed, and the command that made the file.

* :func:`skill_sets` / :func:`list_skill_sets`: the registered sets (records, or plain data with file sizes).
* ``hrl_wrappers.load_skills(name)``: a registered set's :class:`~hrl_wrappers.SkillLibrary` (frozen, CPU).
* :func:`make_env`: the environment a set's skills act in (its keyword arguments and action scale).
* :func:`export_skill_set`: write a checkpoint's policy, stripped, as a shipped file.

Example:
    >>> from hrl_wrappers import MacroActionWrapper, load_skills
    >>> skills = load_skills("point-diayn-8")
    >>> env = MacroActionWrapper(make_env("point-diayn-8"), skills, hold_steps=10)
    >>> env.action_space
    Discrete(8)
"""

from hrl_wrappers.skill_zoo.export import export_skill_set, read_metadata
from hrl_wrappers.skill_zoo.registry import (
    SKILL_SETS,
    SkillSet,
    is_skill_set_name,
    list_skill_sets,
    make_env,
    skill_set,
    skill_set_file,
    skill_sets,
    unknown_name_message,
)

__all__ = [
    "SKILL_SETS",
    "SkillSet",
    "export_skill_set",
    "is_skill_set_name",
    "list_skill_sets",
    "make_env",
    "read_metadata",
    "skill_set",
    "skill_set_file",
    "skill_sets",
    "unknown_name_message",
]
