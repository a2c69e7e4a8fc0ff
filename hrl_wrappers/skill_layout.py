"""Where the skill sits inside a skill-conditioned observation, and how to take it apart again.

:class:`SkillLayout` is the contract between :class:`~hrl_wrappers.skill_wrapper.SkillWrapper` (which builds
observations) and the reward models, buffers and evaluators (which read the skill and the state features back out
of batches). It works on single observations and on batches, on numpy arrays and on torch tensors (torch is imported
only when a tensor is passed in).

Two layouts:

* ``"flat"``: ``Box`` = ``[flattened observation, skill encoding]`` (Discrete observations become one-hot).
* ``"dict"``: ``Dict({"observation": ..., "skill": Box})``, or, for a Dict environment, its keys plus ``"skill"``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gymnasium import spaces

from hrl_wrappers.priors import SkillPrior

__all__ = ["SKILL_KEY", "SkillLayout", "check_flat_space", "integer_list"]

#: Key of the skill in Dict observations.
SKILL_KEY = "skill"
#: Key of the environment observation in Dict observations built from a non-Dict environment.
OBSERVATION_KEY = "observation"


def check_flat_space(space: spaces.Space, argument: str = "observation_space") -> None:
    """Raise a ``ValueError`` naming ``argument`` unless ``space`` is Box, Discrete or a single-level Dict of those."""
    if isinstance(space, spaces.Box | spaces.Discrete):
        return
    if isinstance(space, spaces.Dict):
        for key, sub in space.spaces.items():
            if isinstance(sub, spaces.Dict | spaces.Tuple):
                raise ValueError(
                    f"{argument} has a nested {type(sub).__name__} under key {key!r}: only single-level Dict observations "
                    "are supported (Stable-Baselines3 rejects nested ones); flatten it first, e.g. with "
                    "gymnasium.wrappers.FlattenObservation"
                )
            if not isinstance(sub, spaces.Box | spaces.Discrete):
                raise ValueError(f"{argument}[{key!r}] must be a Box or Discrete space, got {sub}")
        return
    raise ValueError(f"{argument} must be a Box, Discrete or single-level Dict space, got {space}")


def _is_numpy(x: Any) -> bool:
    return isinstance(x, np.ndarray | np.generic | float | int | list)


def _concat(parts: Sequence[Any]) -> Any:
    if all(_is_numpy(p) for p in parts):
        return np.concatenate([np.asarray(p, dtype=np.float32) for p in parts], axis=-1)
    import torch

    return torch.cat([p.float() for p in parts], dim=-1)


def _one_hot(x: Any, n: int) -> Any:
    if _is_numpy(x):
        idx = np.asarray(x, dtype=np.int64)
        # () is one observation, (batch,) a batch (of any size, 1 included), (batch, 1) a batch as SB3 buffers store it
        if idx.ndim > 1 and idx.shape[-1] == 1:
            idx = idx[..., 0]
        return np.eye(n, dtype=np.float32)[idx]
    import torch

    idx = x.long()
    if idx.ndim > 1 and idx.shape[-1] == 1:
        idx = idx[..., 0]
    return torch.nn.functional.one_hot(idx, n).float()


def _flat_part(x: Any, space: spaces.Space) -> Any:
    """Flatten one observation part (batched or not) to floats; Discrete becomes one-hot."""
    if isinstance(space, spaces.Discrete):
        return _one_hot(x, int(space.n))
    shape = space.shape
    assert shape is not None
    n_batch_dims = np.ndim(x) - len(shape) if _is_numpy(x) else x.ndim - len(shape)
    lead = tuple(np.shape(x)[:n_batch_dims]) if _is_numpy(x) else tuple(x.shape[:n_batch_dims])
    if _is_numpy(x):
        return np.asarray(x, dtype=np.float32).reshape((*lead, -1))
    return x.float().reshape((*lead, -1))


def _flat_dim(space: spaces.Space) -> int:
    if isinstance(space, spaces.Discrete):
        return int(space.n)
    assert space.shape is not None
    return int(np.prod(space.shape))


@dataclass(eq=False)
class SkillLayout:
    """How a skill-conditioned observation is assembled from an environment observation and a skill.

    :param base_space: the environment's observation space (Box, Discrete or single-level Dict).
    :param prior: the skill prior (decides the encoding of z).
    :param mode: ``"flat"`` (one Box) or ``"dict"`` (a Dict with a ``"skill"`` key).

    Example:
        >>> import numpy as np
        >>> from gymnasium import spaces
        >>> from hrl_wrappers.priors import CategoricalPrior
        >>> layout = SkillLayout(spaces.Box(-1, 1, (3,)), CategoricalPrior(4))
        >>> obs = layout.join(np.array([0.1, 0.2, 0.3]), 2)
        >>> obs.shape
        (7,)
        >>> int(layout.skill(obs)), layout.state(obs).tolist() == np.float32([0.1, 0.2, 0.3]).tolist()
        (2, True)
    """

    base_space: spaces.Space
    prior: SkillPrior
    mode: str = "flat"
    observation_space: spaces.Space = field(init=False)
    state_dim: int = field(init=False)

    def __post_init__(self) -> None:
        check_flat_space(self.base_space, "observation_space")
        if self.mode not in ("flat", "dict"):
            raise ValueError(f"obs_mode must be 'flat' or 'dict', got {self.mode!r}")
        if isinstance(self.base_space, spaces.Dict):
            if self.mode == "flat":
                raise ValueError(
                    "obs_mode='flat' is not available for a Dict observation space: use obs_mode='dict' "
                    "(the skill is added as one more key)"
                )
            if SKILL_KEY in self.base_space.spaces:
                raise ValueError(f"the environment's Dict observation already has a {SKILL_KEY!r} key")
        self.state_dim = self._state_dim()
        self.observation_space = self._build_space()

    # ----------------------------------------------------------------------------------------------------- spaces
    def _state_parts(self) -> list[tuple[str | None, spaces.Space]]:
        if isinstance(self.base_space, spaces.Dict):
            return [(k, s) for k, s in self.base_space.spaces.items()]
        return [(OBSERVATION_KEY if self.mode == "dict" else None, self.base_space)]

    def _state_dim(self) -> int:
        return sum(_flat_dim(s) for _, s in self._state_parts())

    def _build_space(self) -> spaces.Space:
        skill_space = self.prior.encoding_space
        if self.mode == "dict":
            parts: dict[str, spaces.Space] = {}
            if isinstance(self.base_space, spaces.Dict):
                parts.update(self.base_space.spaces)
            else:
                parts[OBSERVATION_KEY] = self.base_space
            parts[SKILL_KEY] = skill_space
            return spaces.Dict(parts)
        if isinstance(self.base_space, spaces.Discrete):
            low = np.zeros(self.state_dim, np.float32)
            high = np.ones(self.state_dim, np.float32)
        else:
            assert isinstance(self.base_space, spaces.Box)
            low = np.asarray(self.base_space.low, np.float32).reshape(-1)
            high = np.asarray(self.base_space.high, np.float32).reshape(-1)
        return spaces.Box(
            np.concatenate([low, skill_space.low]).astype(np.float32),
            np.concatenate([high, skill_space.high]).astype(np.float32),
            dtype=np.float32,
        )

    @property
    def is_categorical(self) -> bool:
        """Whether skills are discrete indices."""
        return self.prior.is_categorical

    # ----------------------------------------------------------------------------------------------------- build
    def join(self, obs: Any, skill: Any, encoded: bool = False) -> Any:
        """Build the skill-conditioned observation from an environment observation and a skill.

        Works for one observation or a batch (leading axis on both).

        :param obs: the environment observation(s).
        :param skill: skill(s) as the prior defines them, or their encodings when ``encoded=True``.
        :param encoded: whether ``skill`` is already encoded.
        :return: numpy observation(s) in :attr:`observation_space`.
        """
        # a fresh array: observations returned to users must not share memory with each other (or with the wrapper)
        z = np.array(skill if encoded else self.prior.encode(skill), dtype=np.float32)
        if self.mode == "dict":
            out: dict[str, Any] = dict(obs) if isinstance(self.base_space, spaces.Dict) else {OBSERVATION_KEY: obs}
            out[SKILL_KEY] = z
            return out
        state = _flat_part(obs, self.base_space)
        if np.ndim(z) < np.ndim(state):
            z = np.broadcast_to(z, (*np.shape(state)[:-1], z.shape[-1]))
        return np.concatenate([state, z], axis=-1).astype(np.float32)

    # ----------------------------------------------------------------------------------------------------- read
    def skill_encoding(self, obs: Any) -> Any:
        """The skill encoding(s) inside observation(s) (numpy or torch, batched or not)."""
        if self.mode == "dict":
            return obs[SKILL_KEY]
        return obs[..., self.state_dim :]

    def skill(self, obs: Any) -> Any:
        """The skill(s) inside observation(s): indices for categorical priors, vectors otherwise."""
        enc = self.skill_encoding(obs)
        if self.prior.is_categorical:
            return enc.argmax(-1)
        return enc

    def state(self, obs: Any) -> Any:
        """The environment part of observation(s), flattened to floats (Discrete parts one-hot)."""
        if self.mode == "flat":
            return obs[..., : self.state_dim]
        parts = [_flat_part(obs[key], space) for key, space in self._state_parts()]
        return parts[0] if len(parts) == 1 else _concat(parts)

    def features(self, obs: Any, indices: Sequence[int] | None) -> Any:
        """Chosen features of the environment state: ``state(obs)[..., indices]`` (all of it when ``None``)."""
        state = self.state(obs)
        if indices is None:
            return state
        return state[..., list(indices)]

    def check_feature_indices(
        self, indices: Sequence[int] | None, argument: str = "features", allow_empty: bool = False
    ) -> list[int] | None:
        """Validate feature indices against the flattened state; raise ``ValueError`` naming ``argument``.

        An empty sequence is refused unless ``allow_empty`` (a model that reads no state, e.g. DADS's q(delta | z)).
        """
        if indices is None:
            return None
        idx = integer_list(indices, argument, "integer indices")
        if not idx and not allow_empty:
            raise ValueError(f"{argument} must name at least one feature index, got an empty sequence")
        bad = [i for i in idx if not 0 <= i < self.state_dim]
        if bad:
            raise ValueError(
                f"{argument} has indices {bad} outside the observation: valid indices are 0..{self.state_dim - 1} "
                f"(the flattened environment observation has {self.state_dim} entries)"
            )
        return idx

    def feature_dim(self, indices: Sequence[int] | None) -> int:
        """Number of features selected by ``indices``."""
        return self.state_dim if indices is None else len(indices)


def integer_list(values: Any, argument: str, what: str = "integers", minimum: int | None = None) -> list[int]:
    """``values`` as a list of ints; a ``ValueError`` naming ``argument`` for a non-integer (``1.7``, ``True``,
    ``"2"``) or, when ``minimum`` is given, for a value below it.

    :param values: a sequence of integers (numpy integers and integral floats such as ``2.0`` are accepted).
    :param argument: the argument's name, for the message.
    :param what: what the values are, for the message (``"feature indices"``, ``"layer sizes"``).
    :param minimum: the smallest value allowed, if any.
    :return: the values as Python ints.
    """
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        raise ValueError(f"{argument} must be a sequence of {what}, got {values!r}")
    out: list[int] = []
    for value in values:
        integral = isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and float(value).is_integer())
        if isinstance(value, bool | np.bool_) or not integral:
            raise ValueError(
                f"{argument} must be a sequence of {what}, got {values!r} (the entry {value!r} is not an integer)"
            )
        out.append(int(value))
    if minimum is not None and any(v < minimum for v in out):
        raise ValueError(f"{argument} must hold {what} >= {minimum}, got {list(values)!r}")
    return out
