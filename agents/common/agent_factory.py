"""One class per back end, and the short name that picks one.

Every SB3-based agent is an abstract base with the shared code (``DIAYNBase``) and one concrete class per SB3 back end
(``class DIAYNSAC(DIAYNBase, SAC)``, ``class DIAYNPPO(DIAYNBase, PPO)``): ordinary classes, without ``__new__``, that
users subclass as they subclass an SB3 algorithm. The short name (``DIAYN``) is an :class:`AgentFactory`:

* ``DIAYN(policy, env, ..., algo="PPO")`` is the ordinary call ``DIAYNPPO(policy, env, ...)``;
* ``DIAYN.load(path)`` reads the back end stored in the checkpoint and returns ``DIAYNSAC.load(path)`` or
  ``DIAYNPPO.load(path)``;
* ``isinstance(model, DIAYN)`` is ``isinstance(model, DIAYNBase)``.

Each agent module subclasses :class:`AgentFactory` only to overload ``__call__`` on ``algo``
(``Literal["SAC"] -> DIAYNSAC``), so that type checkers see the class each call returns.
"""

from __future__ import annotations

import pathlib
import zipfile
from typing import Any, Generic, TypeVar

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.save_util import json_to_data, open_path

from hrl_wrappers.checkpoint_file import checkpoint_file

__all__ = ["AgentFactory", "backend_name", "check_agent", "check_checkpoint", "read_checkpoint_data", "require_backend"]

BaseT = TypeVar("BaseT")


