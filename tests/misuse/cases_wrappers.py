"""Misuse cases of wrappers, priors, reward models, relabelling buffers and the reward callback."""

# ruff: noqa: F403, F405  (the shared objects of the table, imported by name would repeat them all)
from __future__ import annotations

from misuse_fixtures import *

__all__ = ["cases"]


def cases() -> list[Case]:
    """The cases of this part of the table."""
    return [
        # ---- SkillWrapper
        Case("wrapper-n_skills-0", "SkillWrapper(env, n_skills=0)", lambda: skill_wrapper(n_skills=0), ARG, r"n_skills.*0"),
        Case(
            "wrapper-n_skills-float",
            "SkillWrapper(env, n_skills=2.5)",
            lambda: skill_wrapper(n_skills=2.5),
            ARG,
            r"n_skills.*2\.5",
        ),
        Case(
            "wrapper-n_skills-str",
            "SkillWrapper(env, n_skills='4')",
            lambda: skill_wrapper(n_skills="4"),
            ARG,
            r"n_skills.*'4'",
        ),
        Case(
            "wrapper-both",
            "SkillWrapper(env, n_skills=4, skill_dim=2)",
            lambda: skill_wrapper(n_skills=4, skill_dim=2),
            ARG,
            r"exactly one of n_skills.*skill_dim",
        ),
        Case(
            "wrapper-skill_dim-0", "SkillWrapper(env, skill_dim=0)", lambda: skill_wrapper(skill_dim=0), ARG, r"skill_dim.*0"
        ),
        Case(
            "wrapper-distribution",
            "SkillWrapper(env, skill_dim=2, distribution='beta')",
            lambda: skill_wrapper(skill_dim=2, distribution="beta"),
            ARG,
            r"distribution.*beta",
        ),
        Case(
            "wrapper-probs-sum",
            "SkillWrapper(env, n_skills=2, skill_probs=[0.5, 0.6])",
            lambda: skill_wrapper(n_skills=2, skill_probs=[0.5, 0.6]),
            ARG,
            r"probs must be 2 positive numbers summing to 1.*0\.6",
        ),
        Case(
            "wrapper-probs-len",
            "SkillWrapper(env, n_skills=2, skill_probs=[1.0])",
            lambda: skill_wrapper(n_skills=2, skill_probs=[1.0]),
            ARG,
            r"probs must be 2 positive numbers.*\[1\.0\]",
        ),
        Case(
            "wrapper-obs_mode",
            "SkillWrapper(env, n_skills=2, obs_mode='stack')",
            lambda: skill_wrapper(n_skills=2, obs_mode="stack"),
            ARG,
            r"obs_mode.*stack",
        ),
        Case(
            "wrapper-resample-0",
            "SkillWrapper(env, n_skills=2, resample_every=0)",
            lambda: skill_wrapper(n_skills=2, resample_every=0),
            ARG,
            r"resample_every.*0",
        ),
        Case(
            "wrapper-resample-neg",
            "SkillWrapper(env, n_skills=2, resample_every=-1)",
            lambda: skill_wrapper(n_skills=2, resample_every=-1),
            ARG,
            r"resample_every.*-1",
        ),
        Case(
            "wrapper-env-str",
            "SkillWrapper('PointWorld', n_skills=2)",
            lambda: skill_wrapper("PointWorld", n_skills=2),
            ARG,
            r"env.*gymnasium\.Env.*str",
        ),
        Case(
            "wrapper-nested-dict",
            "SkillWrapper(env with a Dict inside a Dict, n_skills=2)",
            lambda: skill_wrapper(NestedDictEnv(), n_skills=2),
            ARG,
            r"nested Dict.*outer.*FlattenObservation",
        ),
        Case(
            "wrapper-set_skill-range",
            "env.set_skill(7) with n_skills=4",
            lambda: set_skill(7),
            ARG,
            r"skill must be in \[0, 4\).*7",
        ),
        Case(
            "wrapper-set_skill-nan",
            "env.set_skill(nan) with n_skills=4",
            lambda: set_skill(nan),
            ARG,
            r"skill must be an int in \[0, 4\).*nan",
        ),
        # ---- MacroActionWrapper
        Case(
            "macro-skills-list",
            "MacroActionWrapper(env, skills=[policy])",
            lambda: macro(skills=[lambda o: o]),
            ARG,
            r"skills must be a skill set.*list",
        ),
        Case(
            "macro-hold-0", "MacroActionWrapper(env, skills, hold_steps=0)", lambda: macro(hold_steps=0), ARG, r"hold_steps.*0"
        ),
        Case(
            "macro-hold-float",
            "MacroActionWrapper(env, skills, hold_steps=1.5)",
            lambda: macro(hold_steps=1.5),
            ARG,
            r"hold_steps.*1\.5",
        ),
        Case("macro-gamma-big", "MacroActionWrapper(env, skills, gamma=1.5)", lambda: macro(gamma=1.5), ARG, r"gamma.*1\.5"),
        Case(
            "macro-gamma-neg", "MacroActionWrapper(env, skills, gamma=-0.1)", lambda: macro(gamma=-0.1), ARG, r"gamma.*-0\.1"
        ),
        Case(
            "macro-skill_obs",
            "MacroActionWrapper(env, skills, skill_obs=[9])",
            lambda: macro(skill_obs=[9]),
            ARG,
            r"skill_obs.*9",
        ),
        Case(
            "macro-step-range",
            "wrapper.step(5) with 2 skills",
            lambda: macro_step(5),
            ARG,
            r"action must be a skill index in \[0, 2\), got 5",
        ),
        # ---- ScaleAction
        Case("scale-0", "ScaleAction(env, 0)", lambda: scale(0), ARG, r"scale.*0"),
        Case("scale-neg", "ScaleAction(env, -1)", lambda: scale(-1), ARG, r"scale.*-1"),
        Case("scale-nan", "ScaleAction(env, nan)", lambda: scale(nan), ARG, r"scale.*nan"),
        Case("scale-str", "ScaleAction(env, 'big')", lambda: scale("big"), ARG, r"scale.*big"),
        Case(
            "scale-discrete",
            "ScaleAction(CartPole, 0.5)",
            lambda: scale(0.5, "CartPole-v1"),
            ARG,
            r"env: ScaleAction needs a Box action space.*Discrete",
        ),
        Case(
            "scale-shape",
            "ScaleAction(env, [1, 2, 3]) on 2-D actions",
            lambda: scale([1.0, 2.0, 3.0]),
            ARG,
            r"scale.*(shape|2)",
        ),
        # ---- priors
        Case("prior-categorical-0", "CategoricalPrior(0)", lambda: prior("CategoricalPrior", 0), ARG, r"n_skills.*0"),
        Case(
            "prior-probs-len",
            "CategoricalPrior(3, probs=[0.5, 0.5])",
            lambda: prior("CategoricalPrior", 3, probs=[0.5, 0.5]),
            ARG,
            r"probs must be 3 positive numbers.*\[0\.5, 0\.5\]",
        ),
        Case(
            "prior-probs-neg",
            "CategoricalPrior(2, probs=[1.5, -0.5])",
            lambda: prior("CategoricalPrior", 2, probs=[1.5, -0.5]),
            ARG,
            r"probs must be 2 positive numbers.*-0\.5",
        ),
        Case("prior-uniform-0", "UniformPrior(0)", lambda: prior("UniformPrior", 0), ARG, r"skill_dim.*0"),
        Case(
            "prior-uniform-bounds",
            "UniformPrior(2, low=1, high=0)",
            lambda: prior("UniformPrior", 2, low=1.0, high=0.0),
            ARG,
            r"low.*high",
        ),
        Case("prior-gaussian-neg", "GaussianPrior(-1)", lambda: prior("GaussianPrior", -1), ARG, r"skill_dim.*-1"),
        Case(
            "prior-make-both",
            "make_prior(n_skills=2, skill_dim=2)",
            lambda: prior("make_prior", n_skills=2, skill_dim=2),
            ARG,
            r"n_skills.*skill_dim",
        ),
        Case(
            "prior-make-dist",
            "make_prior(skill_dim=2, distribution='beta')",
            lambda: prior("make_prior", skill_dim=2, distribution="beta"),
            ARG,
            r"distribution.*beta",
        ),
        Case(
            "prior-validate-range",
            "CategoricalPrior(4).validate(7)",
            lambda: prior("CategoricalPrior", 4).validate(7, "skill"),
            ARG,
            r"skill.*7",
        ),
        Case(
            "prior-validate-nan",
            "UniformPrior(2).validate([nan, 0])",
            lambda: prior("UniformPrior", 2).validate([nan, 0.0], "skill"),
            ARG,
            r"skill must be finite.*nan",
        ),
        Case(
            "prior-validate-shape",
            "UniformPrior(2).validate([0, 0, 0])",
            lambda: prior("UniformPrior", 2).validate([0.0, 0.0, 0.0], "skill"),
            ARG,
            r"skill must have shape \(2,\).*\(3,\)",
        ),
        # ---- DIAYNReward
        Case(
            "diayn_reward-features-float",
            "DIAYNReward(layout, features=[1.7])",
            lambda: diayn_reward(features=[1.7]),
            ARG,
            r"features.*1\.7",
        ),
        Case(
            "diayn_reward-features-range",
            "DIAYNReward(layout, features=[99])",
            lambda: diayn_reward(features=[99]),
            ARG,
            r"features.*99",
        ),
        Case(
            "diayn_reward-net_arch-0",
            "DIAYNReward(layout, net_arch=[0])",
            lambda: diayn_reward(net_arch=[0]),
            ARG,
            r"net_arch.*\[0\]",
        ),
        Case(
            "diayn_reward-lr",
            "DIAYNReward(layout, learning_rate=-1)",
            lambda: diayn_reward(learning_rate=-1.0),
            ARG,
            r"learning_rate.*-1",
        ),
        Case(
            "diayn_reward-noise",
            "DIAYNReward(layout, feature_noise=-0.1)",
            lambda: diayn_reward(feature_noise=-0.1),
            ARG,
            r"feature_noise.*-0\.1",
        ),
        Case(
            "diayn_reward-layout",
            "DIAYNReward(gym env)",
            lambda: prior("DIAYNReward", point()),
            ARG,
            r"layout must be the SkillLayout.*TimeLimit.*for_env",
        ),
        Case(
            "diayn_reward-for_env",
            "DIAYNReward.for_env(env without SkillWrapper)",
            lambda: (
                prior("DIAYNReward").for_env(point()) if False else __import__("hrl_wrappers").DIAYNReward.for_env(point())
            ),
            ARG,
            r"SkillWrapper",
        ),
        Case(
            "diayn_reward-nan",
            "reward.reward(obs with NaN, next_obs)",
            lambda: diayn_reward(net_arch=[8]).reward(nan_obs(6), np.zeros((3, 6), np.float32)),
            ARG,
            r"obs contains NaN",
        ),
        # ---- DADSReward
        Case(
            "dads_reward-features-float",
            "DADSReward(layout, features=[1.7])",
            lambda: dads_reward(features=[1.7]),
            ARG,
            r"features.*1\.7",
        ),
        Case(
            "dads_reward-input-range",
            "DADSReward(layout, input_features=[50])",
            lambda: dads_reward(input_features=[50]),
            ARG,
            r"input_features.*50",
        ),
        Case(
            "dads_reward-experts-0", "DADSReward(layout, n_experts=0)", lambda: dads_reward(n_experts=0), ARG, r"n_experts.*0"
        ),
        Case(
            "dads_reward-net_arch-0",
            "DADSReward(layout, net_arch=[0])",
            lambda: dads_reward(net_arch=[0]),
            ARG,
            r"net_arch.*\[0\]",
        ),
        Case(
            "dads_reward-alternatives-0",
            "DADSReward(layout, n_alternatives=0)",
            lambda: dads_reward(n_alternatives=0),
            ARG,
            r"n_alternatives.*0",
        ),
        Case("dads_reward-clip", "DADSReward(layout, clip=-1)", lambda: dads_reward(clip=-1.0), ARG, r"clip.*-1"),
        Case(
            "dads_reward-nan",
            "reward.reward(obs, next_obs with NaN)",
            lambda: dads_reward(net_arch=[8]).reward(np.zeros((3, 6), np.float32), nan_obs(6)),
            ARG,
            r"next_obs contains NaN",
        ),
        # ---- relabelling buffers
        Case(
            "replay-coef-nan",
            "RelabelingReplayBuffer(..., intrinsic_coef=nan)",
            lambda: replay_buffer(intrinsic_coef=nan),
            ARG,
            r"intrinsic_coef.*nan",
        ),
        Case(
            "replay-extrinsic-str",
            "RelabelingReplayBuffer(..., extrinsic_coef='1')",
            lambda: replay_buffer(extrinsic_coef="1"),
            ARG,
            r"extrinsic_coef must be a finite number, got '1'",
        ),
        Case(
            "replay-reward-type",
            "RelabelingReplayBuffer(..., reward='diayn')",
            lambda: replay_buffer(reward="diayn"),
            ARG,
            r"reward must be an hrl_wrappers IntrinsicReward.*str",
        ),
        Case(
            "replay-space",
            "RelabelingReplayBuffer(raw obs space, reward of a skill layout)",
            lambda: __import__("hrl_wrappers").RelabelingReplayBuffer(
                16, point().observation_space, point().action_space, reward=diayn_reward(net_arch=[8])
            ),
            ARG,
            r"observation_space|observation space",
        ),
        Case(
            "rollout-coef-nan",
            "RelabelingRolloutBuffer(..., intrinsic_coef=nan)",
            lambda: rollout_buffer(intrinsic_coef=nan),
            ARG,
            r"intrinsic_coef.*nan",
        ),
        Case(
            "rollout-reward-type",
            "RelabelingRolloutBuffer(..., reward=3)",
            lambda: rollout_buffer(reward=3),
            ARG,
            r"reward must be an hrl_wrappers IntrinsicReward.*int",
        ),
        # ---- IntrinsicRewardCallback
        Case(
            "callback-reward-type",
            "IntrinsicRewardCallback(reward='diayn')",
            lambda: prior("IntrinsicRewardCallback", "diayn"),
            ARG,
            r"reward must be an hrl_wrappers IntrinsicReward.*str",
        ),
        Case(
            "callback-batch-0",
            "IntrinsicRewardCallback(reward, batch_size=0)",
            lambda: reward_callback(batch_size=0),
            ARG,
            r"batch_size.*0",
        ),
        Case(
            "callback-ratio-neg",
            "IntrinsicRewardCallback(reward, update_ratio=-1)",
            lambda: reward_callback(update_ratio=-1.0),
            ARG,
            r"update_ratio.*-1",
        ),
        Case(
            "callback-epochs-0",
            "IntrinsicRewardCallback(reward, n_epochs=0)",
            lambda: reward_callback(n_epochs=0),
            ARG,
            r"n_epochs.*0",
        ),
        Case(
            "callback-track-0",
            "IntrinsicRewardCallback(reward, track_every=0)",
            lambda: reward_callback(track_every=0),
            ARG,
            r"track_every.*0",
        ),
        Case(
            "callback-grad-neg",
            "IntrinsicRewardCallback(reward, max_grad_norm=-1)",
            lambda: reward_callback(max_grad_norm=-1.0),
            ARG,
            r"max_grad_norm.*-1",
        ),
    ]
