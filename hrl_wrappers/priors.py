"""Skill priors p(z): how a skill is drawn, encoded into the observation and scored.

Four priors cover the skill-discovery literature:

* :class:`CategoricalPrior`: ``n_skills`` discrete skills, one-hot in the observation (DIAYN, DADS-discrete).
* :class:`UniformPrior`: continuous skills in a box, ``U(low, high)^skill_dim`` (DADS).
* :class:`GaussianPrior`: continuous skills ``N(0, I)`` (METRA-style DIAYN, LSD).
* :class:`SphericalPrior`: continuous skills uniform on the unit sphere, ``z = n / ||n||`` with ``n ~ N(0, I)``
  (METRA's ``unit_length`` skills).

A prior is plain data (numbers only), so wrappers that hold one can be rebuilt from ``env.spec``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from gymnasium import spaces

__all__ = ["CategoricalPrior", "GaussianPrior", "SkillPrior", "SphericalPrior", "UniformPrior", "make_prior"]

Skill = int | np.ndarray


class SkillPrior(ABC):
    """A distribution over skills with an encoding into a flat float vector.

    :param encoding_dim: length of the vector that represents a skill inside observations.
    """

    #: ``True`` for priors over a finite set of skills.
    is_categorical: bool = False

    def __init__(self, encoding_dim: int) -> None:
        self.encoding_dim = int(encoding_dim)

    @property
    @abstractmethod
    def encoding_space(self) -> spaces.Box:
        """The Box that encoded skills live in (part of the wrapped observation space)."""

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        """Draw one skill (``size=None``) or a batch of ``size`` skills."""

    @abstractmethod
    def validate(self, skill: Any, argument: str = "skill") -> Skill:
        """Return ``skill`` in canonical form, or raise ``ValueError`` naming ``argument``."""

    @abstractmethod
    def encode(self, skill: Any) -> np.ndarray:
        """Encode one skill (or a batch, leading axis) as float32 vectors of length ``encoding_dim``."""

    @abstractmethod
    def decode(self, encoding: np.ndarray) -> Any:
        """Inverse of :meth:`encode` (batched along the leading axes)."""

    @abstractmethod
    def log_prob(self, skill: Any) -> np.ndarray:
        """log p(z) for a skill or a batch of skills."""

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """Plain-data constructor arguments for :func:`make_prior`."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SkillPrior) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash(repr(self))


class CategoricalPrior(SkillPrior):
    """``n_skills`` discrete skills, one-hot encoded.

    :param n_skills: number of skills (at least 2).
    :param probs: skill probabilities; uniform when ``None``.

    Example:
        >>> import numpy as np
        >>> prior = CategoricalPrior(4)
        >>> prior.encode(2)
        array([0., 0., 1., 0.], dtype=float32)
        >>> round(float(prior.log_prob(2)), 4) == round(float(np.log(0.25)), 4)
        True
    """

    is_categorical = True

    def __init__(self, n_skills: int, probs: list[float] | tuple[float, ...] | None = None) -> None:
        if isinstance(n_skills, bool) or not isinstance(n_skills, int | np.integer) or n_skills < 2:
            raise ValueError(f"n_skills must be an integer >= 2, got {n_skills!r}")
        super().__init__(int(n_skills))
        self.n_skills = int(n_skills)
        if probs is None:
            self.probs = np.full(self.n_skills, 1.0 / self.n_skills)
            self._probs_arg: list[float] | None = None
        else:
            p = np.asarray(probs, dtype=np.float64)
            if p.shape != (self.n_skills,) or not np.all(np.isfinite(p)) or np.any(p <= 0) or abs(p.sum() - 1) > 1e-6:
                raise ValueError(f"probs must be {self.n_skills} positive numbers summing to 1, got {probs!r}")
            self.probs = p
            self._probs_arg = [float(x) for x in p]
        self._log_probs = np.log(self.probs)

    @property
    def encoding_space(self) -> spaces.Box:
        return spaces.Box(0.0, 1.0, (self.n_skills,), np.float32)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        draw = rng.choice(self.n_skills, size=size, p=self.probs)
        return int(draw) if size is None else draw.astype(np.int64)

    def validate(self, skill: Any, argument: str = "skill") -> int:
        if isinstance(skill, np.ndarray) and skill.shape == ():
            skill = skill.item()
        if isinstance(skill, bool) or not isinstance(skill, int | np.integer):
            raise ValueError(
                f"{argument} must be an int in [0, {self.n_skills}) for a categorical prior with n_skills={self.n_skills}, "
                f"got {skill!r} of type {type(skill).__name__}"
            )
        if not 0 <= int(skill) < self.n_skills:
            raise ValueError(f"{argument} must be in [0, {self.n_skills}) (n_skills={self.n_skills}), got {int(skill)}")
        return int(skill)

    def encode(self, skill: Any) -> np.ndarray:
        idx = np.asarray(skill, dtype=np.int64)
        return np.eye(self.n_skills, dtype=np.float32)[idx]

    def decode(self, encoding: np.ndarray) -> Any:
        out = np.asarray(encoding).argmax(axis=-1)
        return int(out) if np.ndim(out) == 0 else out.astype(np.int64)

    def log_prob(self, skill: Any) -> np.ndarray:
        return self._log_probs[np.asarray(skill, dtype=np.int64)]

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"n_skills": self.n_skills}
        if self._probs_arg is not None:
            cfg["probs"] = self._probs_arg
        return cfg


