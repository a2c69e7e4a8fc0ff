"""Cheetah hurdles: Gymnasium's HalfCheetah on a track with box hurdles, +1 for each hurdle passed (the DIAYN paper's
hierarchy task, Eysenbach et al. 2019, Sec 4.2.2).

:func:`hurdles_xml_file` writes the model (Gymnasium's ``half_cheetah.xml`` with hurdle boxes added to its world body),
:class:`HurdlesWrapper` gives the sparse reward, and :func:`make_cheetah_hurdles` builds both and is registered as
``hrl_wrappers/CheetahHurdles-v0``.

The observation is HalfCheetah-v5's with the torso x exposed (18-D, x at index 0), exactly what
:func:`hrl_wrappers.locomotion.locomotion_kwargs` gives for ``"HalfCheetah-v5"``, so skills trained on that env run
unchanged here.
"""

from __future__ import annotations

import math
import pathlib
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

from hrl_wrappers.locomotion import locomotion_kwargs

__all__ = ["HurdlesWrapper", "hurdle_positions", "hurdles_xml_file", "make_cheetah_hurdles"]

#: Half-thickness (x) and half-width (y) of a hurdle box, in metres.
HURDLE_HALF_THICKNESS = 0.05
HURDLE_HALF_WIDTH = 1.0

_cache_dir: pathlib.Path | None = None


def _check_positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, float | int) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _check_n_hurdles(n_hurdles: int) -> int:
    if isinstance(n_hurdles, bool) or not isinstance(n_hurdles, int | np.integer) or n_hurdles < 1:
        raise ValueError(f"n_hurdles must be an integer >= 1, got {n_hurdles!r}")
    return int(n_hurdles)


def _check_clear(clear: float) -> float:
    if isinstance(clear, bool) or not isinstance(clear, float | int) or not math.isfinite(clear) or clear < 0:
        raise ValueError(f"clear must be a finite number >= 0, got {clear!r}")
    return float(clear)


def hurdle_positions(n_hurdles: int = 10, first: float = 2.0, spacing: float = 3.0) -> tuple[float, ...]:
    """The hurdles' x positions (centres, metres): ``first, first + spacing, ...``, ``n_hurdles`` of them.

    Example:
        >>> hurdle_positions(3, first=2.0, spacing=3.0)
        (2.0, 5.0, 8.0)
    """
    n = _check_n_hurdles(n_hurdles)
    start, step = _check_positive("first", first), _check_positive("spacing", spacing)
    return tuple(start + i * step for i in range(n))


def hurdles_xml_file(n_hurdles: int = 10, first: float = 2.0, spacing: float = 3.0, height: float = 0.12) -> str:
    """Path of a HalfCheetah model file with ``n_hurdles`` box hurdles named ``hurdle0``, ``hurdle1``, ... .

    Each hurdle is a box across the track centred at ``(x, 0, height / 2)`` with half-sizes
    ``(0.05, 1.0, height / 2)``; ``contype`` and ``conaffinity`` are 1, so the cheetah collides with it. The file is
    written once per distinct parameter set into a temporary folder of this process and reused afterwards.

    :param n_hurdles: number of hurdles (>= 1).
    :param first: x of the first hurdle's centre (m, > 0; the cheetah starts at x = 0).
    :param spacing: distance between consecutive hurdles (m, > 0).
    :param height: total height of each hurdle (m, > 0).
    :return: the path, for ``HalfCheetahEnv(xml_file=...)``.

    Example:
        >>> hurdles_xml_file(2) == hurdles_xml_file(2)  # written once, then reused
        True
    """
    global _cache_dir
    xs = hurdle_positions(n_hurdles, first, spacing)
    tall = _check_positive("height", height)
    if _cache_dir is None or not _cache_dir.is_dir():
        _cache_dir = pathlib.Path(tempfile.mkdtemp(prefix="hrl_wrappers_cheetah_hurdles_"))
    path = _cache_dir / f"half_cheetah_hurdles_{len(xs)}_{xs[0]!r}_{spacing!r}_{tall!r}.xml"
    if not path.exists():
        import gymnasium.envs.mujoco  # needs the mujoco extra; imported here so that registering needs nothing

        source = pathlib.Path(gymnasium.envs.mujoco.__file__).parent / "assets" / "half_cheetah.xml"
        tree = ET.parse(source)
        worldbody = tree.getroot().find("worldbody")
        if worldbody is None:
            raise RuntimeError(f"{source} has no <worldbody>")
        for i, x in enumerate(xs):
            ET.SubElement(
                worldbody,
                "geom",
                name=f"hurdle{i}",
                type="box",
                pos=f"{x!r} 0 {tall / 2!r}",
                size=f"{HURDLE_HALF_THICKNESS!r} {HURDLE_HALF_WIDTH!r} {tall / 2!r}",
                contype="1",
                conaffinity="1",
                condim="3",
                rgba="0.9 0.3 0.3 1",
            )
        partial = path.with_suffix(".partial")
        tree.write(partial)
        partial.replace(path)
    return str(path)


