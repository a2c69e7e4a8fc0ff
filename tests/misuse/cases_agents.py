"""Misuse cases of the agents (DIAYN, DADS, SkillPlanner, METRA, LSD, reach_goal, HIRO, OptionCritic, PPOC,
SkillController)."""

# ruff: noqa: F403, F405  (the shared objects of the table, imported by name would repeat them all)
from __future__ import annotations

import functools
from typing import Any

from misuse_fixtures import *

__all__ = ["cases"]


def metra(name: str = "METRA", **kwargs: Any) -> Any:
    """A tiny METRA (or LSD) on the point world (untrained)."""
    import agents

    options: dict[str, Any] = {"phi_arch": [8], "policy_kwargs": {"net_arch": [8]}, "seed": 0, **kwargs}
    return getattr(agents, name)("MlpPolicy", POINT, **options)


@functools.cache
def metra_model() -> Any:
    """A tiny METRA with unit-vector skills (untrained), built once."""
    return metra()


def reach(**kwargs: Any) -> Any:
    """``reach_goal`` with :func:`metra_model` in the point world, towards (1, 0) by default."""
    from agents import reach_goal

    options: dict[str, Any] = {"goal": [1.0, 0.0], "goal_indices": [0, 1], "max_steps": 5, **kwargs}
    return reach_goal(metra_model(), point(), **options)