class _ContinuousPrior(SkillPrior):
    """Shared validation for continuous priors over ``R^skill_dim``."""

    distribution: str = ""

    def __init__(self, skill_dim: int) -> None:
        if isinstance(skill_dim, bool) or not isinstance(skill_dim, int | np.integer) or skill_dim < 1:
            raise ValueError(f"skill_dim must be an integer >= 1, got {skill_dim!r}")
        super().__init__(int(skill_dim))
        self.skill_dim = int(skill_dim)

    def validate(self, skill: Any, argument: str = "skill") -> np.ndarray:
        if isinstance(skill, int | np.integer) and not isinstance(skill, bool):
            raise ValueError(
                f"{argument} must be a float vector of shape ({self.skill_dim},) for a continuous prior, "
                f"got the integer {skill!r} (integers are skills of a categorical prior)"
            )
        try:
            z = np.asarray(skill, dtype=np.float32)
        except (TypeError, ValueError):
            raise ValueError(f"{argument} must be a float vector of shape ({self.skill_dim},), got {skill!r}") from None
        if z.shape != (self.skill_dim,):
            raise ValueError(
                f"{argument} must have shape ({self.skill_dim},) (skill_dim={self.skill_dim}), got shape {z.shape}"
            )
        if not np.all(np.isfinite(z)):
            raise ValueError(f"{argument} must be finite, got {z}")
        space = self.encoding_space
        if np.any(z < space.low) or np.any(z > space.high):
            raise ValueError(f"{argument} must lie in [{space.low[0]}, {space.high[0]}]^{self.skill_dim}, got {z}")
        return z

    def encode(self, skill: Any) -> np.ndarray:
        return np.asarray(skill, dtype=np.float32)

    def decode(self, encoding: np.ndarray) -> Any:
        return np.asarray(encoding, dtype=np.float32)


class UniformPrior(_ContinuousPrior):
    """Continuous skills drawn uniformly from ``[low, high]^skill_dim`` (DADS uses ``[-1, 1]``).

    :param skill_dim: dimension of z.
    :param low: lower bound of each coordinate.
    :param high: upper bound of each coordinate.

    Example:
        >>> import numpy as np
        >>> prior = UniformPrior(2)
        >>> z = prior.sample(np.random.default_rng(0))
        >>> z.shape, bool(np.all(np.abs(z) <= 1))
        ((2,), True)
    """

    distribution = "uniform"

    def __init__(self, skill_dim: int, low: float = -1.0, high: float = 1.0) -> None:
        super().__init__(skill_dim)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"low and high must be finite with low < high, got low={low!r}, high={high!r}")
        self.low, self.high = float(low), float(high)

    @property
    def encoding_space(self) -> spaces.Box:
        return spaces.Box(self.low, self.high, (self.skill_dim,), np.float32)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        shape = (self.skill_dim,) if size is None else (size, self.skill_dim)
        return rng.uniform(self.low, self.high, size=shape).astype(np.float32)

    def log_prob(self, skill: Any) -> np.ndarray:
        z = np.asarray(skill, dtype=np.float64)
        inside = np.all((z >= self.low) & (z <= self.high), axis=-1)
        value = -self.skill_dim * math.log(self.high - self.low)
        return np.where(inside, value, -np.inf)

    def config(self) -> dict[str, Any]:
        return {"skill_dim": self.skill_dim, "distribution": "uniform", "low": self.low, "high": self.high}


class GaussianPrior(_ContinuousPrior):
    """Continuous skills drawn from a standard normal ``N(0, I_skill_dim)``.

    :param skill_dim: dimension of z.

    Example:
        >>> import numpy as np
        >>> round(float(GaussianPrior(1).log_prob(np.zeros(1))), 4)
        -0.9189
    """

    distribution = "gaussian"

    @property
    def encoding_space(self) -> spaces.Box:
        return spaces.Box(-np.inf, np.inf, (self.skill_dim,), np.float32)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        shape = (self.skill_dim,) if size is None else (size, self.skill_dim)
        return rng.standard_normal(size=shape).astype(np.float32)

    def log_prob(self, skill: Any) -> np.ndarray:
        z = np.asarray(skill, dtype=np.float64)
        return -0.5 * np.sum(z**2, axis=-1) - 0.5 * self.skill_dim * math.log(2 * math.pi)

    def config(self) -> dict[str, Any]:
        return {"skill_dim": self.skill_dim, "distribution": "gaussian"}


