"""Misuse cases of load_skills, evaluate_skills and the hrl command line."""

# ruff: noqa: F403, F405  (the shared objects of the table, imported by name would repeat them all)
from __future__ import annotations

from misuse_fixtures import *

__all__ = ["cases"]


def cases() -> list[Case]:
    """The cases of this part of the table."""
    f = files
    return [
        # ---- load_skills
        Case(
            "load_skills-oc",
            "load_skills(oc.zip)",
            lambda: load_skills(f()["oc"]),
            VE,
            r"OptionCritic checkpoint, not a skill model",
        ),
        Case(
            "load_skills-oc-n",
            "load_skills(oc.zip, n_skills=2)",
            lambda: load_skills(f()["oc"], n_skills=2),
            VE,
            r"OptionCritic checkpoint, not a skill model.*OptionCritic\.load",
        ),
        Case(
            "load_skills-missing",
            "load_skills('nope.zip')",
            lambda: load_skills(folder() / "nope.zip"),
            FE,
            r"nope\.zip': no such file",
        ),
        Case(
            "load_skills-truncated",
            "load_skills(truncated zip)",
            lambda: load_skills(f()["truncated"]),
            VE,
            r"truncated\.zip' is not a skill model \(not a valid or complete zip archive",
        ),
        Case(
            "load_skills-plain",
            "load_skills(plain PPO zip)",
            lambda: load_skills(f()["ppo"]),
            VE,
            r"ppo\.zip.*plain SB3 checkpoint.*n_skills=.*skill_dim=",
        ),
        Case(
            "load_skills-index",
            "load_skills(diayn.zip, skills=[9])",
            lambda: load_skills(f()["diayn"], skills=[9]),
            ARG,
            r"skills has indices \[9\] outside \[0, 4\)",
        ),
        Case(
            "load_skills-env",
            "load_skills(diayn.zip, env=CartPole)",
            lambda: load_skills(f()["diayn"], env=gym.make("CartPole-v1")),
            ARG,
            r"observation.*skill_obs",
        ),
        # ---- evaluate_skills
        Case(
            "evaluate-rollouts-0",
            "evaluate_skills(model, env, n_rollouts=0)",
            lambda: evaluate(n_rollouts=0),
            ARG,
            r"n_rollouts.*0",
        ),
        Case(
            "evaluate-cell-0",
            "evaluate_skills(model, env, cell_size=0)",
            lambda: evaluate(cell_size=0.0),
            ARG,
            r"cell_size.*0",
        ),
        Case(
            "evaluate-skills-range",
            "evaluate_skills(model, env, skills=[99])",
            lambda: evaluate(skills=[99]),
            ARG,
            r"skills\[0\] must be in \[0, 4\).*99",
        ),
        Case(
            "evaluate-env",
            "evaluate_skills(model, 'CartPole-v1')",
            lambda: evaluate(env="CartPole-v1"),
            ARG,
            r"env's observation space.*does not match",
        ),
        Case(
            "evaluate-max_steps-0",
            "evaluate_skills(model, env, max_steps=0)",
            lambda: evaluate(max_steps=0),
            ARG,
            r"max_steps.*0",
        ),
        # ---- hrl
        Case(
            "hrl-steps-neg",
            "hrl train diayn --steps -5",
            lambda: hrl("train", "diayn", "--env", POINT, "--steps", "-5"),
            H,
            r"--steps.*-5",
        ),
        Case(
            "hrl-env-unknown",
            "hrl train diayn --env NoSuchEnv-v0",
            lambda: hrl("train", "diayn", "--env", "NoSuchEnv-v0", "--steps", "10"),
            H,
            r"--env 'NoSuchEnv-v0'",
        ),
        Case(
            "hrl-env-kwargs-typo",
            "hrl train diayn --env-kwargs '{\"max_episod_steps\": 5}'",
            lambda: hrl(
                "train",
                "diayn",
                "--env",
                POINT,
                "--env-kwargs",
                '{"max_episod_steps": 5}',
                "--steps",
                "10",
                "--run-dir",
                folder() / "r1",
            ),
            H,
            r"--env-kwargs.*max_episod_steps.*max_episode_steps",
        ),
        Case(
            "hrl-env-kwargs-json",
            "hrl train diayn --env-kwargs '{max: 5'",
            lambda: hrl("train", "diayn", "--env", POINT, "--env-kwargs", "{max: 5"),
            H,
            r"--env-kwargs: expected a JSON object",
        ),
        Case(
            "hrl-algo-kwargs-typo",
            "hrl train diayn --algo-kwargs '{\"learning_rat\": 1}'",
            lambda: hrl(
                "train",
                "diayn",
                "--env",
                POINT,
                "--algo-kwargs",
                '{"learning_rat": 1}',
                "--steps",
                "10",
                "--run-dir",
                folder() / "r2",
            ),
            H,
            r"--algo-kwargs.*learning_rat",
        ),
        Case(
            "hrl-algo",
            "hrl train diayn --algo DQN",
            lambda: hrl("train", "diayn", "--env", POINT, "--algo", "DQN"),
            H,
            r"--algo.*DQN",
        ),
        Case(
            "hrl-sac-discrete",
            "hrl train diayn --env CartPole-v1 (SAC)",
            lambda: hrl("train", "diayn", "--env", "CartPole-v1", "--steps", "10", "--run-dir", folder() / "r3"),
            H,
            r"Discrete.*--algo PPO",
        ),
        Case(
            "hrl-n-skills-0",
            "hrl train diayn --n-skills 0",
            lambda: hrl("train", "diayn", "--env", POINT, "--n-skills", "0"),
            H,
            r"--n-skills.*0",
        ),
        Case(
            "hrl-resume-missing",
            "hrl train --resume missing-run",
            lambda: hrl("train", "--resume", folder() / "missing-run"),
            H,
            r"--resume '.*missing-run' is not a run folder",
        ),
        Case(
            "hrl-resume-fewer-steps",
            "hrl train --resume RUN --steps 10 (RUN trained 64 steps)",
            lambda: hrl("train", "--resume", finished_run(), "--steps", "10"),
            H,
            r"--steps 10 is below the 64 steps",
        ),
        Case(
            "hrl-resume-options",
            "hrl train --resume RUN diayn --env ENV --steps 10",
            lambda: hrl("train", "--resume", finished_run(), "diayn", "--env", POINT, "--steps", "10"),
            H,
            r"--resume RUN continues RUN with its own options",
        ),
        Case(
            "hrl-eval-missing",
            "hrl eval missing-run",
            lambda: hrl("eval", folder() / "missing-run"),
            H,
            r"RUN '.*missing-run' is not a run folder",
        ),
        Case(
            "hrl-plot-missing",
            "hrl plot missing-run",
            lambda: hrl("plot", folder() / "missing-run"),
            H,
            r"RUN '.*missing-run' is not a run folder",
        ),
        Case(
            "hrl-plan-diayn",
            "hrl plan RUN (a DIAYN run)",
            lambda: hrl("plan", finished_run(), "--goal", "1", "1"),
            H,
            r"DADS agent.*DIAYN",
        ),
        Case(
            "hrl-sweep-missing",
            "hrl sweep missing.yaml",
            lambda: hrl("sweep", folder() / "missing.yaml"),
            H,
            r"sweep file '.*missing\.yaml' does not exist",
        ),
        Case(
            "hrl-sweep-metric",
            "hrl sweep FILE (metric: accuarcy)",
            lambda: hrl("sweep", sweep_file("accuarcy")),
            H,
            r"metric 'accuarcy'.*did you mean 'accuracy'",
        ),
        Case("hrl-command", "hrl trian", lambda: hrl("trian"), H, r"COMMAND.*'trian'"),
    ]