def read_checkpoint_data(path: str | pathlib.Path, custom_objects: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``data`` entry of an SB3 checkpoint, without loading its parameters (``load`` reads those once, later)."""
    checkpoint_file(path)  # names the path given when it is missing, truncated or corrupted
    try:
        with open_path(path, "r", verbose=0, suffix="zip") as file, zipfile.ZipFile(file) as archive:
            if "data" not in archive.namelist():
                return None
            return json_to_data(archive.read("data").decode(), custom_objects=custom_objects)
    except zipfile.BadZipFile:
        raise ValueError(f"path={str(path)!r} is not a checkpoint: it is not a zip file") from None


def backend_name(cls: type, mixin: type) -> str | None:
    """The SB3 algorithm ``cls`` runs on (``"SAC"``, ``"PPO"``, ...): the first class of its MRO that is an SB3
    algorithm without ``mixin``; None when there is none (an abstract base).

    Example:
        >>> from stable_baselines3 import SAC
        >>> class Mixin: ...
        >>> class Agent(Mixin, SAC): ...
        >>> class Mine(Agent): ...
        >>> backend_name(Mine, Mixin), backend_name(Mixin, Mixin)
        ('SAC', None)
    """
    return next((c.__name__ for c in cls.__mro__ if issubclass(c, BaseAlgorithm) and not issubclass(c, mixin)), None)


def require_backend(agent: object, agent_name: str, concrete: str) -> None:
    """Refuse to build ``agent`` when its class has no SB3 back end (a subclass of the abstract base alone).

    :param agent: the object being built.
    :param agent_name: the short name (``"DIAYN"``).
    :param concrete: the concrete classes, for the message (``"DIAYNSAC or DIAYNPPO"``).
    """
    if not isinstance(agent, BaseAlgorithm):
        raise TypeError(
            f"{type(agent).__name__} has no SB3 back end: subclass {concrete} (not the abstract base), "
            f"or build one with {agent_name}(..., algo=...)"
        )


def _article(name: str) -> str:
    """``"an"`` before an agent name read with a vowel sound (``"an LSD"``), else ``"a"``."""
    return "an" if name[:1] in "AEIOU" or name == "LSD" else "a"


def check_agent(data: dict[str, Any] | None, path: str | pathlib.Path, agent_name: str) -> dict[str, Any]:
    """``data`` when it is the data of a checkpoint of ``agent_name`` (else a ValueError saying what ``path`` is)."""
    if data is None or data.get("hrl_agent") != agent_name:
        if data is None:
            found = "an unknown file"
        elif data.get("hrl_agent"):
            agent = str(data["hrl_agent"])
            found = f"{_article(agent)} {agent} checkpoint: load it with {agent}.load(path)"
        else:
            policy = getattr(data.get("policy_class"), "__name__", data.get("policy_class"))
            found = f"a plain SB3 checkpoint (policy {policy}): load it with its SB3 algorithm's load"
        raise ValueError(f"path={str(path)!r} is not {_article(agent_name)} {agent_name} checkpoint: it is {found}")
    return data


def check_checkpoint(cls: type, data: dict[str, Any] | None, path: str | pathlib.Path, agent_name: str, mixin: type) -> None:
    """Refuse to load ``path`` with ``cls`` unless it is a checkpoint of this agent on ``cls``'s back end.

    :param cls: the class whose ``load`` was called.
    :param data: the checkpoint's data (:func:`read_checkpoint_data`).
    :param path: the checkpoint, for the messages.
    :param agent_name: the agent's name stored in its checkpoints (``"DIAYN"``).
    :param mixin: the agent's abstract base, to find ``cls``'s back end.
    """
    data = check_agent(data, path, agent_name)
    backend = backend_name(cls, mixin)
    if backend is None:
        raise TypeError(
            f"{cls.__name__} has no SB3 back end: load with {agent_name}.load(path) (it picks the back end stored in "
            "the checkpoint) or with the class of that back end"
        )
    stored = data.get("algo_name")
    if stored != backend:
        raise ValueError(
            f"path={str(path)!r} is a {agent_name} checkpoint on {stored}, and {cls.__name__} runs on {backend}: "
            f"load it with {agent_name}.load(path) or the {agent_name} class of {stored}"
        )


class AgentFactory(type, Generic[BaseT]):
    """The short name of an agent (``DIAYN``, ``DADS``, ``SkillController``); see the module docstring.

    A factory is built with :meth:`define`; it cannot be subclassed (subclass a concrete class instead).
    """

    agent_base: type[BaseT]
    algo_classes: dict[str, type[BaseT]]
    default_algo: str

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], /, **kwargs: Any) -> AgentFactory[Any]:
        for base in bases:
            if isinstance(base, AgentFactory):
                names = " or ".join(c.__name__ for c in base.algo_classes.values())
                raise TypeError(
                    f"{base.__name__} builds the class of the back end named by algo and is not a class to subclass: "
                    f"subclass {names}"
                )
        return super().__new__(mcs, name, bases, namespace, **kwargs)

    @classmethod
    def define(
        mcs,
        name: str,
        base: type[BaseT],
        algo_classes: dict[str, type[BaseT]],
        default_algo: str,
        module: str,
        doc: str,
    ) -> Any:
        """The short name ``name`` of the agent whose abstract base is ``base``.

        :param name: the short name (``"DIAYN"``).
        :param base: the abstract base, for ``isinstance``.
        :param algo_classes: back end name (upper case) -> concrete class.
        :param default_algo: the back end when ``algo`` is not given.
        :param module: the module that defines it (``__name__``).
        :param doc: its docstring.
        """
        namespace = {
            "__module__": module,
            "__doc__": doc,
            "__qualname__": name,
            "agent_base": base,
            "algo_classes": dict(algo_classes),
            "default_algo": default_algo,
        }
        return mcs(name, (), namespace)

    def algo_class(self, algo: str) -> type[BaseT]:
        """The concrete class of back end ``algo`` (``"SAC"``, ``"PPO"``, ...; case-insensitive)."""
        key = str(algo).upper()
        if key not in self.algo_classes:
            raise ValueError(f"algo must be one of {sorted(self.algo_classes)}, got {algo!r}")
        return self.algo_classes[key]

    def build(self, algo: str | None, *args: Any, **kwargs: Any) -> BaseT:
        """``algo_class(algo)(*args, **kwargs)``, the default back end when ``algo`` is None: an ordinary call of the
        concrete class, whose ``__init__`` runs. The factories' ``__call__`` (overloaded on ``algo``) calls it."""
        return self.algo_class(self.default_algo if algo is None else algo)(*args, **kwargs)

    def load(
        self,
        path: str | pathlib.Path,
        env: Any = None,
        device: str = "auto",
        custom_objects: dict[str, Any] | None = None,
        print_system_info: bool = False,
        force_reset: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Load a checkpoint with the concrete class of the back end it stores (``algo_name``).

        The arguments are those of the concrete class's ``load``. The class comes from the file, so type checkers see
        ``Any`` (``model = DIAYN(...)`` then ``model = DIAYN.load(path)`` type-checks); load with the concrete class
        (``DIAYNSAC.load(path)``, ``MyDIAYN.load(path)``) for a precise type.
        """
        agent_name = str(getattr(self.agent_base, "agent_name", self.__name__))
        data = check_agent(read_checkpoint_data(path, custom_objects), path, agent_name)
        stored = data.get("algo_name")
        cls: Any = self.algo_classes.get(str(stored))
        if cls is None:
            raise ValueError(
                f"path={str(path)!r} is a {agent_name} checkpoint on {stored}, which has no class here "
                f"(back ends: {sorted(self.algo_classes)}): load it with its own class"
            )
        return cls.load(
            path,
            env=env,
            device=device,
            custom_objects=custom_objects,
            print_system_info=print_system_info,
            force_reset=force_reset,
            **kwargs,
        )

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self.agent_base)

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self.agent_base)