class SphericalPrior(_ContinuousPrior):
    """Continuous skills drawn uniformly from the unit sphere in ``R^skill_dim`` (METRA's unit-length skills).

    A skill is ``n / ||n||`` with ``n ~ N(0, I)``; a given skill must have norm 1 (within ``1e-3``). The density is
    uniform over the sphere: ``log p(z) = -log(2 pi^(d/2) / Gamma(d/2))``, minus the log of the sphere's area.

    :param skill_dim: dimension of z (at least 2: the unit "sphere" of R^1 is the two points -1 and 1).

    Example:
        >>> import numpy as np
        >>> z = SphericalPrior(2).sample(np.random.default_rng(0), size=3)
        >>> np.round(np.linalg.norm(z, axis=-1), 5).tolist()
        [1.0, 1.0, 1.0]
        >>> round(float(SphericalPrior(2).log_prob(np.array([1.0, 0.0]))), 4)  # -log(2 pi), the circle's length
        -1.8379
    """

    distribution = "sphere"
    #: largest accepted deviation of a given skill's norm from 1.
    norm_tolerance: float = 1e-3

    def __init__(self, skill_dim: int) -> None:
        super().__init__(skill_dim)
        if self.skill_dim < 2:
            raise ValueError(
                f"skill_dim must be >= 2 for distribution='sphere' (the unit sphere of R^1 is two points), got {skill_dim}"
            )
        d = self.skill_dim
        self._log_area = math.log(2.0) + 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d)

    @property
    def encoding_space(self) -> spaces.Box:
        return spaces.Box(-1.0, 1.0, (self.skill_dim,), np.float32)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        shape = (self.skill_dim,) if size is None else (size, self.skill_dim)
        n = rng.standard_normal(size=shape)
        norm = np.linalg.norm(n, axis=-1, keepdims=True)
        return (n / np.maximum(norm, 1e-12)).astype(np.float32)

    def validate(self, skill: Any, argument: str = "skill") -> np.ndarray:
        z = super().validate(skill, argument)
        norm = float(np.linalg.norm(z.astype(np.float64)))
        if abs(norm - 1.0) > self.norm_tolerance:
            raise ValueError(
                f"{argument} must be a unit vector (distribution='sphere'), got norm {norm:.4g}: divide it by its norm"
            )
        return z

    def log_prob(self, skill: Any) -> np.ndarray:
        z = np.asarray(skill, dtype=np.float64)
        on_sphere = np.abs(np.linalg.norm(z, axis=-1) - 1.0) <= self.norm_tolerance
        return np.where(on_sphere, -self._log_area, -np.inf)

    def config(self) -> dict[str, Any]:
        return {"skill_dim": self.skill_dim, "distribution": "sphere"}


def make_prior(
    n_skills: int | None = None,
    skill_dim: int | None = None,
    distribution: str = "uniform",
    probs: list[float] | tuple[float, ...] | None = None,
    low: float = -1.0,
    high: float = 1.0,
) -> SkillPrior:
    """Build a prior from plain arguments: exactly one of ``n_skills`` (categorical) or ``skill_dim`` (continuous).

    :param n_skills: number of discrete skills.
    :param skill_dim: dimension of continuous skills.
    :param distribution: ``"uniform"``, ``"gaussian"`` or ``"sphere"`` for continuous skills.
    :param probs: categorical probabilities (uniform when ``None``).
    :param low: lower bound of the uniform prior.
    :param high: upper bound of the uniform prior.
    :return: the prior.

    Example:
        >>> make_prior(n_skills=3)
        CategoricalPrior(n_skills=3)
        >>> make_prior(skill_dim=2, distribution="gaussian")
        GaussianPrior(skill_dim=2, distribution='gaussian')
    """
    if (n_skills is None) == (skill_dim is None):
        raise ValueError(
            "give exactly one of n_skills (categorical skills) or skill_dim (continuous skills), "
            f"got n_skills={n_skills!r}, skill_dim={skill_dim!r}"
        )
    if n_skills is not None:
        return CategoricalPrior(n_skills, probs)
    assert skill_dim is not None
    if distribution == "uniform":
        return UniformPrior(skill_dim, low, high)
    if distribution == "gaussian":
        return GaussianPrior(skill_dim)
    if distribution == "sphere":
        return SphericalPrior(skill_dim)
    raise ValueError(f"distribution must be 'uniform', 'gaussian' or 'sphere' for continuous skills, got {distribution!r}")