def cases() -> list[Case]:
    """The cases of this part of the table."""
    f = files
    return [
        # ---- DIAYN
        Case(
            "diayn-features-float",
            "DIAYN(..., features=[1.7])",
            lambda: agent("DIAYN", "MlpPolicy", POINT, features=[1.7]),
            ARG,
            r"features.*1\.7.*integer",
        ),
        Case(
            "diayn-features-range",
            "DIAYN(..., features=[99])",
            lambda: agent("DIAYN", "MlpPolicy", POINT, features=[99]),
            ARG,
            r"features.*99",
        ),
        Case(
            "diayn-arch-0",
            "DIAYN(..., discriminator_arch=[0])",
            lambda: agent("DIAYN", "MlpPolicy", POINT, discriminator_arch=[0]),
            ARG,
            r"discriminator_arch.*>= 1.*\[0\]",
        ),
        Case(
            "diayn-n_skills-0",
            "DIAYN(..., n_skills=0)",
            lambda: agent("DIAYN", "MlpPolicy", POINT, n_skills=0),
            ARG,
            r"n_skills.*0",
        ),
        Case(
            "diayn-both",
            "DIAYN(..., n_skills=4, skill_dim=2)",
            lambda: agent("DIAYN", "MlpPolicy", POINT, n_skills=4, skill_dim=2),
            ARG,
            r"n_skills.*skill_dim",
        ),
        Case(
            "diayn-algo", "DIAYN(..., algo='DQN')", lambda: agent("DIAYN", "MlpPolicy", POINT, algo="DQN"), ARG, r"algo.*DQN"
        ),
        Case(
            "diayn-class-algo",
            "DIAYNSAC(..., algo='PPO')",
            lambda: agent("DIAYNSAC", "MlpPolicy", POINT, algo="PPO"),
            ARG,
            r"algo='PPO'",
        ),
        Case(
            "diayn-sac-discrete",
            "DIAYN(..., 'CartPole-v1') on SAC",
            lambda: agent("DIAYN", "MlpPolicy", "CartPole-v1", n_skills=2),
            ARG,
            r"Discrete.*algo='PPO'",
        ),
        Case("diayn-cnn", "DIAYN('CnnPolicy', ...)", lambda: agent("DIAYN", "CnnPolicy", POINT), ARG, r"CnnPolicy"),
        Case(
            "diayn-image",
            "DIAYN(..., image env)",
            lambda: agent("DIAYN", "MlpPolicy", ImageEnv(), n_skills=2),
            ARG,
            r"observation.*image",
        ),
        Case(
            "diayn-nested",
            "DIAYN(..., env with nested Dict observations)",
            lambda: agent("DIAYN", "MlpPolicy", NestedDictEnv(), n_skills=2),
            ARG,
            r"nested Dict.*outer.*FlattenObservation",
        ),
        Case(
            "diayn-env-id",
            "DIAYN(..., 'NoSuchEnv-v0')",
            lambda: agent("DIAYN", "MlpPolicy", "NoSuchEnv-v0"),
            (*ARG, gym.error.Error),
            r"NoSuchEnv.*doesn't exist",
        ),
        Case(
            "diayn-env-int",
            "DIAYN(..., env=42)",
            lambda: agent("DIAYN", "MlpPolicy", 42),
            ARG,
            r"env must be a Gymnasium id.*got int",
        ),
        Case(
            "diayn-n_envs-0", "DIAYN(..., n_envs=0)", lambda: agent("DIAYN", "MlpPolicy", POINT, n_envs=0), ARG, r"n_envs.*0"
        ),
        Case("diayn-learn-neg", "model.learn(-5)", lambda: diayn_model().learn(-5), ARG, r"total_timesteps.*-5"),
        Case("diayn-learn-float", "model.learn(2.5)", lambda: diayn_model().learn(2.5), ARG, r"total_timesteps.*2\.5"),
        Case(
            "diayn-predict-raw",
            "model.predict(raw observation)",
            lambda: diayn_model().predict(np.zeros(2, np.float32)),
            ARG,
            r"observation.*skill.*predict_skill",
        ),
        Case(
            "diayn-predict_skill-range",
            "model.predict_skill(obs, skill=9) with 4 skills",
            lambda: diayn_model().predict_skill([0.0, 0.0], skill=9),
            ARG,
            r"skill.*9",
        ),
        Case(
            "diayn-predict_skill-nan",
            "model.predict_skill([nan, 0], skill=0)",
            lambda: diayn_model().predict_skill([nan, 0.0], skill=0),
            ARG,
            r"observation contains NaN",
        ),
        Case(
            "diayn-predict_skill-shape",
            "model.predict_skill([0, 0, 0], skill=0)",
            lambda: diayn_model().predict_skill([0.0, 0.0, 0.0], skill=0),
            ARG,
            r"observation.*shape",
        ),
        Case(
            "diayn-predict_skill-count",
            "model.predict_skill(2 observations, skill=[0, 1, 2])",
            lambda: diayn_model().predict_skill(np.zeros((2, 2)), skill=[0, 1, 2]),
            ARG,
            r"skill must be one skill or one per observation \(2\), got 3",
        ),
        Case(
            "diayn-load-missing",
            "DIAYN.load('nope.zip')",
            lambda: (
                agent("DIAYN").load(folder() / "nope.zip") if False else __import__("agents").DIAYN.load(folder() / "nope.zip")
            ),
            FE,
            r"nope\.zip': no such file",
        ),
        Case(
            "diayn-load-truncated",
            "DIAYN.load(truncated zip)",
            lambda: __import__("agents").DIAYN.load(f()["truncated"]),
            VE,
            r"truncated\.zip' is not a checkpoint \(not a valid or complete zip archive",
        ),
        Case(
            "diayn-load-flipped",
            "DIAYN.load(zip with a flipped byte)",
            lambda: __import__("agents").DIAYN.load(f()["flipped"]),
            VE,
            r"flipped\.zip' is not a checkpoint \(not a valid or complete zip archive",
        ),
        Case(
            "diayn-load-oc",
            "DIAYN.load(OptionCritic checkpoint)",
            lambda: __import__("agents").DIAYN.load(f()["oc"]),
            VE,
            r"not a DIAYN checkpoint.*OptionCritic",
        ),
        Case(
            "diayn-load-ppo",
            "DIAYNSAC.load(plain PPO checkpoint)",
            lambda: __import__("agents").DIAYNSAC.load(f()["ppo"]),
            VE,
            r"not a DIAYN checkpoint.*plain SB3",
        ),
        Case(
            "diayn-dicts-kept", "DIAYN(..., policy_kwargs=d): d unchanged", user_dict_kept, VE, r"policy_kwargs left as given"
        ),
        # ---- DADS
        Case(
            "dads-features-float", "DADS(..., features=[1.7])", lambda: dads(features=[1.7]), ARG, r"features.*1\.7.*integer"
        ),
        Case(
            "dads-arch-0", "DADS(..., dynamics_arch=[0])", lambda: dads(dynamics_arch=[0]), ARG, r"dynamics_arch.*>= 1.*\[0\]"
        ),
        Case(
            "dads-sac-discrete",
            "DADS(..., 'CartPole-v1', algo='SAC')",
            lambda: agent("DADS", "MlpPolicy", "CartPole-v1", skill_dim=2, algo="SAC"),
            ARG,
            r"Discrete.*algo='PPO'",
        ),
        Case("dads-schedule", "DADS(..., schedule='weekly')", lambda: dads(schedule="weekly"), ARG, r"schedule.*weekly"),
        Case("dads-experts-0", "DADS(..., n_experts=0)", lambda: dads(n_experts=0), ARG, r"n_experts.*0"),
        Case("dads-skill_dim-0", "DADS(..., skill_dim=0)", lambda: dads(skill_dim=0), ARG, r"skill_dim.*0"),
        Case(
            "dads-hide",
            "DADS(..., hide_features=True) without features",
            lambda: dads(hide_features=True),
            ARG,
            r"hide_features.*features",
        ),
        Case("dads-learn-neg", "model.learn(-5)", lambda: dads_model().learn(-5), ARG, r"total_timesteps.*-5"),
        # ---- SkillPlanner
        Case(
            "planner-model",
            "SkillPlanner(DIAYN model)",
            lambda: __import__("agents").SkillPlanner(diayn_model()),
            ARG,
            r"model must be a trained DADS agent.*DIAYNSAC",
        ),
        Case("planner-horizon-0", "SkillPlanner(model, horizon=0)", lambda: planner(horizon=0), ARG, r"horizon.*0"),
        Case(
            "planner-candidates-0",
            "SkillPlanner(model, n_candidates=0)",
            lambda: planner(n_candidates=0),
            ARG,
            r"n_candidates.*0",
        ),
        Case(
            "planner-reward_type",
            "SkillPlanner(model, reward_type='dens')",
            lambda: planner(reward_type="dens"),
            ARG,
            r"reward_type.*dens",
        ),
        Case(
            "planner-temperature",
            "SkillPlanner(model, temperature=0)",
            lambda: planner(temperature=0.0),
            ARG,
            r"temperature.*0",
        ),
        Case(
            "planner-goal-shape",
            "planner.plan(obs, goal=[1, 2, 3])",
            lambda: planner().plan(np.zeros(2, np.float32), [1.0, 2.0, 3.0]),
            ARG,
            r"goal must have 2 entries.*got 3",
        ),
        Case(
            "planner-goal-nan",
            "planner.plan(obs, goal=[nan, 0])",
            lambda: planner().plan(np.zeros(2, np.float32), [nan, 0.0]),
            ARG,
            r"goal must be finite.*nan",
        ),
        # ---- METRA, LSD, reach_goal
        Case(
            "metra-constraint",
            "METRA(..., constraint='l2')",
            lambda: metra(constraint="l2"),
            ARG,
            r"constraint must be 'dual'.*'spectral'.*'l2'",
        ),
        Case(
            "metra-update_ratio-neg",
            "METRA(..., update_ratio=-1.0)",
            lambda: metra(update_ratio=-1.0),
            ARG,
            r"update_ratio.*>= 0.*-1",
        ),
        Case("metra-dual_lambda-0", "METRA(..., dual_lambda=0)", lambda: metra(dual_lambda=0), ARG, r"dual_lambda.*> 0.*0"),
        Case(
            "metra-sphere-1d",
            "METRA(..., skill_dim=1) (unit vectors)",
            lambda: metra(skill_dim=1),
            ARG,
            r"skill_dim.*>= 2.*sphere.*1",
        ),
        Case(
            "metra-predict-not-unit",
            "model.predict_skill(obs, skill=[0.5, 0.5]) (sphere prior)",
            lambda: metra_model().predict_skill(np.zeros(2, np.float32), skill=[0.5, 0.5]),
            ARG,
            r"skill must be a unit vector.*norm 0\.707",
        ),
        Case(
            "metra-goal_skill-shape",
            "model.goal_skill(obs of shape (3,), goal)",
            lambda: metra_model().goal_skill([0.0, 0.0, 0.0], goal=[1.0, 0.0]),
            ARG,
            r"observation must have shape \(2,\).*got \(3,\)",
        ),
        Case(
            "metra-load-diayn",
            "METRA.load(DIAYN checkpoint)",
            lambda: __import__("agents").METRA.load(f()["diayn"]),
            VE,
            r"not a METRA checkpoint.*DIAYN",
        ),
        Case(
            "lsd-load-diayn",
            "LSD.load(DIAYN checkpoint)",
            lambda: __import__("agents").LSD.load(f()["diayn"]),
            VE,
            r"not an? LSD checkpoint.*DIAYN",
        ),
        Case(
            "reach_goal-indices",
            "reach_goal(model, env, goal, goal_indices=[0, 5])",
            lambda: reach(goal_indices=[0, 5]),
            ARG,
            r"goal_indices.*0\.\.1.*\[0, 5\]",
        ),
        Case(
            "reach_goal-nan",
            "reach_goal(model, env, goal=[nan, 0], ...)",
            lambda: reach(goal=[nan, 0.0]),
            ARG,
            r"goal must be 2 finite values.*nan",
        ),
        Case(
            "reach_goal-replan-0",
            "reach_goal(..., replan_every=0)",
            lambda: reach(replan_every=0),
            ARG,
            r"replan_every.*>= 1.*0",
        ),
        Case(
            "hrl-metra-spectral-dual",
            "hrl train metra --constraint spectral --dual-lambda 5",
            lambda: hrl("train", "metra", "--env", POINT, "--steps", "10", "--constraint", "spectral", "--dual-lambda", "5"),
            H,
            r"--dual-lambda.*--constraint dual.*spectral",
        ),
        # ---- HIRO
        Case("hiro-c-float", "HIRO(..., c=2.5)", lambda: hiro(c=2.5), ARG, r"c must be >= 1 \(a whole number.*2\.5"),
        Case("hiro-c-0", "HIRO(..., c=0)", lambda: hiro(c=0), ARG, r"\bc\b.*>= 1.*0"),
        Case("hiro-batch-0", "HIRO(..., batch_size=0)", lambda: hiro(batch_size=0), ARG, r"batch_size.*>= 1.*0"),
        Case("hiro-algo", "HIRO(..., algo='PPO')", lambda: hiro(algo="PPO"), ARG, r"algo.*PPO"),
        Case("hiro-goal_indices", "HIRO(..., goal_indices=[9])", lambda: hiro(goal_indices=[9]), ARG, r"goal_indices.*9"),
        Case("hiro-candidates", "HIRO(..., n_candidates=1)", lambda: hiro(n_candidates=1), ARG, r"n_candidates.*1"),
        Case("hiro-hindsight", "HIRO(..., high_hindsight=2)", lambda: hiro(high_hindsight=2.0), ARG, r"high_hindsight.*2"),
        Case("hiro-goal_range", "HIRO(..., goal_range=-1)", lambda: hiro(goal_range=-1.0), ARG, r"goal_range.*-1"),
        Case("hiro-learn-neg", "model.learn(-5)", lambda: hiro().learn(-5), ARG, r"total_timesteps.*-5"),
        Case(
            "hiro-load-diayn",
            "HIRO.load(DIAYN checkpoint)",
            lambda: __import__("agents").HIRO.load(f()["diayn"]),
            VE,
            r"not a HIRO checkpoint",
        ),
        Case(
            "hiro-load-missing",
            "HIRO.load('nope.zip')",
            lambda: __import__("agents").HIRO.load(folder() / "nope.zip"),
            FE,
            r"nope\.zip': no such file",
        ),
        # ---- OptionCritic, PPOC
        Case("oc-options-0", "OptionCritic(..., n_options=0)", lambda: option_critic(n_options=0), ARG, r"n_options.*0"),
        Case(
            "oc-policy_kwargs",
            "OptionCritic(..., policy_kwargs={'n_options': 3})",
            lambda: option_critic(policy_kwargs={"n_options": 3}),
            ARG,
            r"policy_kwargs.*n_options",
        ),
        Case(
            "oc-nested",
            "OptionCritic(nested Dict env)",
            lambda: __import__("agents").OptionCritic("MlpPolicy", NestedDictEnv()),
            ARG,
            r"observation_space must be a Box or Discrete.*flatten",
        ),
        Case("oc-learn-neg", "model.learn(-5)", lambda: option_critic().learn(-5), ARG, r"total_timesteps.*-5"),
        Case(
            "oc-load-diayn",
            "OptionCritic.load(DIAYN checkpoint)",
            lambda: __import__("agents").OptionCritic.load(f()["diayn"]),
            VE,
            r"not an OptionCritic checkpoint.*DIAYN",
        ),
        Case(
            "oc-load-truncated",
            "OptionCritic.load(truncated zip)",
            lambda: __import__("agents").OptionCritic.load(f()["truncated"]),
            VE,
            r"truncated\.zip' is not a checkpoint \(not a valid or complete",
        ),
        Case("ppoc-clip", "PPOC(..., clip_range=-0.1)", lambda: ppoc(clip_range=-0.1), ARG, r"clip_range.*-0\.1"),
        Case("ppoc-epochs-0", "PPOC(..., n_epochs=0)", lambda: ppoc(n_epochs=0), ARG, r"n_epochs.*0"),
        Case("ppoc-learn-neg", "model.learn(-5)", lambda: ppoc().learn(-5), ARG, r"total_timesteps.*-5"),
        # ---- SkillController
        Case(
            "controller-skills-none",
            "SkillController(..., skills=None)",
            lambda: controller(skills=None),
            ARG,
            r"skills must be given: a path",
        ),
        Case(
            "controller-skills-int",
            "SkillController(..., skills=3)",
            lambda: controller(skills=3),
            ARG,
            r"skills must be a path.*got int",
        ),
        Case(
            "controller-hold-0", "SkillController(..., hold_steps=0)", lambda: controller(hold_steps=0), ARG, r"hold_steps.*0"
        ),
        Case(
            "controller-store",
            "SkillController(..., store_skills='move')",
            lambda: controller(store_skills="move"),
            ARG,
            r"store_skills.*move",
        ),
        Case("controller-algo", "SkillController(..., algo='TD3')", lambda: controller(algo="TD3"), ARG, r"algo.*TD3"),
        Case("controller-learn-neg", "model.learn(-5)", lambda: controller().learn(-5), ARG, r"total_timesteps.*-5"),
    ]
