"""The misuse table: what a user can get wrong through the public API and ``hrl``, and the error each case must give.

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
    path.write_text(f"algorithm: diayn\nseeds: [0]\nmetric: {metric}\nbase:\n  env: {POINT}\n  steps: 64\n")
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


# ---------------------------------------------------------------------------------------------------- the table
VE, TE, FE = ValueError, TypeError, FileNotFoundError
ARG = (ValueError, TypeError)
H = HrlUsageError
nan = math.nan


def _cases() -> list[Case]:
    f = files
    return [
        # ---- SkillWrapper
        Case("wrapper-n_skills-0", "SkillWrapper(env, n_skills=0)", lambda: skill_wrapper(n_skills=0), ARG, r"n_skills.*0"),
        Case("wrapper-n_skills-float", "SkillWrapper(env, n_skills=2.5)", lambda: skill_wrapper(n_skills=2.5), ARG, r"n_skills.*2\.5"),
        Case("wrapper-n_skills-str", "SkillWrapper(env, n_skills='4')", lambda: skill_wrapper(n_skills="4"), ARG, r"n_skills.*'4'"),
        Case("wrapper-both", "SkillWrapper(env, n_skills=4, skill_dim=2)", lambda: skill_wrapper(n_skills=4, skill_dim=2), ARG, r"exactly one of n_skills.*skill_dim"),
        Case("wrapper-skill_dim-0", "SkillWrapper(env, skill_dim=0)", lambda: skill_wrapper(skill_dim=0), ARG, r"skill_dim.*0"),
        Case("wrapper-distribution", "SkillWrapper(env, skill_dim=2, distribution='beta')", lambda: skill_wrapper(skill_dim=2, distribution="beta"), ARG, r"distribution.*beta"),
        Case("wrapper-probs-sum", "SkillWrapper(env, n_skills=2, skill_probs=[0.5, 0.6])", lambda: skill_wrapper(n_skills=2, skill_probs=[0.5, 0.6]), ARG, r"probs must be 2 positive numbers summing to 1.*0\.6"),
        Case("wrapper-probs-len", "SkillWrapper(env, n_skills=2, skill_probs=[1.0])", lambda: skill_wrapper(n_skills=2, skill_probs=[1.0]), ARG, r"probs must be 2 positive numbers.*\[1\.0\]"),
        Case("wrapper-obs_mode", "SkillWrapper(env, n_skills=2, obs_mode='stack')", lambda: skill_wrapper(n_skills=2, obs_mode="stack"), ARG, r"obs_mode.*stack"),
        Case("wrapper-resample-0", "SkillWrapper(env, n_skills=2, resample_every=0)", lambda: skill_wrapper(n_skills=2, resample_every=0), ARG, r"resample_every.*0"),
        Case("wrapper-resample-neg", "SkillWrapper(env, n_skills=2, resample_every=-1)", lambda: skill_wrapper(n_skills=2, resample_every=-1), ARG, r"resample_every.*-1"),
        Case("wrapper-env-str", "SkillWrapper('PointWorld', n_skills=2)", lambda: skill_wrapper("PointWorld", n_skills=2), ARG, r"env.*gymnasium\.Env.*str"),
        Case("wrapper-nested-dict", "SkillWrapper(env with a Dict inside a Dict, n_skills=2)", lambda: skill_wrapper(NestedDictEnv(), n_skills=2), ARG, r"nested Dict.*outer.*FlattenObservation"),
        Case("wrapper-set_skill-range", "env.set_skill(7) with n_skills=4", lambda: set_skill(7), ARG, r"skill must be in \[0, 4\).*7"),
        Case("wrapper-set_skill-nan", "env.set_skill(nan) with n_skills=4", lambda: set_skill(nan), ARG, r"skill must be an int in \[0, 4\).*nan"),
        # ---- MacroActionWrapper
        Case("macro-skills-list", "MacroActionWrapper(env, skills=[policy])", lambda: macro(skills=[lambda o: o]), ARG, r"skills must be a skill set.*list"),
        Case("macro-hold-0", "MacroActionWrapper(env, skills, hold_steps=0)", lambda: macro(hold_steps=0), ARG, r"hold_steps.*0"),
        Case("macro-hold-float", "MacroActionWrapper(env, skills, hold_steps=1.5)", lambda: macro(hold_steps=1.5), ARG, r"hold_steps.*1\.5"),
        Case("macro-gamma-big", "MacroActionWrapper(env, skills, gamma=1.5)", lambda: macro(gamma=1.5), ARG, r"gamma.*1\.5"),
        Case("macro-gamma-neg", "MacroActionWrapper(env, skills, gamma=-0.1)", lambda: macro(gamma=-0.1), ARG, r"gamma.*-0\.1"),
        Case("macro-skill_obs", "MacroActionWrapper(env, skills, skill_obs=[9])", lambda: macro(skill_obs=[9]), ARG, r"skill_obs.*9"),
        Case("macro-step-range", "wrapper.step(5) with 2 skills", lambda: macro_step(5), ARG, r"action must be a skill index in \[0, 2\), got 5"),
        # ---- ScaleAction
        Case("scale-0", "ScaleAction(env, 0)", lambda: scale(0), ARG, r"scale.*0"),
        Case("scale-neg", "ScaleAction(env, -1)", lambda: scale(-1), ARG, r"scale.*-1"),
        Case("scale-nan", "ScaleAction(env, nan)", lambda: scale(nan), ARG, r"scale.*nan"),
        Case("scale-str", "ScaleAction(env, 'big')", lambda: scale("big"), ARG, r"scale.*big"),
        Case("scale-discrete", "ScaleAction(CartPole, 0.5)", lambda: scale(0.5, "CartPole-v1"), ARG, r"env: ScaleAction needs a Box action space.*Discrete"),
        Case("scale-shape", "ScaleAction(env, [1, 2, 3]) on 2-D actions", lambda: scale([1.0, 2.0, 3.0]), ARG, r"scale.*(shape|2)"),
        # ---- priors
        Case("prior-categorical-0", "CategoricalPrior(0)", lambda: prior("CategoricalPrior", 0), ARG, r"n_skills.*0"),
        Case("prior-probs-len", "CategoricalPrior(3, probs=[0.5, 0.5])", lambda: prior("CategoricalPrior", 3, probs=[0.5, 0.5]), ARG, r"probs must be 3 positive numbers.*\[0\.5, 0\.5\]"),
        Case("prior-probs-neg", "CategoricalPrior(2, probs=[1.5, -0.5])", lambda: prior("CategoricalPrior", 2, probs=[1.5, -0.5]), ARG, r"probs must be 2 positive numbers.*-0\.5"),
        Case("prior-uniform-0", "UniformPrior(0)", lambda: prior("UniformPrior", 0), ARG, r"skill_dim.*0"),
        Case("prior-uniform-bounds", "UniformPrior(2, low=1, high=0)", lambda: prior("UniformPrior", 2, low=1.0, high=0.0), ARG, r"low.*high"),
        Case("prior-gaussian-neg", "GaussianPrior(-1)", lambda: prior("GaussianPrior", -1), ARG, r"skill_dim.*-1"),
        Case("prior-make-both", "make_prior(n_skills=2, skill_dim=2)", lambda: prior("make_prior", n_skills=2, skill_dim=2), ARG, r"n_skills.*skill_dim"),
        Case("prior-make-dist", "make_prior(skill_dim=2, distribution='beta')", lambda: prior("make_prior", skill_dim=2, distribution="beta"), ARG, r"distribution.*beta"),
        Case("prior-validate-range", "CategoricalPrior(4).validate(7)", lambda: prior("CategoricalPrior", 4).validate(7, "skill"), ARG, r"skill.*7"),
        Case("prior-validate-nan", "UniformPrior(2).validate([nan, 0])", lambda: prior("UniformPrior", 2).validate([nan, 0.0], "skill"), ARG, r"skill must be finite.*nan"),
        Case("prior-validate-shape", "UniformPrior(2).validate([0, 0, 0])", lambda: prior("UniformPrior", 2).validate([0.0, 0.0, 0.0], "skill"), ARG, r"skill must have shape \(2,\).*\(3,\)"),
        # ---- DIAYNReward
        Case("diayn_reward-features-float", "DIAYNReward(layout, features=[1.7])", lambda: diayn_reward(features=[1.7]), ARG, r"features.*1\.7"),
        Case("diayn_reward-features-range", "DIAYNReward(layout, features=[99])", lambda: diayn_reward(features=[99]), ARG, r"features.*99"),
        Case("diayn_reward-net_arch-0", "DIAYNReward(layout, net_arch=[0])", lambda: diayn_reward(net_arch=[0]), ARG, r"net_arch.*\[0\]"),
        Case("diayn_reward-lr", "DIAYNReward(layout, learning_rate=-1)", lambda: diayn_reward(learning_rate=-1.0), ARG, r"learning_rate.*-1"),
        Case("diayn_reward-noise", "DIAYNReward(layout, feature_noise=-0.1)", lambda: diayn_reward(feature_noise=-0.1), ARG, r"feature_noise.*-0\.1"),
        Case("diayn_reward-layout", "DIAYNReward(gym env)", lambda: prior("DIAYNReward", point()), ARG, r"layout must be the SkillLayout.*TimeLimit.*for_env"),
        Case("diayn_reward-for_env", "DIAYNReward.for_env(env without SkillWrapper)", lambda: prior("DIAYNReward").for_env(point()) if False else __import__("hrl_wrappers").DIAYNReward.for_env(point()), ARG, r"SkillWrapper"),
        Case("diayn_reward-nan", "reward.reward(obs with NaN, next_obs)", lambda: diayn_reward(net_arch=[8]).reward(nan_obs(6), np.zeros((3, 6), np.float32)), ARG, r"obs contains NaN"),
        # ---- DADSReward
        Case("dads_reward-features-float", "DADSReward(layout, features=[1.7])", lambda: dads_reward(features=[1.7]), ARG, r"features.*1\.7"),
        Case("dads_reward-input-range", "DADSReward(layout, input_features=[50])", lambda: dads_reward(input_features=[50]), ARG, r"input_features.*50"),
        Case("dads_reward-experts-0", "DADSReward(layout, n_experts=0)", lambda: dads_reward(n_experts=0), ARG, r"n_experts.*0"),
        Case("dads_reward-net_arch-0", "DADSReward(layout, net_arch=[0])", lambda: dads_reward(net_arch=[0]), ARG, r"net_arch.*\[0\]"),
        Case("dads_reward-alternatives-0", "DADSReward(layout, n_alternatives=0)", lambda: dads_reward(n_alternatives=0), ARG, r"n_alternatives.*0"),
        Case("dads_reward-clip", "DADSReward(layout, clip=-1)", lambda: dads_reward(clip=-1.0), ARG, r"clip.*-1"),
        Case("dads_reward-nan", "reward.reward(obs, next_obs with NaN)", lambda: dads_reward(net_arch=[8]).reward(np.zeros((3, 6), np.float32), nan_obs(6)), ARG, r"next_obs contains NaN"),
        # ---- relabelling buffers
        Case("replay-coef-nan", "RelabelingReplayBuffer(..., intrinsic_coef=nan)", lambda: replay_buffer(intrinsic_coef=nan), ARG, r"intrinsic_coef.*nan"),
        Case("replay-extrinsic-str", "RelabelingReplayBuffer(..., extrinsic_coef='1')", lambda: replay_buffer(extrinsic_coef="1"), ARG, r"extrinsic_coef must be a finite number, got '1'"),
        Case("replay-reward-type", "RelabelingReplayBuffer(..., reward='diayn')", lambda: replay_buffer(reward="diayn"), ARG, r"reward must be an hrl_wrappers IntrinsicReward.*str"),
        Case("replay-space", "RelabelingReplayBuffer(raw obs space, reward of a skill layout)", lambda: __import__("hrl_wrappers").RelabelingReplayBuffer(16, point().observation_space, point().action_space, reward=diayn_reward(net_arch=[8])), ARG, r"observation_space|observation space"),
        Case("rollout-coef-nan", "RelabelingRolloutBuffer(..., intrinsic_coef=nan)", lambda: rollout_buffer(intrinsic_coef=nan), ARG, r"intrinsic_coef.*nan"),
        Case("rollout-reward-type", "RelabelingRolloutBuffer(..., reward=3)", lambda: rollout_buffer(reward=3), ARG, r"reward must be an hrl_wrappers IntrinsicReward.*int"),
        # ---- IntrinsicRewardCallback
        Case("callback-reward-type", "IntrinsicRewardCallback(reward='diayn')", lambda: prior("IntrinsicRewardCallback", "diayn"), ARG, r"reward must be an hrl_wrappers IntrinsicReward.*str"),
        Case("callback-batch-0", "IntrinsicRewardCallback(reward, batch_size=0)", lambda: reward_callback(batch_size=0), ARG, r"batch_size.*0"),
        Case("callback-ratio-neg", "IntrinsicRewardCallback(reward, update_ratio=-1)", lambda: reward_callback(update_ratio=-1.0), ARG, r"update_ratio.*-1"),
        Case("callback-epochs-0", "IntrinsicRewardCallback(reward, n_epochs=0)", lambda: reward_callback(n_epochs=0), ARG, r"n_epochs.*0"),
        Case("callback-track-0", "IntrinsicRewardCallback(reward, track_every=0)", lambda: reward_callback(track_every=0), ARG, r"track_every.*0"),
        Case("callback-grad-neg", "IntrinsicRewardCallback(reward, max_grad_norm=-1)", lambda: reward_callback(max_grad_norm=-1.0), ARG, r"max_grad_norm.*-1"),
        # ---- DIAYN
        Case("diayn-features-float", "DIAYN(..., features=[1.7])", lambda: agent("DIAYN", "MlpPolicy", POINT, features=[1.7]), ARG, r"features.*1\.7.*integer"),
        Case("diayn-features-range", "DIAYN(..., features=[99])", lambda: agent("DIAYN", "MlpPolicy", POINT, features=[99]), ARG, r"features.*99"),
        Case("diayn-arch-0", "DIAYN(..., discriminator_arch=[0])", lambda: agent("DIAYN", "MlpPolicy", POINT, discriminator_arch=[0]), ARG, r"discriminator_arch.*>= 1.*\[0\]"),
        Case("diayn-n_skills-0", "DIAYN(..., n_skills=0)", lambda: agent("DIAYN", "MlpPolicy", POINT, n_skills=0), ARG, r"n_skills.*0"),
        Case("diayn-both", "DIAYN(..., n_skills=4, skill_dim=2)", lambda: agent("DIAYN", "MlpPolicy", POINT, n_skills=4, skill_dim=2), ARG, r"n_skills.*skill_dim"),
        Case("diayn-algo", "DIAYN(..., algo='DQN')", lambda: agent("DIAYN", "MlpPolicy", POINT, algo="DQN"), ARG, r"algo.*DQN"),
        Case("diayn-class-algo", "DIAYNSAC(..., algo='PPO')", lambda: agent("DIAYNSAC", "MlpPolicy", POINT, algo="PPO"), ARG, r"algo='PPO'"),
        Case("diayn-sac-discrete", "DIAYN(..., 'CartPole-v1') on SAC", lambda: agent("DIAYN", "MlpPolicy", "CartPole-v1", n_skills=2), ARG, r"Discrete.*algo='PPO'"),
        Case("diayn-cnn", "DIAYN('CnnPolicy', ...)", lambda: agent("DIAYN", "CnnPolicy", POINT), ARG, r"CnnPolicy"),
        Case("diayn-image", "DIAYN(..., image env)", lambda: agent("DIAYN", "MlpPolicy", ImageEnv(), n_skills=2), ARG, r"observation.*image"),
        Case("diayn-nested", "DIAYN(..., env with nested Dict observations)", lambda: agent("DIAYN", "MlpPolicy", NestedDictEnv(), n_skills=2), ARG, r"nested Dict.*outer.*FlattenObservation"),
        Case("diayn-env-id", "DIAYN(..., 'NoSuchEnv-v0')", lambda: agent("DIAYN", "MlpPolicy", "NoSuchEnv-v0"), (*ARG, gym.error.Error), r"NoSuchEnv.*doesn't exist"),
        Case("diayn-env-int", "DIAYN(..., env=42)", lambda: agent("DIAYN", "MlpPolicy", 42), ARG, r"env must be a Gymnasium id.*got int"),
        Case("diayn-n_envs-0", "DIAYN(..., n_envs=0)", lambda: agent("DIAYN", "MlpPolicy", POINT, n_envs=0), ARG, r"n_envs.*0"),
        Case("diayn-learn-neg", "model.learn(-5)", lambda: diayn_model().learn(-5), ARG, r"total_timesteps.*-5"),
        Case("diayn-learn-float", "model.learn(2.5)", lambda: diayn_model().learn(2.5), ARG, r"total_timesteps.*2\.5"),
        Case("diayn-predict-raw", "model.predict(raw observation)", lambda: diayn_model().predict(np.zeros(2, np.float32)), ARG, r"observation.*skill.*predict_skill"),
        Case("diayn-predict_skill-range", "model.predict_skill(obs, skill=9) with 4 skills", lambda: diayn_model().predict_skill([0.0, 0.0], skill=9), ARG, r"skill.*9"),
        Case("diayn-predict_skill-nan", "model.predict_skill([nan, 0], skill=0)", lambda: diayn_model().predict_skill([nan, 0.0], skill=0), ARG, r"observation contains NaN"),
        Case("diayn-predict_skill-shape", "model.predict_skill([0, 0, 0], skill=0)", lambda: diayn_model().predict_skill([0.0, 0.0, 0.0], skill=0), ARG, r"observation.*shape"),
        Case("diayn-predict_skill-count", "model.predict_skill(2 observations, skill=[0, 1, 2])", lambda: diayn_model().predict_skill(np.zeros((2, 2)), skill=[0, 1, 2]), ARG, r"skill must be one skill or one per observation \(2\), got 3"),
        Case("diayn-load-missing", "DIAYN.load('nope.zip')", lambda: agent("DIAYN").load(folder() / "nope.zip") if False else __import__("agents").DIAYN.load(folder() / "nope.zip"), FE, r"nope\.zip' does not exist"),
        Case("diayn-load-truncated", "DIAYN.load(truncated zip)", lambda: __import__("agents").DIAYN.load(f()["truncated"]), VE, r"truncated\.zip.*not a valid or complete checkpoint"),
        Case("diayn-load-flipped", "DIAYN.load(zip with a flipped byte)", lambda: __import__("agents").DIAYN.load(f()["flipped"]), VE, r"flipped\.zip.*not a valid or complete checkpoint"),
        Case("diayn-load-oc", "DIAYN.load(OptionCritic checkpoint)", lambda: __import__("agents").DIAYN.load(f()["oc"]), VE, r"not a DIAYN checkpoint.*OptionCritic"),
        Case("diayn-load-ppo", "DIAYNSAC.load(plain PPO checkpoint)", lambda: __import__("agents").DIAYNSAC.load(f()["ppo"]), VE, r"not a DIAYN checkpoint.*plain SB3"),
        Case("diayn-dicts-kept", "DIAYN(..., policy_kwargs=d): d unchanged", user_dict_kept, VE, r"policy_kwargs left as given"),
        # ---- DADS
        Case("dads-features-float", "DADS(..., features=[1.7])", lambda: dads(features=[1.7]), ARG, r"features.*1\.7.*integer"),
        Case("dads-arch-0", "DADS(..., dynamics_arch=[0])", lambda: dads(dynamics_arch=[0]), ARG, r"dynamics_arch.*>= 1.*\[0\]"),
        Case("dads-sac-discrete", "DADS(..., 'CartPole-v1', algo='SAC')", lambda: agent("DADS", "MlpPolicy", "CartPole-v1", skill_dim=2, algo="SAC"), ARG, r"Discrete.*algo='PPO'"),
        Case("dads-schedule", "DADS(..., schedule='weekly')", lambda: dads(schedule="weekly"), ARG, r"schedule.*weekly"),
        Case("dads-experts-0", "DADS(..., n_experts=0)", lambda: dads(n_experts=0), ARG, r"n_experts.*0"),
        Case("dads-skill_dim-0", "DADS(..., skill_dim=0)", lambda: dads(skill_dim=0), ARG, r"skill_dim.*0"),
        Case("dads-hide", "DADS(..., hide_features=True) without features", lambda: dads(hide_features=True), ARG, r"hide_features.*features"),
        Case("dads-learn-neg", "model.learn(-5)", lambda: dads_model().learn(-5), ARG, r"total_timesteps.*-5"),
        # ---- SkillPlanner
        Case("planner-model", "SkillPlanner(DIAYN model)", lambda: __import__("agents").SkillPlanner(diayn_model()), ARG, r"model must be a trained DADS agent.*DIAYNSAC"),
        Case("planner-horizon-0", "SkillPlanner(model, horizon=0)", lambda: planner(horizon=0), ARG, r"horizon.*0"),
        Case("planner-candidates-0", "SkillPlanner(model, n_candidates=0)", lambda: planner(n_candidates=0), ARG, r"n_candidates.*0"),
        Case("planner-reward_type", "SkillPlanner(model, reward_type='dens')", lambda: planner(reward_type="dens"), ARG, r"reward_type.*dens"),
        Case("planner-temperature", "SkillPlanner(model, temperature=0)", lambda: planner(temperature=0.0), ARG, r"temperature.*0"),
        Case("planner-goal-shape", "planner.plan(obs, goal=[1, 2, 3])", lambda: planner().plan(np.zeros(2, np.float32), [1.0, 2.0, 3.0]), ARG, r"goal must have 2 entries.*got 3"),
        Case("planner-goal-nan", "planner.plan(obs, goal=[nan, 0])", lambda: planner().plan(np.zeros(2, np.float32), [nan, 0.0]), ARG, r"goal must be finite.*nan"),
        # ---- HIRO
        Case("hiro-c-float", "HIRO(..., c=2.5)", lambda: hiro(c=2.5), ARG, r"c must be a whole number >= 1.*2\.5"),
        Case("hiro-c-0", "HIRO(..., c=0)", lambda: hiro(c=0), ARG, r"\bc\b.*>= 1.*0"),
        Case("hiro-batch-0", "HIRO(..., batch_size=0)", lambda: hiro(batch_size=0), ARG, r"batch_size.*>= 1.*0"),
        Case("hiro-algo", "HIRO(..., algo='PPO')", lambda: hiro(algo="PPO"), ARG, r"algo.*PPO"),
        Case("hiro-goal_indices", "HIRO(..., goal_indices=[9])", lambda: hiro(goal_indices=[9]), ARG, r"goal_indices.*9"),
        Case("hiro-candidates", "HIRO(..., n_candidates=1)", lambda: hiro(n_candidates=1), ARG, r"n_candidates.*1"),
        Case("hiro-hindsight", "HIRO(..., high_hindsight=2)", lambda: hiro(high_hindsight=2.0), ARG, r"high_hindsight.*2"),
        Case("hiro-goal_range", "HIRO(..., goal_range=-1)", lambda: hiro(goal_range=-1.0), ARG, r"goal_range.*-1"),
        Case("hiro-learn-neg", "model.learn(-5)", lambda: hiro().learn(-5), ARG, r"total_timesteps.*-5"),
        Case("hiro-load-diayn", "HIRO.load(DIAYN checkpoint)", lambda: __import__("agents").HIRO.load(f()["diayn"]), VE, r"not a HIRO checkpoint"),
        Case("hiro-load-missing", "HIRO.load('nope.zip')", lambda: __import__("agents").HIRO.load(folder() / "nope.zip"), FE, r"nope\.zip' does not exist"),
        # ---- OptionCritic, PPOC
        Case("oc-options-0", "OptionCritic(..., n_options=0)", lambda: option_critic(n_options=0), ARG, r"n_options.*0"),
        Case("oc-policy_kwargs", "OptionCritic(..., policy_kwargs={'n_options': 3})", lambda: option_critic(policy_kwargs={"n_options": 3}), ARG, r"policy_kwargs.*n_options"),
        Case("oc-nested", "OptionCritic(nested Dict env)", lambda: __import__("agents").OptionCritic("MlpPolicy", NestedDictEnv()), ARG, r"observation_space must be a Box or Discrete.*flatten"),
        Case("oc-learn-neg", "model.learn(-5)", lambda: option_critic().learn(-5), ARG, r"total_timesteps.*-5"),
        Case("oc-load-diayn", "OptionCritic.load(DIAYN checkpoint)", lambda: __import__("agents").OptionCritic.load(f()["diayn"]), VE, r"not an OptionCritic checkpoint.*DIAYN"),
        Case("oc-load-truncated", "OptionCritic.load(truncated zip)", lambda: __import__("agents").OptionCritic.load(f()["truncated"]), VE, r"truncated\.zip.*not a valid or complete"),
        Case("ppoc-clip", "PPOC(..., clip_range=-0.1)", lambda: ppoc(clip_range=-0.1), ARG, r"clip_range.*-0\.1"),
        Case("ppoc-epochs-0", "PPOC(..., n_epochs=0)", lambda: ppoc(n_epochs=0), ARG, r"n_epochs.*0"),
        Case("ppoc-learn-neg", "model.learn(-5)", lambda: ppoc().learn(-5), ARG, r"total_timesteps.*-5"),
        # ---- SkillController
        Case("controller-skills-none", "SkillController(..., skills=None)", lambda: controller(skills=None), ARG, r"skills must be given: a path"),
        Case("controller-skills-int", "SkillController(..., skills=3)", lambda: controller(skills=3), ARG, r"skills must be a path.*got int"),
        Case("controller-hold-0", "SkillController(..., hold_steps=0)", lambda: controller(hold_steps=0), ARG, r"hold_steps.*0"),
        Case("controller-store", "SkillController(..., store_skills='move')", lambda: controller(store_skills="move"), ARG, r"store_skills.*move"),
        Case("controller-algo", "SkillController(..., algo='TD3')", lambda: controller(algo="TD3"), ARG, r"algo.*TD3"),
        Case("controller-learn-neg", "model.learn(-5)", lambda: controller().learn(-5), ARG, r"total_timesteps.*-5"),
        # ---- load_skills
        Case("load_skills-oc", "load_skills(oc.zip)", lambda: load_skills(f()["oc"]), VE, r"OptionCritic checkpoint, not a skill model"),
        Case("load_skills-oc-n", "load_skills(oc.zip, n_skills=2)", lambda: load_skills(f()["oc"], n_skills=2), VE, r"OptionCritic checkpoint, not a skill model.*OptionCritic\.load"),
        Case("load_skills-missing", "load_skills('nope.zip')", lambda: load_skills(folder() / "nope.zip"), FE, r"nope\.zip' does not exist"),
        Case("load_skills-truncated", "load_skills(truncated zip)", lambda: load_skills(f()["truncated"]), VE, r"not a valid or complete skill model"),
        Case("load_skills-plain", "load_skills(plain PPO zip)", lambda: load_skills(f()["ppo"]), VE, r"ppo\.zip.*plain SB3 checkpoint.*n_skills=.*skill_dim="),
        Case("load_skills-index", "load_skills(diayn.zip, skills=[9])", lambda: load_skills(f()["diayn"], skills=[9]), ARG, r"skills has indices \[9\] outside \[0, 4\)"),
        Case("load_skills-env", "load_skills(diayn.zip, env=CartPole)", lambda: load_skills(f()["diayn"], env=gym.make("CartPole-v1")), ARG, r"observation.*skill_obs"),
        # ---- evaluate_skills
        Case("evaluate-rollouts-0", "evaluate_skills(model, env, n_rollouts=0)", lambda: evaluate(n_rollouts=0), ARG, r"n_rollouts.*0"),
        Case("evaluate-cell-0", "evaluate_skills(model, env, cell_size=0)", lambda: evaluate(cell_size=0.0), ARG, r"cell_size.*0"),
        Case("evaluate-skills-range", "evaluate_skills(model, env, skills=[99])", lambda: evaluate(skills=[99]), ARG, r"skills\[0\] must be in \[0, 4\).*99"),
        Case("evaluate-env", "evaluate_skills(model, 'CartPole-v1')", lambda: evaluate(env="CartPole-v1"), ARG, r"env's observation space.*does not match"),
        Case("evaluate-max_steps-0", "evaluate_skills(model, env, max_steps=0)", lambda: evaluate(max_steps=0), ARG, r"max_steps.*0"),
        # ---- hrl
        Case("hrl-steps-neg", "hrl train diayn --steps -5", lambda: hrl("train", "diayn", "--env", POINT, "--steps", "-5"), H, r"--steps.*-5"),
        Case("hrl-env-unknown", "hrl train diayn --env NoSuchEnv-v0", lambda: hrl("train", "diayn", "--env", "NoSuchEnv-v0", "--steps", "10"), H, r"--env 'NoSuchEnv-v0'"),
        Case("hrl-env-kwargs-typo", "hrl train diayn --env-kwargs '{\"max_episod_steps\": 5}'", lambda: hrl("train", "diayn", "--env", POINT, "--env-kwargs", '{"max_episod_steps": 5}', "--steps", "10", "--run-dir", folder() / "r1"), H, r"--env-kwargs.*max_episod_steps.*max_episode_steps"),
        Case("hrl-env-kwargs-json", "hrl train diayn --env-kwargs '{max: 5'", lambda: hrl("train", "diayn", "--env", POINT, "--env-kwargs", "{max: 5"), H, r"--env-kwargs: expected a JSON object"),
        Case("hrl-algo-kwargs-typo", "hrl train diayn --algo-kwargs '{\"learning_rat\": 1}'", lambda: hrl("train", "diayn", "--env", POINT, "--algo-kwargs", '{"learning_rat": 1}', "--steps", "10", "--run-dir", folder() / "r2"), H, r"--algo-kwargs.*learning_rat"),
        Case("hrl-algo", "hrl train diayn --algo DQN", lambda: hrl("train", "diayn", "--env", POINT, "--algo", "DQN"), H, r"--algo.*DQN"),
        Case("hrl-sac-discrete", "hrl train diayn --env CartPole-v1 (SAC)", lambda: hrl("train", "diayn", "--env", "CartPole-v1", "--steps", "10", "--run-dir", folder() / "r3"), H, r"Discrete.*--algo PPO"),
        Case("hrl-n-skills-0", "hrl train diayn --n-skills 0", lambda: hrl("train", "diayn", "--env", POINT, "--n-skills", "0"), H, r"--n-skills.*0"),
        Case("hrl-resume-missing", "hrl train --resume missing-run", lambda: hrl("train", "--resume", folder() / "missing-run"), H, r"--resume '.*missing-run' is not a run folder"),
        Case("hrl-resume-fewer-steps", "hrl train --resume RUN --steps 10 (RUN trained 64 steps)", lambda: hrl("train", "--resume", finished_run(), "--steps", "10"), H, r"--steps 10 is below the 64 steps"),
        Case("hrl-resume-options", "hrl train --resume RUN diayn --env ENV --steps 10", lambda: hrl("train", "--resume", finished_run(), "diayn", "--env", POINT, "--steps", "10"), H, r"--resume RUN continues RUN with its own options"),
        Case("hrl-eval-missing", "hrl eval missing-run", lambda: hrl("eval", folder() / "missing-run"), H, r"RUN '.*missing-run' is not a run folder"),
        Case("hrl-plot-missing", "hrl plot missing-run", lambda: hrl("plot", folder() / "missing-run"), H, r"RUN '.*missing-run' is not a run folder"),
        Case("hrl-plan-diayn", "hrl plan RUN (a DIAYN run)", lambda: hrl("plan", finished_run(), "--goal", "1", "1"), H, r"DADS agent.*DIAYN"),
        Case("hrl-sweep-missing", "hrl sweep missing.yaml", lambda: hrl("sweep", folder() / "missing.yaml"), H, r"sweep file '.*missing\.yaml' does not exist"),
        Case("hrl-sweep-metric", "hrl sweep FILE (metric: accuarcy)", lambda: hrl("sweep", sweep_file("accuarcy")), H, r"metric 'accuarcy'.*did you mean 'accuracy'"),
        Case("hrl-command", "hrl trian", lambda: hrl("trian"), H, r"COMMAND.*'trian'"),
    ]


CASES: list[Case] = _cases()
