"""skill_displacements: final minus initial features of one seeded rollout per skill, on a hand-made plane; the
unit-circle skills it is asked about (circle_skills)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from hrl_wrappers import circle_skills, skill_displacements


class _Plane(gym.Env[np.ndarray, np.ndarray]):
    """Position (x, y) plus a step counter; the action is added to the position; ends at ``x >= wall``."""

    def __init__(self, wall: float = np.inf) -> None:
        self.observation_space = spaces.Box(-np.inf, np.inf, (3,), np.float64)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float64)
        self.wall = wall
        self.state = np.zeros(3)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.state = np.array([*self.np_random.uniform(-1, 1, 2), 0.0])
        return self.state.copy(), {"x": self.state[0]}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        self.state = self.state + np.array([*action, 1.0])
        return self.state.copy(), 0.0, bool(self.state[0] >= self.wall), False, {"x": self.state[0]}


def _push(obs: np.ndarray, z: Any) -> np.ndarray:
    return np.asarray(z, dtype=np.float64)


def test_each_skill_moves_by_its_steps_times_its_action() -> None:
    disp = skill_displacements(_push, _Plane(), [[0.5, 0.0], [0.0, -0.25], [0.1, 0.1]], n_steps=4, seed=7)
    np.testing.assert_allclose(disp, [[2.0, 0.0, 4.0], [0.0, -1.0, 4.0], [0.4, 0.4, 4.0]])


def test_features_indices_or_a_callable_of_obs_and_info() -> None:
    env = _Plane()
    np.testing.assert_allclose(skill_displacements(_push, env, [[0.5, 0.5]], n_steps=2, features=[1]), [[1.0]])
    by_info = skill_displacements(_push, env, [[0.5, 0.5]], n_steps=2, features=lambda obs, info: [info["x"]])
    np.testing.assert_allclose(by_info, [[1.0]])


def test_every_skill_starts_from_the_same_seeded_reset() -> None:
    env = _Plane()
    start, _ = env.reset(seed=3)
    # a skill that walks back to the origin from wherever it starts: its displacement is minus the start
    home = skill_displacements(lambda obs, z: -obs[:2], env, [0, 1], n_steps=1, features=[0, 1], seed=3)
    np.testing.assert_allclose(home, [-start[:2], -start[:2]])


def test_a_rollout_stops_when_the_episode_ends() -> None:
    # from x in [-1, 1], a wall at x = 3 ends the rollout after 3 or 4 steps of +1 however long n_steps asks
    env = _Plane(wall=3.0)
    start, _ = env.reset(seed=0)
    steps = int(np.ceil(3.0 - start[0]))
    disp = skill_displacements(_push, env, [[1.0, 0.0]], n_steps=50, features=[2], seed=0)
    np.testing.assert_allclose(disp, [[steps]])
    np.testing.assert_allclose(skill_displacements(_push, env, [[1.0, 0.0]], features=[2], seed=0), [[steps]])


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1"):
        skill_displacements(_push, _Plane(), [[0.0, 0.0]], n_steps=0)
    with pytest.raises(ValueError, match="skills must name at least one skill"):
        skill_displacements(_push, _Plane(), [], n_steps=1)


def test_circle_skills_are_unit_vectors_at_equal_angles() -> None:
    skills = circle_skills(6)
    assert skills.shape == (6, 2) and skills.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(skills, axis=1), 1.0, atol=1e-6)
    angles = np.degrees(np.arctan2(skills[:, 1], skills[:, 0])) % 360
    np.testing.assert_allclose(angles, [0, 60, 120, 180, 240, 300], atol=1e-4)  # counter-clockwise from +x
    # walking each: the plane moves by the skill itself
    moves = skill_displacements(lambda obs, z: z, _Plane(), skills, n_steps=2, features=[0, 1])
    np.testing.assert_allclose(moves, 2 * skills, atol=1e-6)


@pytest.mark.parametrize("n", [0, -3, 2.5, True, "4"])
def test_circle_skills_rejects_a_bad_count(n: Any) -> None:
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        circle_skills(n)


@pytest.mark.parametrize("features", [[0, 3], [-1], [], "xy", [0.5, None]])
def test_bad_features_name_the_argument(features: Any) -> None:
    with pytest.raises(ValueError, match=r"features (must|has indices)"):
        skill_displacements(lambda obs, z: z, _Plane(), circle_skills(2), n_steps=2, features=features)
