"""Tests of :class:`hrl_wrappers.SkillWrapper` (and the :class:`SkillLayout` it builds)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from hrl_wrappers import SkillWrapper, find_skill_layout
from hrl_wrappers.envs import FOUR_ROOMS_ID, POINT_WORLD_ID, FourRoomsEnv, PointWorldEnv
from hrl_wrappers.priors import CategoricalPrior
from hrl_wrappers.skill_layout import SkillLayout
from tests.helpers import TinyDictEnv


class RecordObs(gym.Wrapper):
    """Keeps the last observation of the environment it wraps (what the SkillWrapper received)."""

    def reset(self, **kwargs: Any) -> Any:
        obs, info = self.env.reset(**kwargs)
        self.last = obs
        return obs, info

    def step(self, action: Any) -> Any:
        out = self.env.step(action)
        self.last = out[0]
        return out


# ------------------------------------------------------------------------------------------------ skills in obs


def test_categorical_one_hot_concat() -> None:
    base = RecordObs(PointWorldEnv())
    env = SkillWrapper(base, n_skills=5)
    assert env.observation_space == spaces.Box(
        np.float32([-10, -10, 0, 0, 0, 0, 0]), np.float32([10, 10, 1, 1, 1, 1, 1]), dtype=np.float32
    )
    obs, info = env.reset(seed=0)
    z = info["skill"]
    assert isinstance(z, int) and 0 <= z < 5
    np.testing.assert_array_equal(obs, np.concatenate([base.last, np.eye(5)[z]]).astype(np.float32))
    assert obs.dtype == np.float32 and env.observation_space.contains(obs)
    for _ in range(5):
        obs, _, _, _, info = env.step(env.action_space.sample())
        assert info["skill"] == z == env.skill
        np.testing.assert_array_equal(obs, np.concatenate([base.last, np.eye(5)[z]]).astype(np.float32))


@pytest.mark.parametrize("distribution", ["uniform", "gaussian"])
def test_continuous_skill_concat(distribution: str) -> None:
    base = RecordObs(PointWorldEnv())
    env = SkillWrapper(base, skill_dim=3, distribution=distribution)
    assert env.observation_space.shape == (5,)
    bound = 1.0 if distribution == "uniform" else np.inf
    np.testing.assert_array_equal(env.observation_space.high[2:], np.full(3, bound, np.float32))
    np.testing.assert_array_equal(env.observation_space.low[2:], np.full(3, -bound, np.float32))
    obs, info = env.reset(seed=1)
    z = info["skill"]
    assert z.shape == (3,) and z.dtype == np.float32
    np.testing.assert_array_equal(obs, np.concatenate([base.last, z]))
    obs, _, _, _, info = env.step(env.action_space.sample())
    np.testing.assert_array_equal(info["skill"], z)
    np.testing.assert_array_equal(obs[2:], z)
    # info["skill"] is a copy: changing it does not change the wrapper's skill
    info["skill"][0] = 123.0
    assert env.skill[0] != 123.0


def test_reset_options_choose_skill() -> None:
    env = SkillWrapper(PointWorldEnv(goal=(3.0, 3.0)), n_skills=4)
    for z in (3, 0, 2):
        obs, info = env.reset(seed=z, options={"skill": z, "goal": (1.0, -1.0)})
        assert info["skill"] == z
        np.testing.assert_array_equal(obs[2:], np.eye(4)[z])
        # other options still reach the environment
        assert env.unwrapped.goal == (1.0, -1.0)  # type: ignore[attr-defined]
        assert info["distance"] == pytest.approx(float(np.hypot(obs[0] - 1.0, obs[1] + 1.0)), abs=1e-5)
    cont = SkillWrapper(PointWorldEnv(), skill_dim=2)
    obs, info = cont.reset(options={"skill": [0.25, -0.5]})
    np.testing.assert_array_equal(info["skill"], np.float32([0.25, -0.5]))
    np.testing.assert_array_equal(obs[2:], np.float32([0.25, -0.5]))


def test_set_skill_applies_from_next_observation() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=3)
    env.reset(seed=0, options={"skill": 0})
    env.set_skill(2)
    obs, _, _, _, info = env.step(env.action_space.sample())
    assert info["skill"] == 2
    np.testing.assert_array_equal(obs[2:], np.eye(3)[2])
    with pytest.raises(ValueError, match="skill must be in"):
        env.set_skill(3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"skill": 4}, r"options\['skill'\] must be in \[0, 4\)"), ({"skill": 1.5}, r"options\['skill'\] must be an int")],
)
def test_bad_skill_in_options_categorical(kwargs: dict[str, Any], match: str) -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=4)
    with pytest.raises(ValueError, match=match):
        env.reset(options=kwargs)


@pytest.mark.parametrize(
    ("skill", "match"),
    [
        (1, r"options\['skill'\] must be a float vector.*integer"),
        ([0.1], r"options\['skill'\] must have shape"),
        ([np.nan, 0.0], r"options\['skill'\] must be finite"),
        ([0.0, 2.0], r"options\['skill'\] must lie in"),
    ],
)
def test_bad_skill_in_options_continuous(skill: Any, match: str) -> None:
    env = SkillWrapper(PointWorldEnv(), skill_dim=2)
    with pytest.raises(ValueError, match=match):
        env.reset(options={"skill": skill})


# ------------------------------------------------------------------------------------------------ resampling


def test_resample_every_n_steps() -> None:
    n = 3
    env = SkillWrapper(PointWorldEnv(), skill_dim=2, resample_every=n)
    obs, info = env.reset(seed=42)
    # the same draws, computed directly from a generator seeded like the wrapper's
    rng, _ = seeding.np_random(42)
    draws = [env.prior.sample(rng) for _ in range(6)]
    np.testing.assert_array_equal(info["skill"], draws[0])
    np.testing.assert_array_equal(obs[2:], draws[0])
    prev_obs_skill = obs[2:].copy()
    for t in range(1, 4 * n + 1):
        obs, _, _, _, info = env.step(env.action_space.sample())
        # the skill in info produced this transition: it is the one in the observation the action was taken in
        np.testing.assert_array_equal(info["skill"], prev_obs_skill)
        np.testing.assert_array_equal(info["skill"], draws[(t - 1) // n])
        # after every n-th step the observation already carries the next skill
        np.testing.assert_array_equal(obs[2:], draws[t // n])
        if t % n == 0:
            assert not np.array_equal(obs[2:], info["skill"])
        else:
            np.testing.assert_array_equal(obs[2:], info["skill"])
        prev_obs_skill = obs[2:].copy()
    # a reset draws the next skill and starts counting again
    obs, info = env.reset()
    np.testing.assert_array_equal(info["skill"], draws[5])
    for _ in range(n - 1):
        obs, _, _, _, info = env.step(env.action_space.sample())
    np.testing.assert_array_equal(obs[2:], info["skill"])


def test_resample_keeps_chosen_skill_until_first_redraw() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=50, resample_every=2)
    env.reset(seed=0, options={"skill": 7})
    _, _, _, _, info1 = env.step(env.action_space.sample())
    _, _, _, _, info2 = env.step(env.action_space.sample())
    assert info1["skill"] == info2["skill"] == 7


@pytest.mark.parametrize("bad", [0, -2, True])
def test_resample_every_must_be_positive(bad: Any) -> None:
    with pytest.raises(ValueError, match="resample_every"):
        SkillWrapper(PointWorldEnv(), n_skills=3, resample_every=bad)


# ------------------------------------------------------------------------------------------------ layouts


def test_dict_mode_on_box_env() -> None:
    base = RecordObs(PointWorldEnv())
    env = SkillWrapper(base, n_skills=3, obs_mode="dict")
    assert isinstance(env.observation_space, spaces.Dict)
    assert set(env.observation_space.spaces) == {"observation", "skill"}
    assert env.observation_space["observation"] == base.observation_space
    assert env.observation_space["skill"] == spaces.Box(0.0, 1.0, (3,), np.float32)
    obs, info = env.reset(seed=0)
    np.testing.assert_array_equal(obs["observation"], base.last)
    np.testing.assert_array_equal(obs["skill"], np.eye(3)[info["skill"]])
    assert env.observation_space.contains(obs)
    obs2, *_ = env.step(env.action_space.sample())
    # observations returned to the user never share memory
    assert not np.shares_memory(obs["skill"], obs2["skill"])
    obs2["skill"][:] = 5.0
    obs3, *_ = env.step(env.action_space.sample())
    np.testing.assert_array_equal(obs3["skill"], np.eye(3)[info["skill"]])


def test_discrete_env_flat_one_hot() -> None:
    base = RecordObs(FourRoomsEnv())
    env = SkillWrapper(base, n_skills=4)
    assert env.observation_space.shape == (104 + 4,)
    np.testing.assert_array_equal(env.observation_space.low, np.zeros(108, np.float32))
    np.testing.assert_array_equal(env.observation_space.high, np.ones(108, np.float32))
    obs, info = env.reset(seed=3)
    for _ in range(4):
        np.testing.assert_array_equal(obs, np.concatenate([np.eye(104)[base.last], np.eye(4)[info["skill"]]]))
        obs, _, _, _, info = env.step(env.action_space.sample())


def test_discrete_env_dict_mode() -> None:
    base = RecordObs(FourRoomsEnv())
    env = SkillWrapper(base, skill_dim=2, obs_mode="dict")
    assert env.observation_space["observation"] == spaces.Discrete(104)
    obs, info = env.reset(seed=0)
    assert obs["observation"] == base.last
    np.testing.assert_array_equal(obs["skill"], info["skill"])
    assert env.observation_space.contains(obs)


def test_dict_env_adds_skill_key() -> None:
    base = RecordObs(TinyDictEnv(step_size=0.1, horizon=20))
    env = SkillWrapper(base, n_skills=3)
    assert env.layout.mode == "dict"
    assert set(env.observation_space.spaces) == {"pos", "room", "skill"}
    assert env.observation_space["room"] == spaces.Discrete(3)
    obs, info = env.reset(seed=0)
    for _ in range(3):
        np.testing.assert_array_equal(obs["pos"], base.last["pos"])
        assert obs["room"] == base.last["room"]
        np.testing.assert_array_equal(obs["skill"], np.eye(3)[info["skill"]])
        assert env.observation_space.contains(obs)
        obs, _, _, _, info = env.step(env.action_space.sample())
    # the layout reads the parts back, flattened in the space's key order (Discrete one-hot)
    state = env.layout.state(obs)
    np.testing.assert_array_equal(state, np.concatenate([obs["pos"], np.eye(3)[obs["room"]]]))
    assert env.layout.skill(obs) == info["skill"]


def test_dict_env_errors() -> None:
    with pytest.raises(ValueError, match="nested Dict under key 'inner'"):
        SkillWrapper(TinyDictEnv(nested=True, step_size=0.1, horizon=20), n_skills=3)
    with pytest.raises(ValueError, match="obs_mode='flat'"):
        SkillWrapper(TinyDictEnv(step_size=0.1, horizon=20), n_skills=3, obs_mode="flat")
    with pytest.raises(ValueError, match="obs_mode"):
        SkillWrapper(PointWorldEnv(), n_skills=3, obs_mode="concat")
    env = SkillWrapper(TinyDictEnv(step_size=0.1, horizon=20), n_skills=3)
    with pytest.raises(ValueError, match="already has a 'skill' key"):
        SkillWrapper(env, n_skills=3)


def test_layout_batches_and_single_observations() -> None:
    layout = SkillLayout(spaces.Discrete(5), CategoricalPrior(3))
    # a batch of one Discrete observation stays a batch (as does SB3's (batch, 1) storage)
    one = layout.join(np.array([4]), np.array([1]))
    np.testing.assert_array_equal(one, [[0, 0, 0, 0, 1, 0, 1, 0]])
    np.testing.assert_array_equal(
        layout.join(np.array([[4], [0]]), np.array([1, 2])), [[0, 0, 0, 0, 1, 0, 1, 0], [1, 0, 0, 0, 0, 0, 0, 1]]
    )
    np.testing.assert_array_equal(layout.join(4, 1), [0, 0, 0, 0, 1, 0, 1, 0])
    np.testing.assert_array_equal(layout.skill(one), [1])
    np.testing.assert_array_equal(layout.state(one), [[0, 0, 0, 0, 1]])


# ------------------------------------------------------------------------------------------------ checkers


@pytest.mark.filterwarnings("ignore:.*is different from the unwrapped version")
@pytest.mark.filterwarnings("ignore:.*Box observation space m.* value is .*infinity")
@pytest.mark.parametrize(
    ("make_base", "kwargs"),
    [
        (PointWorldEnv, {"n_skills": 3}),
        (PointWorldEnv, {"skill_dim": 2}),
        (PointWorldEnv, {"skill_dim": 2, "distribution": "gaussian", "obs_mode": "dict"}),
        (PointWorldEnv, {"n_skills": 3, "resample_every": 2}),
        (FourRoomsEnv, {"n_skills": 3}),
        (FourRoomsEnv, {"n_skills": 3, "obs_mode": "dict"}),
        (TinyDictEnv, {"n_skills": 3}),
    ],
)
def test_env_checkers(make_base: Any, kwargs: dict[str, Any]) -> None:
    gym_check_env(SkillWrapper(make_base(), **kwargs), skip_render_check=True)
    sb3_check_env(SkillWrapper(make_base(), **kwargs), warn=False)


# ------------------------------------------------------------------------------------------------ spec, seeding


@pytest.mark.parametrize(
    ("env_id", "kwargs"),
    [
        (POINT_WORLD_ID, {"n_skills": 3, "skill_probs": [0.2, 0.3, 0.5], "resample_every": 4}),
        (POINT_WORLD_ID, {"skill_dim": 2, "distribution": "gaussian", "obs_mode": "dict"}),
        (FOUR_ROOMS_ID, {"n_skills": 5}),
    ],
)
def test_rebuild_from_spec(env_id: str, kwargs: dict[str, Any]) -> None:
    env = SkillWrapper(gym.make(env_id), **kwargs)
    assert env.spec is not None
    recorded = env.spec.additional_wrappers[-1]
    assert recorded.name == "SkillWrapper"
    assert recorded.entry_point.endswith(":SkillWrapper")
    for key, value in kwargs.items():
        assert recorded.kwargs[key] == value
    assert env.skill_config == recorded.kwargs
    rebuilt = gym.make(env.spec)
    assert isinstance(rebuilt, SkillWrapper)
    assert rebuilt.observation_space == env.observation_space
    assert rebuilt.prior == env.prior and rebuilt.resample_every == env.resample_every
    for seed in (0, 1):
        obs_a, info_a = env.reset(seed=seed)
        obs_b, info_b = rebuilt.reset(seed=seed)
        for _ in range(10):
            np.testing.assert_array_equal(info_a["skill"], info_b["skill"])
            for a, b in zip(
                obs_a.values() if isinstance(obs_a, dict) else [obs_a],
                obs_b.values() if isinstance(obs_b, dict) else [obs_b],
                strict=True,
            ):
                np.testing.assert_array_equal(a, b)
            action = env.action_space.sample()
            obs_a, _, _, _, info_a = env.step(action)
            obs_b, _, _, _, info_b = rebuilt.step(action)


def test_skill_seeding_is_deterministic() -> None:
    def skills(seed: int, n: int = 12) -> list[int]:
        env = SkillWrapper(FourRoomsEnv(), n_skills=10)
        out = [env.reset(seed=seed)[1]["skill"]]
        out += [env.reset()[1]["skill"] for _ in range(n - 1)]
        return out

    assert skills(3) == skills(3)
    assert skills(3) != skills(4)
    rng, _ = seeding.np_random(3)
    assert skills(3) == [int(rng.choice(10, p=np.full(10, 0.1))) for _ in range(12)]


def test_find_skill_layout() -> None:
    env = SkillWrapper(gym.make(POINT_WORLD_ID), n_skills=3)
    outer = gym.wrappers.ClipAction(env)
    assert find_skill_layout(outer) is env.layout is env.skill_layout
    with pytest.raises(ValueError, match="SkillWrapper"):
        find_skill_layout(gym.make(POINT_WORLD_ID))