class HurdlesWrapper(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Sparse hurdle reward: 1 for each hurdle the torso passes for the first time, else 0.

    A hurdle at ``x_h`` counts as passed once the torso's x (``info["x_position"]``) exceeds ``x_h + clear``: with
    the default ``clear=0.5`` the torso's centre is half a body length beyond the hurdle. A hurdle is rewarded once
    per episode however often the cheetah goes back and forth over it; hurdles are passed in order, and a step that
    passes two of them at once gets 2.

    * **Observation**: the environment's, unchanged.
    * **Reward**: the number of hurdles passed for the first time in this step; the environment's own reward is kept
      in ``info["dense_reward"]``.
    * **Termination**: when every hurdle has been passed (or when the environment terminates).
    * **Info**: ``"hurdles_passed"`` (count so far) and ``"dense_reward"`` besides the environment's own entries
      (which must include ``"x_position"``).

    :param env: a HalfCheetah-like env reporting the torso x in ``info["x_position"]``.
    :param hurdle_x: the hurdles' x positions (at least one, finite).
    :param clear: how far beyond a hurdle's centre the torso must be for it to count as passed (m, finite, >= 0).

    Example:
        >>> env = make_cheetah_hurdles(n_hurdles=2)
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, info["hurdles_passed"]
        ((18,), 0)
        >>> obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        >>> reward, terminated, info["hurdles_passed"]
        (0.0, False, 0)
    """

    def __init__(self, env: gym.Env, hurdle_x: Sequence[float], clear: float = 0.5) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, hurdle_x=tuple(hurdle_x), clear=clear)
        gym.Wrapper.__init__(self, env)
        xs = np.asarray(hurdle_x, dtype=np.float64)
        if xs.ndim != 1 or len(xs) < 1 or not np.all(np.isfinite(xs)):
            raise ValueError(f"hurdle_x must be a non-empty sequence of finite numbers, got {hurdle_x!r}")
        self.hurdle_x = np.sort(xs)
        self.clear = _check_clear(clear)
        self._passed = 0

    @property
    def hurdles_passed(self) -> int:
        """Hurdles passed so far in this episode."""
        return self._passed

    def _count(self, info: dict[str, Any]) -> int:
        if "x_position" not in info:
            raise KeyError("the environment's info has no 'x_position' entry")
        return int(np.count_nonzero(float(info["x_position"]) > self.hurdle_x + self.clear))

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(seed=seed, options=options)
        self._passed = 0
        info = dict(info)
        info["hurdles_passed"] = 0
        return obs, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, dense_reward, terminated, truncated, info = self.env.step(action)
        passed = max(self._passed, self._count(info))
        reward = float(passed - self._passed)
        self._passed = passed
        info = dict(info)
        info["dense_reward"] = float(dense_reward)
        info["hurdles_passed"] = passed
        terminated = bool(terminated) or passed >= len(self.hurdle_x)
        return obs, reward, terminated, truncated, info


def make_cheetah_hurdles(
    n_hurdles: int = 10,
    first: float = 2.0,
    spacing: float = 3.0,
    height: float = 0.12,
    clear: float = 0.5,
    **half_cheetah_kwargs: Any,
) -> gym.Env:
    """HalfCheetah-v5 (torso x exposed) with hurdles and the sparse hurdle reward (``hrl_wrappers/CheetahHurdles-v0``).

    With the defaults the 10 hurdles stand at x = 2, 5, ..., 29 m, are 0.12 m high, and each counts as passed once
    the torso's x exceeds it by 0.5 m (see :class:`HurdlesWrapper`).

    :param n_hurdles: number of hurdles (>= 1).
    :param first: x of the first hurdle (m, > 0).
    :param spacing: distance between hurdles (m, > 0).
    :param height: hurdle height (m, > 0).
    :param clear: passing margin beyond a hurdle (m, >= 0).
    :param half_cheetah_kwargs: further ``HalfCheetahEnv`` arguments (``render_mode``, ``reset_noise_scale``, ...);
        not ``xml_file``, which this function writes.

    Example:
        >>> env = make_cheetah_hurdles(n_hurdles=3, first=1.0, spacing=2.0)
        >>> env.hurdle_x.tolist()
        [1.0, 3.0, 5.0]
    """
    if "xml_file" in half_cheetah_kwargs:
        raise ValueError("xml_file is set by make_cheetah_hurdles; pass n_hurdles, first, spacing and height instead")
    from gymnasium.envs.mujoco.half_cheetah_v5 import HalfCheetahEnv

    xs = hurdle_positions(n_hurdles, first, spacing)
    _check_clear(clear)
    xml_file = hurdles_xml_file(n_hurdles, first, spacing, height)
    kwargs = {**locomotion_kwargs("HalfCheetah-v5"), **half_cheetah_kwargs}
    return HurdlesWrapper(HalfCheetahEnv(xml_file=xml_file, **kwargs), xs, clear)
