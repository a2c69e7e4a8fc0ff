"""The Four Rooms gridworld (Sutton, Precup & Singh, 1999) as used by Option-Critic.

This follows the setup of Bacon, Harb & Precup, "The Option-Critic Architecture"
(AAAI 2017): a 13x13 grid with 104 free cells, four primitive actions, a 1/3
chance that the chosen action is replaced by a move to a uniformly random free
neighbouring cell, reward 1 on entering the goal (default state 62, the east
doorway) and 0 otherwise.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import numpy.typing as npt
from gymnasium import spaces

__all__ = ["FourRoomsEnv"]

LAYOUT = """\
wwwwwwwwwwwww
w     w     w
w     w     w
w           w
w     w     w
w     w     w
ww wwww     w
w     www www
w     w     w
w     w     w
w           w
w     w     w
wwwwwwwwwwwww"""

# (row, col) offsets of actions 0 up, 1 down, 2 left, 3 right.
_MOVES: tuple[tuple[int, int], ...] = ((-1, 0), (1, 0), (0, -1), (0, 1))
ACTION_NAMES: tuple[str, ...] = ("up", "down", "left", "right")
ROOM_NAMES: tuple[str, ...] = ("upper_left", "upper_right", "lower_left", "lower_right")

_WALLS: npt.NDArray[np.bool_] = np.array([[ch == "w" for ch in line] for line in LAYOUT.splitlines()], dtype=bool)
_N_ROWS, _N_COLS = _WALLS.shape
# Free cells in row-major order: state s <-> _CELLS[s].
_CELLS: tuple[tuple[int, int], ...] = tuple((r, c) for r in range(_N_ROWS) for c in range(_N_COLS) if not _WALLS[r, c])
_STATE_OF: dict[tuple[int, int], int] = {cell: s for s, cell in enumerate(_CELLS)}
_N_STATES = len(_CELLS)


def _free_neighbours(cell: tuple[int, int]) -> tuple[int, ...]:
    """States of the free cells among the 4 neighbours of ``cell`` (in action order)."""
    r, c = cell
    return tuple(_STATE_OF[(r + dr, c + dc)] for dr, dc in _MOVES if (r + dr, c + dc) in _STATE_OF)


def _intended_next(state: int, action: int) -> int:
    """State reached by executing ``action`` deterministically (walls leave the agent in place)."""
    r, c = _CELLS[state]
    dr, dc = _MOVES[action]
    return _STATE_OF.get((r + dr, c + dc), state)


_NEIGHBOURS: tuple[tuple[int, ...], ...] = tuple(_free_neighbours(cell) for cell in _CELLS)
# _NEXT[s, a]: deterministic successor of s under action a.
_NEXT: npt.NDArray[np.int64] = np.array([[_intended_next(s, a) for a in range(4)] for s in range(_N_STATES)], dtype=np.int64)


def _compute_doorways() -> tuple[int, ...]:
    """Doorways: free cells squeezed between two walls (left/right or up/down)."""
    doors = []
    for s, (r, c) in enumerate(_CELLS):
        horizontal = _WALLS[r, c - 1] and _WALLS[r, c + 1]
        vertical = _WALLS[r - 1, c] and _WALLS[r + 1, c]
        if horizontal or vertical:
            doors.append(s)
    return tuple(doors)


def _compute_rooms(doorways: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Flood-fill the free cells that are not doorways and name each component by its quadrant."""
    blocked = set(doorways)
    seen: set[int] = set()
    rooms: dict[str, tuple[int, ...]] = {}
    for start in range(_N_STATES):
        if start in blocked or start in seen:
            continue
        component = []
        stack = [start]
        seen.add(start)
        while stack:
            s = stack.pop()
            component.append(s)
            for nb in _NEIGHBOURS[s]:
                if nb not in blocked and nb not in seen:
                    seen.add(nb)
                    stack.append(nb)
        mean_r = float(np.mean([_CELLS[s][0] for s in component]))
        mean_c = float(np.mean([_CELLS[s][1] for s in component]))
        name = ("upper" if mean_r < _N_ROWS / 2 else "lower") + "_" + ("left" if mean_c < _N_COLS / 2 else "right")
        rooms[name] = tuple(sorted(component))
    return rooms


_DOORWAYS = _compute_doorways()
_ROOMS = _compute_rooms(_DOORWAYS)
assert _N_STATES == 104 and len(_DOORWAYS) == 4 and sorted(_ROOMS) == sorted(ROOM_NAMES)

# Colours used by :meth:`FourRoomsEnv.render` (RGB, uint8).
_WALL_RGB = np.array([40, 40, 50], dtype=np.uint8)
_FREE_RGB = np.array([235, 235, 225], dtype=np.uint8)
_GOAL_RGB = np.array([40, 170, 70], dtype=np.uint8)
_AGENT_RGB = np.array([210, 40, 40], dtype=np.uint8)


