"""A 2-D continuous point world for skill discovery and goal reaching.

The agent is a point in the square ``[-size, size]^2``. Each action is a 2-D
velocity command in ``[-1, 1]^2`` that is scaled by ``max_step`` and added to
the position, which is then clipped to the square. Without a goal the
environment is reward-free (reward ``0.0``), which is the usual setting for
unsupervised skill discovery (e.g. DIAYN); with a goal it gives either a dense
(negative distance) or a sparse (reaching) reward.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import numpy.typing as npt
from gymnasium import spaces

__all__ = ["PointWorldEnv"]

_REWARD_TYPES = ("dense", "sparse")

# Colours used by :meth:`PointWorldEnv.render` (RGB, uint8).
_BACKGROUND = np.array([245, 245, 240], dtype=np.float64)
_GRID_LINE = np.array([225, 225, 220], dtype=np.float64)
_TRAIL = np.array([70, 110, 200], dtype=np.float64)
_AGENT = np.array([210, 50, 40], dtype=np.float64)
_GOAL = np.array([40, 170, 70], dtype=np.float64)


def _validate_point(value: Any, name: str, size: float) -> tuple[float, float]:
    """Check that ``value`` is a finite 2-D point inside ``[-size, size]^2``.

    Args:
        value: The candidate point.
        name: How the value is named in error messages.
        size: Half-width of the square arena.

    Returns:
        The point as a tuple of two Python floats.

    Raises:
        ValueError: If ``value`` is not a length-2 sequence of finite numbers inside the arena.
    """
    expected = f"a length-2 sequence of finite numbers inside [-{size:g}, {size:g}]^2"
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be {expected}, got {value!r}") from exc
    if arr.shape != (2,):
        raise ValueError(f"{name} must be {expected}, got {value!r} (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be {expected}, got non-finite values {value!r}")
    if np.any(np.abs(arr) > size):
        raise ValueError(f"{name} must be {expected}, got {value!r} outside the arena")
    return float(arr[0]), float(arr[1])


class PointWorldEnv(gym.Env[npt.NDArray[np.float32], npt.NDArray[np.float32]]):
    """A point agent moving in the square ``[-size, size]^2``.

    * **Observation**: ``Box(-size, size, (2,), float32)``, the ``(x, y)`` position.
    * **Action**: ``Box(-1, 1, (2,), float32)``; the position moves by
      ``max_step * clip(action, -1, 1)`` and is then clipped to the square.
    * **Start**: the origin plus uniform noise in ``[-start_noise, start_noise]^2``.
    * **Reward**: ``0.0`` without a goal (reward-free). With a goal, ``-distance``
      to the goal (``reward_type="dense"``) or ``1.0`` when within ``goal_radius``
      of it and ``0.0`` otherwise (``reward_type="sparse"``).
    * **Termination**: only when ``terminate_at_goal=True`` and the goal is reached.
      Episodes are otherwise truncated by the registered time limit (100 steps).
    * **Info**: ``"position"`` (a copy of the position) and, with a goal,
      ``"distance"`` (Euclidean distance to the goal).

    ``reset(options={"goal": (gx, gy)})`` sets the goal for that episode only;
    ``reset(options={"goal": None})`` makes that episode reward-free. A reset
    without a ``"goal"`` option goes back to the constructor's goal.

    Args:
        size: Half-width of the square arena (must be > 0).
        max_step: Largest per-axis displacement of one step (must be > 0).
        start_noise: Half-width of the uniform start noise around the origin (>= 0, <= size).
        goal: Default goal position, or ``None`` for a reward-free world.
        goal_radius: Distance at which the goal counts as reached (must be > 0).
        reward_type: ``"dense"`` or ``"sparse"``.
        terminate_at_goal: Whether reaching the goal ends the episode.
        render_mode: ``None`` or ``"rgb_array"``.
        render_size: Side length in pixels of the rendered image (>= 16).

    Example:
        >>> env = PointWorldEnv(goal=(1.0, 0.0), reward_type="dense")
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, obs.dtype
        ((2,), dtype('float32'))
        >>> obs, reward, terminated, truncated, info = env.step(np.array([1.0, 0.0], dtype=np.float32))
        >>> bool(abs(reward + info["distance"]) < 1e-6), terminated
        (True, False)
    """

    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 20}

    def __init__(
        self,
        size: float = 10.0,
        max_step: float = 0.5,
        start_noise: float = 0.1,
        goal: Sequence[float] | None = None,
        goal_radius: float = 0.5,
        reward_type: str = "dense",
        terminate_at_goal: bool = False,
        render_mode: str | None = None,
        render_size: int = 128,
    ) -> None:
        if not (isinstance(size, (int, float)) and math.isfinite(size) and size > 0):
            raise ValueError(f"size must be a finite number > 0, got {size!r}")
        if not (isinstance(max_step, (int, float)) and math.isfinite(max_step) and max_step > 0):
            raise ValueError(f"max_step must be a finite number > 0, got {max_step!r}")
        if not (isinstance(start_noise, (int, float)) and math.isfinite(start_noise) and 0 <= start_noise <= size):
            raise ValueError(f"start_noise must be a number in [0, size={size:g}], got {start_noise!r}")
        if not (isinstance(goal_radius, (int, float)) and math.isfinite(goal_radius) and goal_radius > 0):
            raise ValueError(f"goal_radius must be a finite number > 0, got {goal_radius!r}")
        if reward_type not in _REWARD_TYPES:
            raise ValueError(f"reward_type must be one of {list(_REWARD_TYPES)}, got {reward_type!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        if not (isinstance(render_size, int) and render_size >= 16):
            raise ValueError(f"render_size must be an int >= 16, got {render_size!r}")

        self.size = float(size)
        self.max_step = float(max_step)
        self.start_noise = float(start_noise)
        self.goal_radius = float(goal_radius)
        self.reward_type = reward_type
        self.terminate_at_goal = bool(terminate_at_goal)
        self.render_mode = render_mode
        self.render_size = render_size
        self.default_goal: tuple[float, float] | None = None if goal is None else _validate_point(goal, "goal", self.size)

        self.observation_space = spaces.Box(low=-self.size, high=self.size, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Box(low=-1.0, high=1.0, shape=(2,), dtype=np.float32)

        self._position = np.zeros(2, dtype=np.float64)
        self._goal: tuple[float, float] | None = self.default_goal
        self._trail: deque[tuple[float, float]] = deque(maxlen=2000)

    # ------------------------------------------------------------------ properties
    @property
    def position(self) -> npt.NDArray[np.float64]:
        """A copy of the current ``(x, y)`` position."""
        return self._position.copy()

    @property
    def goal(self) -> tuple[float, float] | None:
        """The goal of the current episode, or ``None`` when reward-free."""
        return self._goal

    # ------------------------------------------------------------------ helpers
    def _obs(self) -> npt.NDArray[np.float32]:
        return self._position.astype(np.float32)

    def _distance(self) -> float | None:
        if self._goal is None:
            return None
        return float(np.hypot(self._position[0] - self._goal[0], self._position[1] - self._goal[1]))

    def _info(self) -> dict[str, Any]:
        info: dict[str, Any] = {"position": self._position.copy()}
        distance = self._distance()
        if distance is not None:
            info["distance"] = distance
        return info

    # ------------------------------------------------------------------ gym API
    def reset(
        self,
        *,
        seed: int | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[npt.NDArray[np.float32], dict[str, Any]]:
        """Start a new episode.

        Args:
            seed: Seed for ``self.np_random``.
            options: Optional ``{"goal": (gx, gy) | None}`` overriding the goal for this episode.

        Returns:
            The initial observation and info dict.

        Raises:
            ValueError: If ``options['goal']`` is not a finite point inside the arena.
        """
        super().reset(seed=seed)
        goal = self.default_goal
        if options is not None and "goal" in options:
            raw = options["goal"]
            goal = None if raw is None else _validate_point(raw, "options['goal']", self.size)
        self._goal = goal

        noise = self.np_random.uniform(-self.start_noise, self.start_noise, size=2)
        self._position = np.clip(noise, -self.size, self.size).astype(np.float64)
        self._trail.clear()
        self._trail.append((float(self._position[0]), float(self._position[1])))
        return self._obs(), self._info()

    def step(self, action: npt.ArrayLike) -> tuple[npt.NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        """Move the point by ``max_step * clip(action, -1, 1)`` and clip it to the arena.

        Args:
            action: A 2-D action; values outside ``[-1, 1]`` are clipped.

        Returns:
            ``(observation, reward, terminated, truncated, info)``; ``truncated`` is always
            ``False`` here (the time limit comes from registration).

        Raises:
            ValueError: If ``action`` does not have 2 finite entries.
        """
        act = np.asarray(action, dtype=np.float64).reshape(-1)
        if act.shape != (2,) or not np.all(np.isfinite(act)):
            raise ValueError(f"action must contain 2 finite numbers, got {action!r}")
        delta = self.max_step * np.clip(act, -1.0, 1.0)
        self._position = np.clip(self._position + delta, -self.size, self.size)
        self._trail.append((float(self._position[0]), float(self._position[1])))

        reward = 0.0
        terminated = False
        distance = self._distance()
        if distance is not None:
            reached = distance <= self.goal_radius
            if self.reward_type == "dense":
                reward = -distance
            else:
                reward = 1.0 if reached else 0.0
            terminated = self.terminate_at_goal and reached
        return self._obs(), float(reward), bool(terminated), False, self._info()

    # ------------------------------------------------------------------ rendering
    def _to_pixel(self, x: float, y: float) -> tuple[float, float]:
        """Map world coordinates to (row, col) pixel coordinates (y axis points up)."""
        scale = (self.render_size - 1) / (2.0 * self.size)
        return (self.size - y) * scale, (x + self.size) * scale

    def render(self) -> npt.NDArray[np.uint8] | None:  # type: ignore[override]
        """Render the arena as an ``(render_size, render_size, 3)`` uint8 RGB image.

        The agent is a red disc, the goal (if any) a green disc of radius ``goal_radius``
        and the positions visited in the current episode a faint blue trail.

        Returns:
            The image when ``render_mode == "rgb_array"``, else ``None``.
        """
        if self.render_mode != "rgb_array":
            return None
        n = self.render_size
        img = np.empty((n, n, 3), dtype=np.float64)
        img[:] = _BACKGROUND

        # Faint grid lines at regular world coordinates (at most ~20 per axis).
        spacing = max(1.0, float(np.ceil(2.0 * self.size / 20.0)))
        for v in np.arange(-np.floor(self.size / spacing) * spacing, self.size + 1e-9, spacing):
            r, c = self._to_pixel(float(v), float(v))
            img[round(r), :, :] = _GRID_LINE
            img[:, round(c), :] = _GRID_LINE

        px_per_unit = (n - 1) / (2.0 * self.size)
        if self._goal is not None:
            self._paint_disc(img, self._goal, max(2.0, self.goal_radius * px_per_unit), _GOAL, 0.5)
            self._paint_disc(img, self._goal, 1.5, _GOAL, 1.0)

        # Trail: older positions are fainter.
        trail = list(self._trail)[:-1]
        for i, point in enumerate(trail):
            self._paint_disc(img, point, 1.2, _TRAIL, 0.15 + 0.35 * (i + 1) / len(trail))

        self._paint_disc(img, (float(self._position[0]), float(self._position[1])), max(2.5, 0.03 * n), _AGENT, 1.0)
        return np.clip(np.round(img), 0, 255).astype(np.uint8)

    def _paint_disc(
        self,
        img: npt.NDArray[np.float64],
        center: tuple[float, float],
        radius_px: float,
        color: npt.NDArray[np.float64],
        alpha: float,
    ) -> None:
        """Alpha-blend a filled disc of ``radius_px`` pixels centred on world point ``center`` into ``img``."""
        n = img.shape[0]
        r0, c0 = self._to_pixel(*center)
        r_lo, r_hi = max(0, int(np.floor(r0 - radius_px))), min(n, int(np.ceil(r0 + radius_px)) + 1)
        c_lo, c_hi = max(0, int(np.floor(c0 - radius_px))), min(n, int(np.ceil(c0 + radius_px)) + 1)
        if r_lo >= r_hi or c_lo >= c_hi:
            return
        rows, cols = np.mgrid[r_lo:r_hi, c_lo:c_hi]
        mask = (rows - r0) ** 2 + (cols - c0) ** 2 <= radius_px**2
        patch = img[r_lo:r_hi, c_lo:c_hi]
        patch[mask] = (1.0 - alpha) * patch[mask] + alpha * color
