"""Shared objects of the misuse table (:mod:`cases`): small envs, saved checkpoints built once, and ``hrl`` run in
process. The table itself: what a user can get wrong through the public API and ``hrl``, and the error each case must give.

Each :class:`Case` is one misuse (a callable doing it), the exception type it must raise and a regex that its message
must match: the regex names the argument (or the file) and the value or what is allowed. ``tests/misuse/test_misuse.py``
runs the table; ``docs/misuse_table.py`` runs it too and writes ``docs/misuse.md``. Cases that fail before anything
trains keep the table fast; the few that need a saved model share small ones built once (:func:`files`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import pathlib
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

POINT = "hrl_wrappers/PointWorld-v0"


@dataclass(frozen=True)
class Case:
    """One misuse: ``call()`` must raise ``error`` with a message matching ``match`` (searched, case-insensitive)."""

    id: str
    what: str
    call: Callable[[], Any]
    error: type[BaseException] | tuple[type[BaseException], ...]
    match: str
    clear: bool = True
    reason: str = ""


class HrlUsageError(Exception):
    """``hrl`` exited with a non-zero status; the message is the last line it printed on stderr."""


def hrl(*argv: str) -> None:
    """Run ``hrl ARGV`` in this process; raise :class:`HrlUsageError` with its error line when it fails."""
    from agents.app.main import main

    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        status = main([str(a) for a in argv])
    if status != 0:
        lines = [line for line in err.getvalue().strip().splitlines() if line.strip()]
        raise HrlUsageError(lines[-1] if lines else f"exit status {status}")


# ---------------------------------------------------------------------------------------------------- shared objects
def point() -> gym.Env:
    """The raw point world."""
    return gym.make(POINT)


def skill_env(n_skills: int = 4) -> gym.Env:
    """The point world with categorical skills."""
    from hrl_wrappers import SkillWrapper

    return SkillWrapper(point(), n_skills=n_skills)


class NestedDictEnv(gym.Env):
    """An env whose observation is a Dict holding a Dict (not supported by the skill agents)."""

    observation_space = spaces.Dict({"outer": spaces.Dict({"x": spaces.Box(-1, 1, (2,), np.float32)})})
    action_space = spaces.Box(-1, 1, (2,), np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        return self.observation_space.sample(), {}

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        return self.observation_space.sample(), 0.0, False, False, {}


class ImageEnv(NestedDictEnv):
    """An env with image observations."""

    observation_space = spaces.Box(0, 255, (8, 8, 3), np.uint8)  # type: ignore[assignment]


@functools.cache
def folder() -> pathlib.Path:
    """A temporary folder for the files of the table."""
    return pathlib.Path(tempfile.mkdtemp(prefix="misuse-"))


@functools.cache
def diayn_model() -> Any:
    """A tiny DIAYN-SAC with 4 skills (untrained)."""
    from agents import DIAYN

    return DIAYN("MlpPolicy", POINT, n_skills=4, policy_kwargs={"net_arch": [8]}, discriminator_arch=[8], seed=0)


@functools.cache
def files() -> dict[str, pathlib.Path]:
    """Saved checkpoints: DIAYN, OptionCritic, a plain PPO, and a truncated and a bit-flipped copy of the DIAYN one."""
    from stable_baselines3 import PPO

    from agents import OptionCritic

    out = folder()
    paths = {name: out / f"{name}.zip" for name in ("diayn", "oc", "ppo", "truncated", "flipped")}
    diayn_model().save(paths["diayn"])
    OptionCritic("MlpPolicy", "CartPole-v1", n_options=2, policy_kwargs={"net_arch": [8]}).save(paths["oc"])
    PPO("MlpPolicy", "CartPole-v1", policy_kwargs={"net_arch": [8]}).save(paths["ppo"])
    data = paths["diayn"].read_bytes()
    paths["truncated"].write_bytes(data[: len(data) // 2])
    flipped = bytearray(data)
    flipped[len(flipped) // 3] ^= 0xFF
    paths["flipped"].write_bytes(bytes(flipped))
    return paths


@functools.cache
def finished_run() -> pathlib.Path:
    """A DIAYN run folder trained to 64 steps by ``hrl train``."""
    run = folder() / "run"
    hrl("train", "diayn", "--env", POINT, "--steps", "64", "--net", "8", "--eval-rollouts", "1", "--run-dir", run)
    return run


def sweep_file(metric: str) -> pathlib.Path:
    """A sweep file of one DIAYN trial measuring ``metric``."""
    path = folder() / f"sweep-{metric}.yaml"
    output = folder() / f"sweep-{metric}"
    path.write_text(f"algorithm: diayn\nseeds: [0]\nmetric: {metric}\noutput: {output}\nbase:\n  env: {POINT}\n  steps: 64\n")
    return path


def diayn_reward(**kwargs: Any) -> Any:
    from hrl_wrappers import DIAYNReward

    return DIAYNReward(skill_env().get_wrapper_attr("skill_layout"), device="cpu", **kwargs)


def dads_reward(**kwargs: Any) -> Any:
    from hrl_wrappers import DADSReward

    return DADSReward(skill_env().get_wrapper_attr("skill_layout"), device="cpu", **kwargs)


def reward_callback(**kwargs: Any) -> Any:
    from hrl_wrappers import IntrinsicRewardCallback

    return IntrinsicRewardCallback(diayn_reward(net_arch=[8]), **kwargs)


def replay_buffer(**kwargs: Any) -> Any:
    from hrl_wrappers import RelabelingReplayBuffer

    env = skill_env()
    options: dict[str, Any] = {"reward": diayn_reward(net_arch=[8]), "device": "cpu", **kwargs}
    return RelabelingReplayBuffer(16, env.observation_space, env.action_space, **options)


def rollout_buffer(**kwargs: Any) -> Any:
    from hrl_wrappers import RelabelingRolloutBuffer

    env = skill_env()
    options: dict[str, Any] = {"reward": diayn_reward(net_arch=[8]), "device": "cpu", **kwargs}
    return RelabelingRolloutBuffer(16, env.observation_space, env.action_space, **options)


def macro(**kwargs: Any) -> Any:
    from hrl_wrappers import CallableSkills, MacroActionWrapper

    env = point()
    skills = CallableSkills([lambda obs: np.zeros(2, np.float32)] * 2, env.observation_space, env.action_space)
    options: dict[str, Any] = {"skills": skills, **kwargs}
    return MacroActionWrapper(env, **options)


def macro_step(action: Any) -> Any:
    wrapper = macro(hold_steps=2)
    wrapper.reset(seed=0)
    return wrapper.step(action)


def agent(name: str, *args: Any, **kwargs: Any) -> Any:
    import agents

    return getattr(agents, name)(*args, **kwargs)


def hiro(**kwargs: Any) -> Any:
    from agents import HIRO

    options: dict[str, Any] = {"policy_kwargs": {"net_arch": [8]}, "learning_starts": 10, **kwargs}
    return HIRO("MlpPolicy", POINT, **options)


def option_critic(**kwargs: Any) -> Any:
    from agents import OptionCritic

    options: dict[str, Any] = {"n_options": 2, "policy_kwargs": {"net_arch": [8]}, **kwargs}
    return OptionCritic("MlpPolicy", "CartPole-v1", **options)


def ppoc(**kwargs: Any) -> Any:
    from agents import PPOC

    options: dict[str, Any] = {"n_options": 2, "n_steps": 16, "batch_size": 16, "policy_kwargs": {"net_arch": [8]}}
    return PPOC("MlpPolicy", "CartPole-v1", **{**options, **kwargs})


def dads(**kwargs: Any) -> Any:
    from agents import DADS

    options: dict[str, Any] = {"skill_dim": 2, "algo": "PPO", "n_steps": 16, "dynamics_arch": [8]}
    options["policy_kwargs"] = {"net_arch": [8]}
    return DADS("MlpPolicy", POINT, **{**options, **kwargs})


@functools.cache
def dads_model() -> Any:
    return dads()


def planner(**kwargs: Any) -> Any:
    from agents import SkillPlanner

    return SkillPlanner(dads_model(), **kwargs)


def controller(**kwargs: Any) -> Any:
    from agents import SkillController

    options: dict[str, Any] = {"skills": files()["diayn"], "hold_steps": 2, "algo": "PPO", "n_steps": 16}
    options["batch_size"] = 16
    return SkillController("MlpPolicy", POINT, **{**options, **kwargs})


def load_skills(*args: Any, **kwargs: Any) -> Any:
    from hrl_wrappers import load_skills as load

    return load(*args, **kwargs)


def evaluate(**kwargs: Any) -> Any:
    from hrl_wrappers import evaluate_skills

    options: dict[str, Any] = {"model": diayn_model(), "env": POINT, "n_rollouts": 1, "max_steps": 5, **kwargs}
    return evaluate_skills(**options)


def prior(name: str, *args: Any, **kwargs: Any) -> Any:
    import hrl_wrappers

    return getattr(hrl_wrappers, name)(*args, **kwargs)


def scale(value: Any, env_id: str = POINT) -> Any:
    from hrl_wrappers import ScaleAction

    return ScaleAction(gym.make(env_id), value)


def skill_wrapper(env: Any = None, **kwargs: Any) -> Any:
    from hrl_wrappers import SkillWrapper

    return SkillWrapper(point() if env is None else env, **kwargs)


def set_skill(skill: Any) -> None:
    env = skill_env(4)
    env.reset(seed=0)
    env.set_skill(skill)


def nan_obs(dim: int = 4) -> np.ndarray:
    obs = np.zeros((3, dim), np.float32)
    obs[1, 0] = np.nan
    return obs


def user_dict_kept() -> None:
    """DIAYN must not write into the caller's policy_kwargs (SAC adds use_sde to the dict it gets)."""
    from agents import DIAYN

    policy_kwargs: dict[str, Any] = {"net_arch": [8]}
    DIAYN("MlpPolicy", POINT, n_skills=2, policy_kwargs=policy_kwargs, discriminator_arch=[8])
    if policy_kwargs != {"net_arch": [8]}:
        raise AssertionError(f"policy_kwargs was changed to {policy_kwargs}")
    raise ValueError("policy_kwargs left as given: {'net_arch': [8]}")


# ---------------------------------------------------------------------------------------------------- for the table
VE, TE, FE = ValueError, TypeError, FileNotFoundError
ARG = (ValueError, TypeError)
H = HrlUsageError
nan = math.nan