def _check_state(value: Any, name: str) -> int:
    """Validate that ``value`` is an integer free-cell index in ``[0, 103]``.

    Raises:
        ValueError: Naming ``name`` and the valid range otherwise.
    """
    valid = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if not valid or not 0 <= int(value) < _N_STATES:
        raise ValueError(
            f"{name} must be a free cell index, an int in [0, {_N_STATES - 1}] "
            f"(states index the free cells in row-major order), got {value!r}"
        )
    return int(value)


class FourRoomsEnv(gym.Env[int, int]):
    """The Four Rooms gridworld of Sutton, Precup & Singh (1999), Option-Critic version.

    * **Observation**: ``Discrete(104)``, the index of the agent's free cell in
      row-major order (see :meth:`cell_of` / :meth:`state_of`).
    * **Action**: ``Discrete(4)``: 0 up, 1 down, 2 left, 3 right.
    * **Dynamics**: with probability ``1 - slip_prob`` the chosen action is executed
      (moving into a wall leaves the agent in place); with probability ``slip_prob``
      (default 1/3) the agent instead moves to a uniformly random free neighbouring cell.
    * **Reward**: ``1.0`` and ``terminated=True`` on entering the goal, else ``0.0``.
    * **Start**: a uniformly random free cell other than the goal, or
      ``reset(options={"start": s})``.
    * **Goal**: ``goal`` (default 62, the east doorway). ``reset(options={"goal": s})`` and
      :meth:`set_goal` change it, and the new goal persists for later episodes
      (as in the goal-switch experiment).
    * **Info**: ``"cell"`` (row, col) and, after a step, ``"slipped"`` (whether the random
      move replaced the chosen action).

    Args:
        goal: Goal state index in ``[0, 103]``.
        slip_prob: Probability of a random move instead of the chosen action, in ``[0, 1]``.
        render_mode: ``None``, ``"rgb_array"`` or ``"ansi"``.
        cell_px: Pixel size of one grid cell in ``"rgb_array"`` renders (>= 1).

    Example:
        >>> env = FourRoomsEnv(slip_prob=0.0)
        >>> env.cell_of(62)
        (7, 9)
        >>> obs, info = env.reset(seed=0, options={"start": env.state_of(8, 9)})
        >>> obs, reward, terminated, truncated, info = env.step(0)  # up, into the doorway
        >>> obs, reward, terminated
        (62, 1.0, True)
    """

    metadata: dict[str, Any] = {"render_modes": ["rgb_array", "ansi"], "render_fps": 10}
    layout: ClassVar[str] = LAYOUT
    n_states: ClassVar[int] = _N_STATES
    n_actions: ClassVar[int] = len(_MOVES)
    DEFAULT_GOAL: ClassVar[int] = 62

    def __init__(
        self,
        goal: int = 62,
        slip_prob: float = 1.0 / 3.0,
        render_mode: str | None = None,
        cell_px: int = 8,
    ) -> None:
        self._goal = _check_state(goal, "goal")
        if not (isinstance(slip_prob, (int, float)) and 0.0 <= float(slip_prob) <= 1.0):
            raise ValueError(f"slip_prob must be a number in [0, 1], got {slip_prob!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        if not (isinstance(cell_px, int) and cell_px >= 1):
            raise ValueError(f"cell_px must be an int >= 1, got {cell_px!r}")
        self.slip_prob = float(slip_prob)
        self.render_mode = render_mode
        self.cell_px = cell_px
        # Discrete spaces yield numpy integers; this env returns and accepts Python ints too.
        self.observation_space: spaces.Discrete = spaces.Discrete(_N_STATES)  # type: ignore[assignment]
        self.action_space: spaces.Discrete = spaces.Discrete(len(_MOVES))  # type: ignore[assignment]
        self._state = 0 if self._goal != 0 else 1

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def cell_of(state: int) -> tuple[int, int]:
        """Return the ``(row, col)`` grid cell of ``state``.

        Raises:
            ValueError: If ``state`` is not in ``[0, 103]``.
        """
        return _CELLS[_check_state(state, "state")]

    @staticmethod
    def state_of(row: int, col: int) -> int:
        """Return the state index of grid cell ``(row, col)``.

        Raises:
            ValueError: If ``(row, col)`` is a wall or outside the grid.
        """
        try:
            return _STATE_OF[(int(row), int(col))]
        except KeyError:
            raise ValueError(f"(row, col)=({row!r}, {col!r}) is not a free cell of the 13x13 Four Rooms grid") from None

    @staticmethod
    def room_states(room: str) -> tuple[int, ...]:
        """Return the sorted states of ``room`` (doorways belong to no room).

        Args:
            room: One of ``"upper_left"``, ``"upper_right"``, ``"lower_left"``, ``"lower_right"``.

        Raises:
            ValueError: If ``room`` is not a room name.
        """
        if room not in _ROOMS:
            raise ValueError(f"room must be one of {list(ROOM_NAMES)}, got {room!r}")
        return _ROOMS[room]

    @staticmethod
    def room_of(state: int) -> str | None:
        """Return the name of the room containing ``state``, or ``None`` for a doorway."""
        s = _check_state(state, "state")
        for name, states in _ROOMS.items():
            if s in states:
                return name
        return None

    @staticmethod
    def doorway_states() -> tuple[int, ...]:
        """Return the sorted states of the 4 doorways (hallway cells)."""
        return _DOORWAYS

    @staticmethod
    def neighbours(state: int) -> tuple[int, ...]:
        """Return the free neighbouring states of ``state`` (the targets of a slip)."""
        return _NEIGHBOURS[_check_state(state, "state")]

    @staticmethod
    def intended_next_state(state: int, action: int) -> int:
        """Return the state reached from ``state`` by executing ``action`` without slipping."""
        return int(_NEXT[_check_state(state, "state"), FourRoomsEnv._check_action(action)])

    @staticmethod
    def _check_action(action: Any) -> int:
        valid = isinstance(action, (int, np.integer)) and not isinstance(action, (bool, np.bool_))
        if not valid and isinstance(action, np.ndarray) and action.shape == () and np.issubdtype(action.dtype, np.integer):
            action, valid = int(action), True
        if not valid or not 0 <= int(action) < len(_MOVES):
            raise ValueError(
                f"action must be an int in [0, {len(_MOVES) - 1}] (0 up, 1 down, 2 left, 3 right), got {action!r}"
            )
        return int(action)

    @property
    def goal(self) -> int:
        """The current goal state."""
        return self._goal

    @property
    def state(self) -> int:
        """The agent's current state."""
        return self._state

    def set_goal(self, goal: int) -> None:
        """Move the goal to state ``goal``; it persists across resets.

        Raises:
            ValueError: If ``goal`` is not a free cell index in ``[0, 103]``.
        """
        self._goal = _check_state(goal, "goal")

    # ------------------------------------------------------------------ gym API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        """Start a new episode.

        Args:
            seed: Seed for ``self.np_random``.
            options: Optional ``{"goal": s}`` (persistent goal change) and/or ``{"start": s}``
                (start state for this episode; must differ from the goal).

        Returns:
            The initial state and an info dict with its ``"cell"``.

        Raises:
            ValueError: If ``options['goal']`` or ``options['start']`` is invalid.
        """
        super().reset(seed=seed)
        options = options or {}
        if "goal" in options:
            self._goal = _check_state(options["goal"], "options['goal']")
        if options.get("start") is not None:
            start = _check_state(options["start"], "options['start']")
            if start == self._goal:
                raise ValueError(f"options['start'] must differ from the goal state {self._goal}, got {start}")
            self._state = start
        else:
            k = int(self.np_random.integers(_N_STATES - 1))
            self._state = k if k < self._goal else k + 1
        return self._state, {"cell": _CELLS[self._state]}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        """Take one step.

        Args:
            action: 0 up, 1 down, 2 left or 3 right.

        Returns:
            ``(state, reward, terminated, truncated, info)``; ``truncated`` is always ``False``
            here (the time limit comes from registration).

        Raises:
            ValueError: If ``action`` is not in ``[0, 3]``.
        """
        a = self._check_action(action)
        slipped = self.slip_prob > 0.0 and bool(self.np_random.random() < self.slip_prob)
        if slipped:
            options = _NEIGHBOURS[self._state]
            self._state = options[int(self.np_random.integers(len(options)))]
        else:
            self._state = int(_NEXT[self._state, a])
        at_goal = self._state == self._goal
        info = {"cell": _CELLS[self._state], "slipped": slipped}
        return self._state, 1.0 if at_goal else 0.0, at_goal, False, info

    # ------------------------------------------------------------------ rendering
    def _ansi(self) -> str:
        grid = [["#" if wall else "." for wall in row] for row in _WALLS]
        gr, gc = _CELLS[self._goal]
        grid[gr][gc] = "G"
        ar, ac = _CELLS[self._state]
        grid[ar][ac] = "A"
        return "\n".join("".join(row) for row in grid) + "\n"

    def _rgb(self) -> npt.NDArray[np.uint8]:
        cells = np.where(_WALLS[..., None], _WALL_RGB, _FREE_RGB).astype(np.uint8)
        cells[_CELLS[self._goal]] = _GOAL_RGB
        cells[_CELLS[self._state]] = _AGENT_RGB
        img = np.repeat(np.repeat(cells, self.cell_px, axis=0), self.cell_px, axis=1)
        return np.ascontiguousarray(img)

    def render(self) -> npt.NDArray[np.uint8] | str | None:  # type: ignore[override]
        """Render the grid.

        Returns:
            For ``"rgb_array"`` a ``(13 * cell_px, 13 * cell_px, 3)`` uint8 image (walls dark,
            free cells light, goal green, agent red); for ``"ansi"`` a text grid (``#`` wall,
            ``.`` free, ``G`` goal, ``A`` agent); ``None`` without a render mode.
        """
        if self.render_mode == "rgb_array":
            return self._rgb()
        if self.render_mode == "ansi":
            return self._ansi()
        return None
