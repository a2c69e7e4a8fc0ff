"""``hrl``: train, evaluate and plot skill-discovery agents from the command line.

Usage::

    hrl train diayn --env ID --steps N [options]    # train into one run folder (see below)
    hrl eval RUN [--rollouts N] [--video] [--video-length N] [--cell-size C] [--stochastic]
    hrl plot RUN                                     # RUN/skills.png and RUN/curves.png
    hrl train --resume RUN [--steps N]               # continue RUN from its latest checkpoint
    hrl sweep CONFIG.yaml [--address ADDR]           # seeds x settings as Ray Tune trials
    hrl --help | hrl train diayn --help              # every option, with its default

Examples::

    hrl train diayn --env hrl_wrappers/PointWorld-v0 --steps 30000 --n-skills 6 --net 64 64
    hrl train diayn --env HalfCheetah-v5 --steps 300000 --prior x --episode-steps 200 --feature-scale 0.1 --feature-noise 1.0
    hrl train diayn --env Ant-v5 --steps 1000000 --prior xy --no-termination \\
        --env-kwargs '{"include_cfrc_ext_in_observation": false}'
    hrl train diayn --env hrl_wrappers/PointWorld-v0 --steps 20000 --algo PPO --algo-kwargs '{"n_steps": 512}'
    hrl train hiro --env PointMaze_UMaze-v3 --steps 100000 --goal-indices 0 1 --goal-range 1.0 --net 64 64 \\
        --high-gradient-steps 10 --high-hindsight 0.8 --hindsight-success-distance 0.45
    hrl train hiro --env AntMaze_UMaze-v5 --steps 1000000 --goal-indices 0 1 --goal-range 2 --low-level-hidden 0 1 \\
        --net 256 256 --learning-starts 10000 --high-hindsight 0.8 --hindsight-success-distance 0.45 \\
        --high-action-penalty 0.001 --action-scale 0.2 --env-kwargs '{"include_cfrc_ext_in_observation": false}'
    hrl eval runs/diayn-PointWorld-v0-20250101-120000 --rollouts 8 --video
    hrl plot runs/diayn-PointWorld-v0-20250101-120000

A run folder (``--run-dir``, default ``runs/<algorithm>-<env name>-<timestamp>``) holds:

* ``config.yaml``: the resolved configuration (every option, the env keyword arguments, the agent's and the SB3
  learner's parameters, the library version, the command line, start/end time, wall time and steps per second);
* ``model.zip``: the trained agent (``DIAYN.load``);
* ``checkpoints/``: the last checkpoints (``--checkpoint-every``); ``hrl train --resume RUN`` continues from the latest;
* ``logs/``: SB3's logger output, ``progress.csv`` and the TensorBoard events (``tensorboard --logdir RUN/logs``);
* ``eval/``: the periodic :class:`~hrl_wrappers.evaluation.SkillEvalCallback` plots and CSV (``--eval-every``);
* ``evaluation.json``, ``skills.md``, ``skills.png``: the final evaluation of every skill (rewritten by ``hrl eval``);
* ``videos/`` (``hrl eval --video``) and ``curves.png`` (``hrl plot``).

Skills are evaluated on the raw environment (same keyword arguments and time limit as in training) and described by
the torso position for MuJoCo locomotion envs (x, or x and y; even when the policy does not observe it) and by the
whole observation otherwise. Usage errors and the library's ``ValueError``\\ s print ``hrl: error: ...`` and exit
with status 2. ``main(argv)`` returns the exit status instead of exiting, so it can be called from Python.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import enum
import functools
import json
import math
import os
import pathlib
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
import yaml

import hrl_wrappers
from hrl_wrappers.envs import FOUR_ROOMS_ID
from hrl_wrappers.locomotion import POSITION_DIMS, locomotion_kwargs, position_features
from hrl_wrappers.scale_action import ScaleAction

if TYPE_CHECKING:
    from hrl_wrappers.evaluation import SkillEvaluation

__all__ = ["TRAINERS", "CLIError", "Trainer", "build_parser", "main"]

PROG = "hrl"
CONFIG_FILE = "config.yaml"
MODEL_FILE = "model.zip"
#: training curves drawn by ``hrl plot`` (those present in ``logs/progress.csv``), against ``time/total_timesteps``.
CURVE_KEYS = (
    "diayn/accuracy",
    "diayn/loss",
    "diayn/ep_intrinsic_return",
    "rollout/ep_rew_mean",
    "skills/accuracy",
    "skills/coverage",
    "hiro/success_rate",
    "hiro/subgoal_distance",
    "options/mean_duration",
    "options/termination_prob",
    "options/max_usage",
)
_X_KEY = "time/total_timesteps"


class CLIError(Exception):
    """A usage error: printed as ``hrl: error: ...``, exit status 2."""


@dataclass(frozen=True)
class Trainer:
    """How ``hrl train <name>`` builds, trains and reloads one algorithm.

    :param help: one-line description shown by ``hrl train --help``.
    :param add_arguments: adds the algorithm's options to its sub-parser.
    :param train: runs ``hrl train <name>`` from the parsed arguments and the command line; returns the exit status.
    :param load: ``load(model_path, device)`` returns the trained agent saved in a run folder.
    :param resumable: ``train`` honours ``args.resume`` (through :class:`~hrl_wrappers.training_run.TrainingRun`), so
        ``hrl train --resume RUN`` may continue its runs.
    """

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    train: Callable[[argparse.Namespace, Sequence[str]], int]
    load: Callable[[pathlib.Path, str], Any]
    resumable: bool = False


# ---------------------------------------------------------------------------------------------------- small helpers
def _number_parser(cast: Callable[[str], Any], accept: Callable[[Any], bool], expected: str) -> Callable[[str], Any]:
    """An argparse ``type=`` that casts ``text`` and refuses values ``accept`` rejects, saying what was ``expected``."""

    def parse(text: str) -> Any:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive_int = _number_parser(int, lambda v: v >= 1, "a positive integer")
_non_negative_int = _number_parser(int, lambda v: v >= 0, "an integer >= 0")
_positive_float = _number_parser(float, lambda v: v > 0 and math.isfinite(v), "a positive number")
_non_negative_float = _number_parser(float, lambda v: v >= 0 and math.isfinite(v), "a number >= 0")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"expected a JSON object such as '{{\"key\": 1}}', got {text!r} ({exc})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object such as '{{\"key\": 1}}', got {text!r}")
    return value


def _ent_coef(text: str) -> float | str:
    if text.startswith("auto"):
        return text
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, 'auto' or 'auto_<initial>', got {text!r}") from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, 'auto' or 'auto_<initial>', got {text!r}")
    return value


def _plain(value: Any) -> Any:
    """``value`` as plain YAML/JSON data (lists, dicts, numbers, strings); anything else as its ``repr``."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    return repr(value)


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _write_yaml(path: pathlib.Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(_plain(data), sort_keys=False, default_flow_style=None))


def _is_locomotion(env_id: str) -> bool:
    """Whether ``env_id`` is one of Gymnasium's MuJoCo locomotion envs (HalfCheetah, Ant, ...; any version)."""
    try:
        position_features(env_id)
    except ValueError:
        return False
    return True


def _is_mujoco(env_id: str) -> bool:
    try:
        entry_point = gym.spec(env_id).entry_point
    except gym.error.Error:
        return False
    return _is_locomotion(env_id) or "mujoco" in str(entry_point).lower()


def _env_name(env_id: str) -> str:
    name = env_id.split(":")[-1].split("/")[-1]
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "env"


def _check_env_id(env_id: str) -> gym.envs.registration.EnvSpec:
    try:
        return gym.spec(env_id)
    except gym.error.Error as exc:
        raise CLIError(f"--env {env_id!r}: {exc}") from None


def _eval_features(env_id: str) -> Any:
    """Features that describe a skill in evaluations (see :func:`_eval_features_name`)."""
    from hrl_wrappers.evaluation import info_features, locomotion_position_features

    if _is_locomotion(env_id):
        return locomotion_position_features(env_id)
    if env_id == FOUR_ROOMS_ID:
        return info_features("cell")
    return None


def _eval_features_name(env_id: str) -> str:
    """The torso position (locomotion envs), Four Rooms' (row, col) cell, else the whole observation."""
    if _is_locomotion(env_id):
        return "position x" if len(position_features(env_id)) == 1 else "position x, y"
    if env_id == FOUR_ROOMS_ID:
        return "info cell (row, col)"
    return "observation"


def _plot_dims(env_id: str) -> tuple[int, int]:
    """x-y plot of the first two features; the first one over time for 1-D features (HalfCheetah's x)."""
    return (0, 0) if _is_locomotion(env_id) and len(position_features(env_id)) == 1 else (0, 1)


def _default_run_dir(algorithm: str, env_id: str) -> pathlib.Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = pathlib.Path("runs") / f"{algorithm}-{_env_name(env_id)}-{stamp}"
    run, n = base, 1
    while run.exists():
        run, n = base.with_name(f"{base.name}-{n}"), n + 1
    return run


# ---------------------------------------------------------------------------------------------------- run folders
def _read_run(run: pathlib.Path) -> dict[str, Any]:
    """The config of run folder ``run``; a :class:`CLIError` naming it if it is not a run folder."""
    missing = [name for name in (CONFIG_FILE, MODEL_FILE) if not (run / name).is_file()]
    if not run.is_dir() or missing:
        what = (
            "does not exist"
            if not run.exists()
            else "is not a folder"
            if not run.is_dir()
            else f"has no {' / '.join(missing)}"
        )
        raise CLIError(f"RUN {str(run)!r} is not a run folder: it {what} (make one with `hrl train`)")
    try:
        config = yaml.safe_load((run / CONFIG_FILE).read_text())
    except yaml.YAMLError as exc:
        raise CLIError(f"RUN {str(run)!r}: cannot read {CONFIG_FILE}: {exc}") from None
    if not isinstance(config, dict) or "env" not in config or "algorithm" not in config:
        raise CLIError(f"RUN {str(run)!r}: {CONFIG_FILE} has no 'env' and 'algorithm' entries (not written by `hrl train`?)")
    if config["algorithm"] not in TRAINERS:
        raise CLIError(
            f"RUN {str(run)!r}: unknown algorithm {config['algorithm']!r} in {CONFIG_FILE} (known: {sorted(TRAINERS)})"
        )
    return config


def _load_model(run: pathlib.Path, config: dict[str, Any], device: str = "auto") -> Any:
    return TRAINERS[config["algorithm"]].load(run / MODEL_FILE, device)


def _make_run_env(env_id: str, env_kwargs: dict[str, Any], action_scale: float = 1.0) -> gym.Env:
    """A run's environment: ``gym.make`` with its keyword arguments, wrapped in ScaleAction unless the scale is 1."""
    env = gym.make(env_id, **env_kwargs)
    return env if action_scale == 1.0 else ScaleAction(env, action_scale)


def _make_eval_env(config: dict[str, Any]) -> gym.Env:
    """The raw environment of a run (no SkillWrapper), with the training env kwargs, time limit and action scale."""
    scale = float(config.get("action_scale", 1.0))  # runs from before --action-scale: 1
    return _make_run_env(config["env"], dict(config.get("env_kwargs") or {}), scale)


def _add_action_scale_argument(group: argparse._ArgumentGroup, example: str) -> None:
    group.add_argument(
        "--action-scale",
        type=_positive_float,
        default=1.0,
        metavar="S",
        help=f"the env receives S x each action (ScaleAction; {example}; default: 1)",
    )


def _evaluate_run(
    model: Any,
    run: pathlib.Path,
    config: dict[str, Any],
    n_rollouts: int | None,
    cell_size: float,
    deterministic: bool,
    seed: int,
) -> SkillEvaluation:
    """Evaluate every skill of ``model``; write ``evaluation.json``, ``skills.md`` and ``skills.png`` into ``run``."""
    from hrl_wrappers.evaluation import evaluate_skills

    env = _make_eval_env(config)
    try:
        evaluation = evaluate_skills(
            model,
            env,
            n_rollouts=n_rollouts,
            features=_eval_features(config["env"]),
            cell_size=cell_size,
            deterministic=deterministic,
            seed=seed,
        )
    finally:
        env.close()
    data = evaluation.to_dict()  # the summary included
    data["settings"] = {
        "env": config["env"],
        "features": _eval_features_name(config["env"]),
        "cell_size": cell_size,
        "n_rollouts": n_rollouts,
        "deterministic": deterministic,
        "seed": seed,
    }
    (run / "evaluation.json").write_text(json.dumps(_plain(data), indent=2) + "\n")
    (run / "skills.md").write_text(evaluation.markdown_table() + "\n")
    _save_trajectory_plot(evaluation, run / "skills.png", config)
    return evaluation


def _save_trajectory_plot(evaluation: SkillEvaluation, path: pathlib.Path, config: dict[str, Any]) -> None:
    from hrl_wrappers.evaluation import plot_skill_trajectories

    title = f"{str(config['algorithm']).upper()} skills on {config['env']}: coverage {evaluation.coverage}"
    if evaluation.accuracy is not None:
        title += f", accuracy {evaluation.accuracy:.2f}"
    dims = (0, 1) if evaluation.feature_dim >= 2 else (0, 0)
    plot_skill_trajectories(evaluation, path=str(path), dims=dims, title=title)  # an Agg figure, no pyplot state


def _print_evaluation(evaluation: SkillEvaluation) -> None:
    print(evaluation.markdown_table())
    print("\n".join(f"{key}: {value:.4g}" for key, value in evaluation.summary().items()))


# ---------------------------------------------------------------------------------------------------- train diayn
def _add_diayn_arguments(parser: argparse.ArgumentParser) -> None:
    env = parser.add_argument_group("environment")
    env.add_argument(
        "--env", required=True, metavar="ID", help="Gymnasium id, e.g. hrl_wrappers/PointWorld-v0 or HalfCheetah-v5"
    )
    env.add_argument("--steps", required=True, type=_positive_int, metavar="N", help="environment steps to train for")
    env.add_argument(
        "--env-kwargs",
        type=_json_object,
        default={},
        metavar="JSON",
        help="gym.make keyword arguments, a JSON object (default: none)",
    )
    env.add_argument(
        "--episode-steps", type=_positive_int, metavar="N", help="max_episode_steps (default: the env's time limit)"
    )
    env.add_argument(
        "--prior",
        choices=["x", "xy"],
        help="MuJoCo locomotion envs: expose the torso position in the observation and let the discriminator see only "
        "x (or x, y): the x-y prior",
    )
    env.add_argument(
        "--no-termination",
        action="store_true",
        help="MuJoCo locomotion envs: terminate_when_unhealthy=False where the env has it",
    )
    env.add_argument(
        "--n-envs",
        type=_positive_int,
        default=1,
        metavar="N",
        help="parallel environments (default: %(default)s)",
    )
    env.add_argument(
        "--vec-env",
        choices=["dummy", "subproc"],
        default="dummy",
        help="with --n-envs > 1: DummyVecEnv (one process) or SubprocVecEnv (one process per env; default: %(default)s)",
    )

    skills = parser.add_argument_group("skills")
    kind = skills.add_mutually_exclusive_group()
    kind.add_argument("--n-skills", type=_positive_int, metavar="K", help="number of categorical skills (default: 10)")
    kind.add_argument("--skill-dim", type=_positive_int, metavar="D", help="dimension of continuous skills instead")
    skills.add_argument(
        "--distribution",
        choices=["uniform", "gaussian"],
        help="prior of continuous skills (with --skill-dim; default: uniform)",
    )

    disc = parser.add_argument_group("discriminator")
    disc.add_argument(
        "--features", type=int, nargs="+", metavar="I", help="observation indices the discriminator sees (default: all)"
    )
    disc.add_argument("--disc-net", type=_positive_int, nargs="+", metavar="W", help="hidden layers (default: 128 128)")
    disc.add_argument(
        "--feature-scale",
        type=float,
        default=1.0,
        metavar="S",
        help="multiplies the discriminator's inputs (default: %(default)s)",
    )
    disc.add_argument(
        "--feature-noise",
        type=float,
        default=0.0,
        metavar="SIGMA",
        help="std of Gaussian noise on the discriminator's inputs while it trains, in the features' units "
        "(e.g. 1.0 m for --prior x; default: %(default)s)",
    )
    disc.add_argument(
        "--update-ratio",
        type=float,
        default=1.0,
        metavar="R",
        help="discriminator steps per env step, SAC (default: %(default)s)",
    )

    learner = parser.add_argument_group("learner")
    learner.add_argument(
        "--algo", type=str.upper, choices=["SAC", "PPO"], default="SAC", help="SB3 back end (default: %(default)s)"
    )
    learner.add_argument(
        "--net", type=_positive_int, nargs="+", default=[256, 256], metavar="W", help="policy net_arch (default: 256 256)"
    )
    learner.add_argument(
        "--ent-coef",
        type=_ent_coef,
        metavar="C",
        help="entropy coefficient (default: 0.1 for SAC, the paper's; PPO's own 0.0)",
    )
    learner.add_argument("--learning-rate", type=_positive_float, metavar="LR", help="policy learning rate (default: SB3's)")
    learner.add_argument("--batch-size", type=_positive_int, metavar="B", help="policy minibatch size (default: SB3's)")
    learner.add_argument(
        "--learning-starts", type=_non_negative_int, metavar="N", help="SAC: random steps first (default: SB3's)"
    )
    learner.add_argument(
        "--algo-kwargs",
        type=_json_object,
        default={},
        metavar="JSON",
        help="more DIAYN / SB3 SAC or PPO arguments, e.g. '{\"n_steps\": 512}' or '{\"discriminator_lr\": 0.001}' "
        "(they override the options above)",
    )
    learner.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    learner.add_argument("--device", default="auto", help="torch device: auto, cpu, cuda, ... (default: %(default)s)")

    run = parser.add_argument_group("run folder and monitoring")
    run.add_argument(
        "--run-dir", type=pathlib.Path, metavar="DIR", help="run folder (default: runs/diayn-<env name>-<timestamp>)"
    )
    run.add_argument(
        "--eval-every",
        type=_non_negative_int,
        metavar="N",
        help="evaluate the skills every N steps into RUN/eval (0: never; default: --steps // 10)",
    )
    run.add_argument(
        "--eval-rollouts", type=_positive_int, metavar="N", help="rollouts per evaluation (default: the evaluator's)"
    )
    run.add_argument(
        "--cell-size",
        type=_positive_float,
        default=1.0,
        metavar="C",
        help="grid cell size of the coverage metric (default: %(default)s)",
    )
    run.add_argument("--log-interval", type=_positive_int, metavar="N", help="log every N episodes (SAC) or rollouts (PPO)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_checkpoint_arguments(parser)


def add_checkpoint_arguments(parser: argparse.ArgumentParser) -> None:
    """The checkpoint options of every resumable ``hrl train <algorithm>`` (read by :func:`training_run_from_args`)."""
    group = parser.add_argument_group("checkpoints (continue a run with `hrl train --resume RUN`)")
    group.add_argument(
        "--checkpoint-every",
        type=_non_negative_int,
        metavar="N",
        help="save a checkpoint into RUN/checkpoints every N steps (0: only on SIGINT/SIGTERM and at the end; "
        "default: --steps // 10)",
    )
    group.add_argument(
        "--keep-checkpoints", type=_non_negative_int, default=2, metavar="K", help="checkpoints kept (0: all; default: 2)"
    )
    group.add_argument(
        "--checkpoint-replay-buffer",
        action="store_true",
        help="off-policy learners: save the replay buffer with each checkpoint (a resumed run keeps its data)",
    )


def training_run_from_args(args: argparse.Namespace, run: pathlib.Path, algorithm: str) -> Any:
    """The :class:`~hrl_wrappers.training_run.TrainingRun` of ``hrl train <algorithm>`` (or ``--resume``) options."""
    from hrl_wrappers.training_run import TrainingRun

    resume = getattr(args, "resume", None) is not None
    if resume and not getattr(args, "resume_from_config", False):
        raise CLIError(f"--resume RUN continues RUN with its own options: use `{PROG} train --resume RUN [--steps N]` alone")
    every = args.checkpoint_every if args.checkpoint_every is not None else max(1, args.steps // 10)
    return TrainingRun(
        run,
        algorithm,
        resume=resume,
        checkpoint_every=every,
        keep_checkpoints=args.keep_checkpoints,
        checkpoint_replay_buffer=args.checkpoint_replay_buffer,
    )


def _diayn_env_kwargs(args: argparse.Namespace) -> tuple[dict[str, Any], list[int] | None]:
    """The ``gym.make`` keyword arguments and the discriminator features from the environment options."""
    env_id: str = args.env
    locomotion = _is_locomotion(env_id)
    env_kwargs: dict[str, Any] = {}
    features = None if args.features is None else [int(i) for i in args.features]
    if args.prior is not None:
        if not locomotion:
            raise CLIError(
                f"--prior applies to the MuJoCo locomotion envs ({', '.join(sorted(POSITION_DIMS))}), not --env {env_id!r}; "
                "choose the discriminator's inputs with --features instead"
            )
        if features is not None:
            raise CLIError("--prior and --features both choose the discriminator's inputs: give only one of them")
        env_kwargs.update(locomotion_kwargs(env_id))
        features = position_features(env_id, args.prior)
    if args.no_termination:
        if not locomotion:
            raise CLIError(f"--no-termination applies to the MuJoCo locomotion envs, not --env {env_id!r}")
        try:
            no_termination = locomotion_kwargs(env_id, terminate_when_unhealthy=False)
        except ValueError:
            pass  # HalfCheetah, Swimmer and HumanoidStandup never terminate early
        else:
            env_kwargs["terminate_when_unhealthy"] = no_termination["terminate_when_unhealthy"]
    if args.episode_steps is not None and "max_episode_steps" in args.env_kwargs:
        raise CLIError("--episode-steps and --env-kwargs' max_episode_steps both set the time limit: give only one of them")
    env_kwargs.update(args.env_kwargs)
    if args.episode_steps is not None:
        env_kwargs["max_episode_steps"] = args.episode_steps
    return env_kwargs, features


def _diayn_agent_kwargs(args: argparse.Namespace, env_kwargs: dict[str, Any], features: list[int] | None) -> dict[str, Any]:
    """Keyword arguments of ``DIAYN("MlpPolicy", env_id, ...)`` from the parsed options."""
    from hrl_wrappers.rewards.diayn import DEFAULT_DISCRIMINATOR_ARCH

    if args.distribution is not None and args.skill_dim is None:
        raise CLIError("--distribution is the prior of continuous skills: give --skill-dim too")
    if args.learning_starts is not None and args.algo != "SAC":
        raise CLIError(f"--learning-starts applies to SAC only, not --algo {args.algo}")
    kwargs: dict[str, Any] = {
        "n_skills": (args.n_skills or 10) if args.skill_dim is None else None,
        "skill_dim": args.skill_dim,
        "distribution": args.distribution or "uniform",
        "algo": args.algo,
        "features": features,
        "discriminator_arch": list(args.disc_net or DEFAULT_DISCRIMINATOR_ARCH),
        "feature_scale": args.feature_scale,
        "feature_noise": args.feature_noise,
        "update_ratio": args.update_ratio,
        "n_envs": args.n_envs,
        "vec_env_cls": _vec_env_class(args.vec_env),
        "env_kwargs": env_kwargs,
        "seed": args.seed,
        "device": args.device,
        "verbose": 0,
    }
    if args.ent_coef is not None:
        kwargs["ent_coef"] = args.ent_coef
    elif args.algo == "SAC":
        kwargs["ent_coef"] = 0.1
    for name in ("learning_rate", "batch_size", "learning_starts"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    extra = dict(args.algo_kwargs)
    for name in ("env", "policy", "tensorboard_log"):
        if name in extra:
            raise CLIError(f"--algo-kwargs cannot set {name!r}: the command sets it")
    kwargs["policy_kwargs"] = {"net_arch": list(args.net), **dict(extra.pop("policy_kwargs", None) or {})}
    kwargs.update(extra)
    return kwargs


_LEARNER_PARAMS = {
    "SAC": ("learning_rate", "batch_size", "learning_starts", "buffer_size", "gamma", "tau", "train_freq", "gradient_steps"),
    "PPO": (
        "learning_rate",
        "batch_size",
        "n_steps",
        "n_epochs",
        "gamma",
        "gae_lambda",
        "ent_coef",
        "vf_coef",
        "max_grad_norm",
    ),
}


def _vec_env_class(name: str) -> type:
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    return SubprocVecEnv if name == "subproc" else DummyVecEnv


def _learner_params(model: Any, algo: str) -> dict[str, Any]:
    """The SB3 learner's resolved hyper-parameters (defaults included)."""
    params = {name: _plain(getattr(model, name)) for name in _LEARNER_PARAMS.get(algo, ()) if hasattr(model, name)}
    params["net_arch"] = _plain(model.policy_kwargs.get("net_arch"))
    params["device"] = str(model.device)
    return params


def _train_diayn(args: argparse.Namespace, argv: Sequence[str]) -> int:
    env_id: str = args.env
    spec = _check_env_id(env_id)
    env_kwargs, features = _diayn_env_kwargs(args)
    agent_kwargs = _diayn_agent_kwargs(args, env_kwargs, features)
    run: pathlib.Path = args.run_dir if args.run_dir is not None else _default_run_dir("diayn", env_id)
    training = training_run_from_args(args, run, "diayn")
    training.check_folder()  # nothing is written before the model is built and the checkpoint (if any) loaded
    eval_every = args.steps // 10 if args.eval_every is None else args.eval_every

    from agents import DIAYN
    from hrl_wrappers.evaluation import SkillEvalCallback

    try:
        model: Any = DIAYN("MlpPolicy", env_id, **agent_kwargs)
    except TypeError as exc:
        if args.algo_kwargs:
            raise CLIError(f"--algo-kwargs: {exc}") from None
        raise
    except AssertionError as exc:  # SB3 checks the spaces with asserts (e.g. SAC needs Box actions)
        hint = "; try --algo PPO" if args.algo == "SAC" and "action space" in str(exc) else ""
        raise CLIError(f"--algo {args.algo} cannot train on --env {env_id!r}: {exc}{hint}") from None
    model = training.prepare(model)  # a resumed run: its latest checkpoint, on the env just built

    config: dict[str, Any] = {
        "algorithm": "diayn",
        "env": env_id,
        "env_kwargs": env_kwargs,
        "max_episode_steps": env_kwargs.get("max_episode_steps", spec.max_episode_steps),
        "steps": args.steps,
        "n_skills": model.n_skills,
        "skill_dim": args.skill_dim,
        "algo": args.algo,
        "features": features,
        "agent": {k: v for k, v in agent_kwargs.items() if k not in ("env_kwargs", "vec_env_cls")},
        "skill_config": dict(model.skill_config),
        "learner": _learner_params(model, args.algo),
        "evaluation": {
            "features": _eval_features_name(env_id),
            "cell_size": args.cell_size,
            "eval_every": eval_every,
            "n_rollouts": args.eval_rollouts,
        },
        "checkpoints": {
            "every": training.checkpoint_every,
            "keep": training.keep_checkpoints,
            "replay_buffer": training.checkpoint_replay_buffer,
        },
        "options": {k: v for k, v in vars(args).items() if k not in ("handler",)},
        "hrl_wrappers_version": hrl_wrappers.__version__,
        "command": shlex.join([PROG, *argv]),
        "cwd": os.getcwd(),
        "start_time": _now(),
    }
    config = training.start(config)

    callbacks: list[Any] = []
    eval_env: gym.Env | None = None
    if eval_every > 0:
        eval_env = _make_eval_env(config)
        callbacks.append(
            SkillEvalCallback(
                eval_env,
                eval_freq=max(1, eval_every // args.n_envs),
                features=_eval_features(env_id),
                cell_size=args.cell_size,
                n_rollouts=args.eval_rollouts,
                plot_dims=_plot_dims(env_id),
                log_dir=str(run / "eval"),
                verbose=0,
            )
        )
    try:
        status = training.learn(model, args.steps, callbacks, args.log_interval, progress_bar=not args.no_progress)
    finally:
        if eval_env is not None:
            eval_env.close()
    config = training.finish(model, status)
    if status == "interrupted":
        print(
            f"saved {run / MODEL_FILE} and a checkpoint at {model.num_timesteps} steps; continue with: "
            f"{PROG} train --resume {shlex.quote(str(run))}; evaluate with: {PROG} eval {shlex.quote(str(run))}"
        )
        return 130

    evaluation = _evaluate_run(model, run, config, args.eval_rollouts, args.cell_size, True, args.seed)
    training.record({f"final_eval/{k}": v for k, v in evaluation.summary().items()}, model.num_timesteps)
    _print_evaluation(evaluation)
    print(f"run folder: {run}")
    return 0


def _agent_loader(name: str) -> Callable[[pathlib.Path, str], Any]:
    """``load(path, device)`` for the class ``agents.<name>`` (imported only when a run is loaded)."""

    def load(path: pathlib.Path, device: str) -> Any:
        import agents

        return getattr(agents, name).load(path, device=device)

    return load


# ---------------------------------------------------------------------------------------------------- train dads
def _add_dads_arguments(parser: argparse.ArgumentParser) -> None:
    env = parser.add_argument_group("environment")
    env.add_argument("--env", required=True, metavar="ID", help="Gymnasium id, e.g. hrl_wrappers/PointWorld-v0 or Ant-v5")
    env.add_argument("--steps", required=True, type=_positive_int, metavar="N", help="environment steps to train for")
    env.add_argument("--env-kwargs", type=_json_object, default={}, metavar="JSON", help="gym.make keyword arguments")
    env.add_argument("--episode-steps", type=_positive_int, metavar="N", help="max_episode_steps (default: the env's)")
    env.add_argument(
        "--prior",
        choices=["x", "xy"],
        help="MuJoCo locomotion envs: expose the torso position; the skill dynamics sees only x (or x, y)",
    )
    env.add_argument("--no-termination", action="store_true", help="locomotion envs: terminate_when_unhealthy=False")
    _add_action_scale_argument(env, "Ant-v5: 0.2 is the gear-30 ant of HIRO and DIAYN's navigation")
    env.add_argument("--n-envs", type=_positive_int, default=1, metavar="N", help="parallel environments (default: 1)")
    skills = parser.add_argument_group("skills")
    kind = skills.add_mutually_exclusive_group()
    kind.add_argument("--skill-dim", type=_positive_int, metavar="D", help="continuous skills U(-1,1)^D (default: 2)")
    kind.add_argument("--n-skills", type=_positive_int, metavar="K", help="categorical skills instead")
    skills.add_argument(
        "--resample-every", type=_positive_int, metavar="N", help="redraw the skill every N steps (default: per episode)"
    )
    dyn = parser.add_argument_group("skill dynamics")
    dyn.add_argument("--features", type=int, nargs="+", metavar="I", help="observation indices it predicts (default: all)")
    dyn.add_argument("--hide-features", action="store_true", help="hide those features (or the --prior) from the policy")
    dyn.add_argument(
        "--skill-only-dynamics",
        action="store_true",
        help="the skill dynamics reads the skill only, q(delta | z), as the reference's x-y prior (default: reads the "
        "features it predicts)",
    )
    dyn.add_argument("--dyn-net", type=_positive_int, nargs="+", metavar="W", help="hidden layers (default: --net)")
    dyn.add_argument("--experts", type=_positive_int, default=4, metavar="K", help="Gaussian experts (default: 4)")
    dyn.add_argument(
        "--alternatives", type=_positive_int, metavar="L", help="prior samples in the reward (default 100; exact: categorical)"
    )
    learner = parser.add_argument_group("learner")
    learner.add_argument("--algo", type=str.upper, choices=["SAC", "PPO"], default="SAC", help="SB3 back end (default: SAC)")
    learner.add_argument(
        "--schedule", choices=["on-policy", "off-policy"], default="on-policy", help="SAC schedule (default: on-policy)"
    )
    learner.add_argument(
        "--importance-clip",
        type=float,
        metavar="EPS",
        help="off-policy schedule: weight skill-dynamics updates by clip(pi/mu, 1/EPS, EPS) (reference: 10)",
    )
    learner.add_argument("--iteration-steps", type=_positive_int, default=2000, metavar="N", help="N per iteration")
    learner.add_argument("--dynamics-steps", type=_positive_int, default=32, metavar="K1", help="K1 per iteration")
    learner.add_argument("--agent-steps", type=_positive_int, default=64, metavar="K2", help="K2 per iteration (SAC)")
    learner.add_argument("--net", type=_positive_int, nargs="+", default=[256, 256], metavar="W", help="policy net_arch")
    learner.add_argument("--algo-kwargs", type=_json_object, default={}, metavar="JSON", help="more DADS / SB3 arguments")
    learner.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    learner.add_argument("--device", default="auto", help="torch device (default: %(default)s)")
    run = parser.add_argument_group("run folder")
    run.add_argument("--run-dir", type=pathlib.Path, metavar="DIR", help="run folder (default: runs/dads-<env>-<time>)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_checkpoint_arguments(parser)


def _train_dads(args: argparse.Namespace, argv: Sequence[str]) -> int:
    env_id: str = args.env
    spec = _check_env_id(env_id)
    if args.hide_features and args.features is None and args.prior is None:
        raise CLIError("--hide-features hides the skill dynamics' features: give --features or --prior too")
    env_kwargs, features = _diayn_env_kwargs(args)
    run: pathlib.Path = args.run_dir if args.run_dir is not None else _default_run_dir("dads", env_id)
    training = training_run_from_args(args, run, "dads")
    training.log_formats = ("csv", "tensorboard")
    training.check_folder()
    from agents import DADS

    kwargs: dict[str, Any] = {
        "skill_dim": args.skill_dim if args.n_skills is None else None,
        "n_skills": args.n_skills,
        "algo": args.algo,
        "schedule": args.schedule,
        "features": features,
        "hide_features": bool(args.hide_features),
        "input_features": [] if args.skill_only_dynamics else None,
        "resample_every": args.resample_every,
        "importance_clip": args.importance_clip,
        "n_steps": args.iteration_steps,
        "dynamics_steps": args.dynamics_steps,
        "agent_steps": args.agent_steps,
        "n_experts": args.experts,
        "dynamics_arch": list(args.dyn_net or args.net),
        "n_alternatives": args.alternatives,
        "n_envs": args.n_envs,
        "env_kwargs": env_kwargs,
        "seed": args.seed,
        "device": args.device,
    }
    extra = dict(args.algo_kwargs)
    kwargs["policy_kwargs"] = {"net_arch": list(args.net), **dict(extra.pop("policy_kwargs", None) or {})}
    kwargs.update(extra)
    action_scale: float = args.action_scale
    env: str | Callable[[], gym.Env] = env_id
    if action_scale != 1.0:  # a factory, so that every env the agent builds is wrapped in ScaleAction
        env = functools.partial(_make_run_env, env_id, env_kwargs, action_scale)
        kwargs["env_kwargs"] = None  # the factory passes them to gym.make
    model: Any = training.prepare(DADS("MlpPolicy", env, **kwargs))
    config: dict[str, Any] = {
        "algorithm": "dads",
        "env": env_id,
        "env_kwargs": env_kwargs,
        "action_scale": action_scale,
        "max_episode_steps": env_kwargs.get("max_episode_steps", spec.max_episode_steps),
        "steps": args.steps,
        "n_skills": model.n_skills,
        "skill_dim": None if model.n_skills is not None else model.skill_layout.prior.encoding_dim,
        "algo": args.algo,
        "features": features,
        "agent": {k: v for k, v in kwargs.items() if k != "env_kwargs"},
        "skill_config": dict(model.skill_config),
        "learner": _learner_params(model, args.algo),
        "command": shlex.join([PROG, *argv]),
        "start_time": _now(),
    }
    training.start(config)
    status = training.learn(model, args.steps, progress_bar=not args.no_progress)
    training.finish(model, status)
    if status == "interrupted":
        print(f"saved {run / MODEL_FILE} and a checkpoint; continue with: {PROG} train --resume {shlex.quote(str(run))}")
        return 130
    print(f"run folder: {run}\nplan with: {PROG} plan {shlex.quote(str(run))} --goal X Y")
    return 0


# ---------------------------------------------------------------------------------------------------- hiro
def _add_hiro_arguments(parser: argparse.ArgumentParser) -> None:
    env = parser.add_argument_group("environment")
    env.add_argument("--env", required=True, metavar="ID", help="Gymnasium id, e.g. PointMaze_UMaze-v3 or AntMaze_UMaze-v5")
    env.add_argument("--steps", required=True, type=_positive_int, metavar="N", help="environment steps to train for")
    env.add_argument(
        "--env-kwargs",
        type=_json_object,
        default={},
        metavar="JSON",
        help="gym.make keyword arguments, a JSON object (default: none; mazes get continuing_task=false)",
    )
    _add_action_scale_argument(env, "AntMaze: 0.2 is the HIRO paper's ant torque")
    env.add_argument("--n-envs", type=_positive_int, default=1, metavar="N", help="parallel environments (default: 1)")
    hiro = parser.add_argument_group("HIRO")
    hiro.add_argument("--c", type=_positive_int, default=10, metavar="C", help="steps per high-level goal (default: 10)")
    hiro.add_argument(
        "--goal-indices", type=_non_negative_int, nargs="+", metavar="I", help="state indices of the goal space (default: "
        "the achieved goal of a goal-conditioned env, else the whole observation)"
    )  # fmt: skip
    hiro.add_argument(
        "--goal-range", type=_positive_float, nargs="+", metavar="R", help="half-width of the relative goals, one or one "
        "per goal index (default: the width of a bounded state)"
    )  # fmt: skip
    hiro.add_argument(
        "--low-level-hidden", type=_non_negative_int, nargs="+", default=None, metavar="I",
        help="state indices the low level does not see (e.g. 0 1: blind to absolute x-y)",
    )  # fmt: skip
    hiro.add_argument("--algo", choices=["TD3", "SAC"], default="TD3", help="back end of both levels (default: TD3)")
    hiro.add_argument("--high-algo", choices=["TD3", "SAC"], help="back end of the high level (default: --algo)")
    hiro.add_argument("--no-correction", action="store_true", help="switch the off-policy correction off")
    hiro.add_argument(
        "--high-hindsight", type=float, default=0.0, metavar="F",
        help="fraction of high-level samples relabelled with a later achieved goal (default: 0, as in the paper)",
    )  # fmt: skip
    hiro.add_argument(
        "--hindsight-success-distance", type=_positive_float, metavar="D",
        help="with --high-hindsight: relabelled episodes end within this distance (Gymnasium-Robotics mazes: 0.45)",
    )  # fmt: skip
    hiro.add_argument("--reward-scale", type=float, default=0.1, help="high-level reward scale (default: %(default)s)")
    hiro.add_argument(
        "--high-gradient-steps", type=_positive_int, default=1, metavar="N",
        help="high-level gradient steps per goal (default: 1, as in the paper; c: one per env step)",
    )  # fmt: skip
    hiro.add_argument(
        "--high-noise", type=_non_negative_float, default=0.2, metavar="S",
        help="high-level TD3 exploration std, as a fraction of the goal half-range (default: %(default)s)",
    )  # fmt: skip
    hiro.add_argument(
        "--low-noise", type=_non_negative_float, default=0.1, metavar="S",
        help="low-level TD3 exploration std, as a fraction of the action half-range (default: %(default)s)",
    )  # fmt: skip
    hiro.add_argument(
        "--high-action-penalty", type=_non_negative_float, default=0.0, metavar="C",
        help="L2 penalty on the TD3 high level's goals, scaled to [-1, 1] (default: 0, as in the paper)",
    )  # fmt: skip
    hiro.add_argument(
        "--low-bootstrap-periods", action=argparse.BooleanOptionalAction, default=True,
        help="the low level bootstraps past a period's end from the carried goal (default: on, as in the reference "
        "code; --no-low-bootstrap-periods makes the end terminal)",
    )  # fmt: skip
    learner = parser.add_argument_group("learners")
    learner.add_argument("--net", type=_positive_int, nargs="+", default=[300, 300], metavar="W", help="hidden layers")
    learner.add_argument("--learning-starts", type=_non_negative_int, default=1000, metavar="N")
    learner.add_argument("--batch-size", type=_positive_int, default=100, metavar="N")
    learner.add_argument("--buffer-size", type=_positive_int, default=200_000, metavar="N")
    learner.add_argument("--seed", type=int, default=0)
    learner.add_argument("--device", default="auto")
    run = parser.add_argument_group("run")
    run.add_argument("--run-dir", type=pathlib.Path, metavar="DIR", help="run folder (default: runs/hiro-<env>-<time>)")
    run.add_argument("--eval-episodes", type=_non_negative_int, default=20, metavar="N", help="final evaluation episodes")
    run.add_argument("--log-interval", type=_positive_int, default=10, metavar="N", help="log every N episodes")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_checkpoint_arguments(parser)


def _register_robotics() -> None:
    try:
        import gymnasium_robotics
    except ImportError:
        return
    gym.register_envs(gymnasium_robotics)


def _train_hiro(args: argparse.Namespace, argv: Sequence[str]) -> int:
    _register_robotics()
    env_id: str = args.env
    spec = _check_env_id(env_id)
    env_kwargs = dict(args.env_kwargs)
    if "Maze" in env_id and "continuing_task" not in env_kwargs:
        env_kwargs["continuing_task"] = False
    run: pathlib.Path = args.run_dir if args.run_dir is not None else _default_run_dir("hiro", env_id)
    training = training_run_from_args(args, run, "hiro")
    training.check_folder()  # nothing is written before the model is built and the checkpoint (if any) loaded
    from agents import HIRO
    from agents.hiro.evaluation import evaluate_success

    agent_kwargs: dict[str, Any] = {
        "c": args.c,
        "goal_indices": args.goal_indices,
        "goal_range": args.goal_range if args.goal_range is None or len(args.goal_range) > 1 else args.goal_range[0],
        "low_level_hidden": args.low_level_hidden,
        "algo": args.algo,
        "high_algo": args.high_algo,
        "off_policy_correction": not args.no_correction,
        "high_hindsight": args.high_hindsight,
        "hindsight_success_distance": args.hindsight_success_distance,
        "reward_scale": args.reward_scale,
        "high_gradient_steps": args.high_gradient_steps,
        "high_noise": args.high_noise,
        "low_noise": args.low_noise,
        "high_action_penalty": args.high_action_penalty,
        "low_bootstrap_periods": args.low_bootstrap_periods,
        "policy_kwargs": {"net_arch": list(args.net)},
        "learning_starts": args.learning_starts,
        "batch_size": args.batch_size,
        "buffer_size": args.buffer_size,
        "n_envs": args.n_envs,
        "seed": args.seed,
        "device": args.device,
    }
    action_scale: float = args.action_scale

    def make_env() -> gym.Env:
        return _make_run_env(env_id, env_kwargs, action_scale)

    # a resumed run: its latest checkpoint (both levels, their optimizers, buffers if saved), on the env just built
    model: Any = training.prepare(HIRO("MlpPolicy", make_env, **agent_kwargs))
    config: dict[str, Any] = {
        "algorithm": "hiro",
        "env": env_id,
        "env_kwargs": env_kwargs,
        "action_scale": action_scale,
        "max_episode_steps": spec.max_episode_steps,
        "steps": args.steps,
        "agent": agent_kwargs,
        "layout": model.layout,
        "checkpoints": {
            "every": training.checkpoint_every,
            "keep": training.keep_checkpoints,
            "replay_buffer": training.checkpoint_replay_buffer,
        },
        "options": {k: v for k, v in vars(args).items() if k not in ("handler",)},
        "hrl_wrappers_version": hrl_wrappers.__version__,
        "command": shlex.join([PROG, *argv]),
        "cwd": os.getcwd(),
        "start_time": _now(),
    }
    training.start(config)
    status = training.learn(model, args.steps, log_interval=args.log_interval, progress_bar=not args.no_progress)
    config = training.finish(model, status)
    if status == "interrupted":
        print(f"saved {run / MODEL_FILE} and a checkpoint; continue with: {PROG} train --resume {shlex.quote(str(run))}")
        return 130
    if args.eval_episodes > 0:
        success = evaluate_success(model, make_env, args.eval_episodes, seed=args.seed)
        config["evaluation"] = {"episodes": args.eval_episodes, "success_rate": success}
        (run / "evaluation.json").write_text(json.dumps(config["evaluation"], indent=2))
        _write_yaml(run / CONFIG_FILE, config)
        training.record({"final_eval/success_rate": success}, model.num_timesteps)
        print(f"success rate over {args.eval_episodes} deterministic episodes: {success:.2f}")
    print(f"run folder: {run}")
    return 0


def _eval_hiro(run: pathlib.Path, config: dict[str, Any], episodes: int | None) -> int:
    """``hrl eval`` of a HIRO run: the success rate over deterministic episodes, into RUN/evaluation.json."""
    from agents.hiro.evaluation import evaluate_success

    _register_robotics()
    model = _load_model(run, config)
    n = episodes or int(config.get("options", {}).get("eval_episodes") or 20)
    env_kwargs = dict(config.get("env_kwargs") or {})
    seed = int(config.get("options", {}).get("seed", 0) or 0)
    scale = float(config.get("action_scale", 1.0))  # runs from before --action-scale: 1
    success = evaluate_success(model, lambda: _make_run_env(config["env"], env_kwargs, scale), n, seed=seed)
    (run / "evaluation.json").write_text(json.dumps({"episodes": n, "success_rate": success}, indent=2))
    print(f"success rate over {n} deterministic episodes: {success:.2f}; wrote {run / 'evaluation.json'}")
    return 0


# ---------------------------------------------------------------------------------------------------- train option-critic
def _add_option_critic_arguments(parser: argparse.ArgumentParser) -> None:
    env = parser.add_argument_group("environment")
    env.add_argument("--env", required=True, metavar="ID", help="Gymnasium id, e.g. CartPole-v1 or hrl_wrappers/FourRooms-v0")
    env.add_argument("--steps", required=True, type=_positive_int, metavar="N", help="environment steps to train for")
    env.add_argument(
        "--env-kwargs", type=_json_object, default={}, metavar="JSON", help="gym.make keyword arguments (default: none)"
    )
    env.add_argument(
        "--n-envs", type=_positive_int, default=8, metavar="N", help="parallel environments (default: %(default)s)"
    )
    options = parser.add_argument_group("option-critic")
    options.add_argument("--n-options", type=_positive_int, default=4, metavar="K", help="number of options (default: 4)")
    options.add_argument(
        "--variant",
        choices=["a2oc", "ppoc"],
        default="a2oc",
        help="a2oc: n-step actor-critic updates; ppoc: PPO's clipped surrogate (default: %(default)s)",
    )
    options.add_argument(
        "--xi", type=float, default=0.01, metavar="XI", help="termination regulariser xi (default: %(default)s)"
    )
    options.add_argument(
        "--deliberation-cost", type=float, default=0.0, metavar="ETA", help="cost of switching options (default: 0)"
    )
    options.add_argument(
        "--option-epsilon", type=float, default=0.05, metavar="EPS", help="epsilon over options (default: %(default)s)"
    )
    learner = parser.add_argument_group("learner")
    learner.add_argument(
        "--net", type=_positive_int, nargs="+", default=[64, 64], metavar="W", help="hidden layers (default: 64 64)"
    )
    learner.add_argument("--learning-rate", type=_positive_float, metavar="LR", help="learning rate (default: the variant's)")
    learner.add_argument("--n-steps", type=_positive_int, metavar="N", help="rollout steps per env (default: the variant's)")
    learner.add_argument("--ent-coef", type=float, metavar="C", help="entropy coefficient (default: the variant's)")
    learner.add_argument(
        "--algo-kwargs",
        type=_json_object,
        default={},
        metavar="JSON",
        help="more OptionCritic / PPOC arguments, e.g. '{\"gae_lambda\": 0.9}' (they override the options above)",
    )
    learner.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    learner.add_argument("--device", default="auto", help="torch device (default: %(default)s)")
    run = parser.add_argument_group("run folder")
    run.add_argument(
        "--run-dir", type=pathlib.Path, metavar="DIR", help="run folder (default: runs/option-critic-<env name>-<timestamp>)"
    )
    run.add_argument(
        "--eval-episodes", type=_positive_int, default=10, metavar="N", help="final evaluation episodes (default: 10)"
    )
    run.add_argument("--log-interval", type=_positive_int, default=100, metavar="N", help="log every N rollouts")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_checkpoint_arguments(parser)


def _evaluate_options(model: Any, env: gym.Env, n_episodes: int, seed: int) -> dict[str, Any]:
    """Mean return, option shares and mean option duration over ``n_episodes`` (greedy options and actions)."""
    returns, durations = [], []
    usage = np.zeros(model.n_options, dtype=np.int64)
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        state, start, done, total, length = None, np.ones(1, dtype=bool), False, 0.0, 0
        while not done:
            action, state, ended = model.policy.predict_options(obs, state, start, deterministic=True)
            if ended[0] and length > 0:
                durations.append(length)
                length = 0
            length += 1
            usage[int(state[0])] += 1
            start = np.zeros(1, dtype=bool)
            discrete = isinstance(env.action_space, gym.spaces.Discrete)
            obs, reward, terminated, truncated, _ = env.step(int(action) if discrete else action)
            total += float(reward)
            done = terminated or truncated
        durations.append(length)
        returns.append(total)
    return {
        "mean_return": float(np.mean(returns)),
        "std_return": float(np.std(returns)),
        "option_usage": (usage / max(1, usage.sum())).round(4).tolist(),
        "mean_option_duration": float(np.mean(durations)),
        "episodes": n_episodes,
    }


def _train_option_critic(args: argparse.Namespace, argv: Sequence[str]) -> int:
    env_id: str = args.env
    spec = _check_env_id(env_id)
    run: pathlib.Path = args.run_dir if args.run_dir is not None else _default_run_dir("option-critic", env_id)
    training = training_run_from_args(args, run, "option-critic")
    training.check_folder()
    from agents import PPOC, OptionCritic

    cls = PPOC if args.variant == "ppoc" else OptionCritic
    kwargs: dict[str, Any] = {
        "n_options": args.n_options,
        "n_envs": args.n_envs,
        "env_kwargs": dict(args.env_kwargs) or None,
        "termination_reg": args.xi,
        "deliberation_cost": args.deliberation_cost,
        "seed": args.seed,
        "device": args.device,
        "verbose": 0,
    }
    for name in ("learning_rate", "n_steps", "ent_coef"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    extra = dict(args.algo_kwargs)
    for name in ("env", "policy", "tensorboard_log", "n_options"):
        if name in extra:
            raise CLIError(f"--algo-kwargs cannot set {name!r}: the command sets it")
    kwargs["policy_kwargs"] = {
        "net_arch": list(args.net),
        "option_epsilon": args.option_epsilon,
        **dict(extra.pop("policy_kwargs", None) or {}),
    }
    kwargs.update(extra)
    try:
        model: Any = cls("MlpPolicy", env_id, **kwargs)
    except TypeError as exc:
        if args.algo_kwargs:
            raise CLIError(f"--algo-kwargs: {exc}") from None
        raise
    model = training.prepare(model)
    config: dict[str, Any] = {
        "algorithm": "option-critic",
        "env": env_id,
        "env_kwargs": dict(args.env_kwargs),
        "max_episode_steps": args.env_kwargs.get("max_episode_steps", spec.max_episode_steps),
        "steps": args.steps,
        "variant": args.variant,
        "n_options": args.n_options,
        "agent": {k: v for k, v in kwargs.items() if k != "env_kwargs"},
        "learner": {
            name: _plain(getattr(model, name))
            for name in ("learning_rate", "n_steps", "gamma", "gae_lambda", "ent_coef", "vf_coef", "n_epochs", "batch_size")
        },
        "options": {k: v for k, v in vars(args).items() if k not in ("handler",)},
        "hrl_wrappers_version": hrl_wrappers.__version__,
        "command": shlex.join([PROG, *argv]),
        "cwd": os.getcwd(),
        "start_time": _now(),
    }
    training.start(config)
    status = training.learn(model, args.steps, log_interval=args.log_interval, progress_bar=not args.no_progress)
    training.finish(model, status)
    if status == "interrupted":
        print(f"saved {run / MODEL_FILE} and a checkpoint; continue with: {PROG} train --resume {shlex.quote(str(run))}")
        return 130
    env = gym.make(env_id, **dict(args.env_kwargs))
    try:
        evaluation = _evaluate_options(model, env, args.eval_episodes, args.seed)
    finally:
        env.close()
    (run / "evaluation.json").write_text(json.dumps(_plain(evaluation), indent=2) + "\n")
    print("\n".join(f"{key}: {value}" for key, value in evaluation.items()))
    print(f"run folder: {run}")
    return 0


def _eval_option_critic(run: pathlib.Path, config: dict[str, Any], n_episodes: int, video: bool) -> int:
    """``hrl eval`` of an option-critic run: rewrite ``evaluation.json`` (return, option usage and durations)."""
    if video:
        raise CLIError("--video records skills; option-critic runs have none (evaluation.json has the option statistics)")
    model = _load_model(run, config)
    env = _make_eval_env(config)
    try:
        evaluation = _evaluate_options(model, env, n_episodes, int(config.get("options", {}).get("seed", 0) or 0))
    finally:
        env.close()
    (run / "evaluation.json").write_text(json.dumps(_plain(evaluation), indent=2) + "\n")
    print("\n".join(f"{key}: {value}" for key, value in evaluation.items()))
    print(f"wrote {run / 'evaluation.json'}")
    return 0


def _load_option_critic(path: pathlib.Path, device: str) -> Any:
    from agents import PPOC, OptionCritic
    from agents.common.skill_agent import _read_checkpoint_data

    data = _read_checkpoint_data(path, None) or {}
    return (PPOC if data.get("hrl_agent") == "PPOC" else OptionCritic).load(path, device=device)


#: ``hrl train <name>``: one entry per algorithm (DADS, HIRO, Option-Critic can be added here).
TRAINERS: dict[str, Trainer] = {
    "diayn": Trainer(
        help="DIAYN: Diversity is All You Need (Eysenbach et al., 2019) on SB3's SAC or PPO",
        add_arguments=_add_diayn_arguments,
        train=_train_diayn,
        load=_agent_loader("DIAYN"),
        resumable=True,
    ),
    "dads": Trainer(
        help="DADS: Dynamics-Aware Discovery of Skills (Sharma et al., 2020) on SB3's SAC or PPO; plan with `hrl plan`",
        add_arguments=_add_dads_arguments,
        train=_train_dads,
        load=_agent_loader("DADS"),
        resumable=True,
    ),
    "hiro": Trainer(
        help="HIRO: goal-conditioned two-level hierarchy with off-policy correction (Nachum et al., 2018)",
        add_arguments=_add_hiro_arguments,
        train=_train_hiro,
        load=_agent_loader("HIRO"),
        resumable=True,
    ),
    "option-critic": Trainer(
        help="Option-Critic (Bacon et al., 2017): options with learned terminations, A2OC or PPOC updates",
        add_arguments=_add_option_critic_arguments,
        train=_train_option_critic,
        load=_load_option_critic,
        resumable=True,
    ),
}


# ---------------------------------------------------------------------------------------------------- resume
def _train_resume(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``hrl train --resume RUN``: re-read the options RUN was started with and continue it from its last checkpoint."""
    from hrl_wrappers.training_run import read_run_config

    if args.resume is None:
        raise CLIError(f"choose an algorithm ({', '.join(TRAINERS)}) or continue a run with --resume RUN")
    if getattr(args, "algorithm", None) is not None:
        raise CLIError("--resume RUN continues RUN with its own options: give no algorithm or other options with it")
    run: pathlib.Path = args.resume
    config = read_run_config(run, "--resume")
    algorithm = config["algorithm"]
    trainer = TRAINERS.get(algorithm)
    if trainer is None:
        raise CLIError(f"--resume {str(run)!r}: unknown algorithm {algorithm!r} in {CONFIG_FILE} (known: {sorted(TRAINERS)})")
    if not trainer.resumable:
        raise CLIError(f"--resume {str(run)!r}: `hrl train {algorithm}` cannot resume runs yet")
    try:
        tokens = shlex.split(str(config.get("command", "")))
    except ValueError:
        tokens = []
    if tokens[:3] != [PROG, "train", algorithm]:
        raise CLIError(f"--resume {str(run)!r}: {CONFIG_FILE} has no `{PROG} train {algorithm} ...` command to resume")
    try:
        resumed = build_parser().parse_args(tokens[1:])
    except SystemExit:
        raise CLIError(f"--resume {str(run)!r}: cannot re-read the options of {CONFIG_FILE}'s command") from None
    resumed.run_dir = run
    resumed.resume = run
    resumed.resume_from_config = True
    if args.resume_steps is not None:
        resumed.steps = args.resume_steps
    handler: Callable[[argparse.Namespace, Sequence[str]], int] = resumed.handler
    return int(handler(resumed, argv))


# ---------------------------------------------------------------------------------------------------- eval, plot
def _eval(args: argparse.Namespace, argv: Sequence[str]) -> int:
    run: pathlib.Path = args.run
    config = _read_run(run)
    if config["algorithm"] == "hiro":
        return _eval_hiro(run, config, args.rollouts)
    if config["algorithm"] == "option-critic":
        return _eval_option_critic(run, config, args.rollouts or 10, args.video)
    if args.video and _is_mujoco(config["env"]):
        os.environ.setdefault("MUJOCO_GL", "egl")
    model = _load_model(run, config)
    cell_size = args.cell_size if args.cell_size is not None else float(config.get("evaluation", {}).get("cell_size", 1.0))
    seed = int(config.get("options", {}).get("seed", 0) or 0)
    evaluation = _evaluate_run(model, run, config, args.rollouts, cell_size, not args.stochastic, seed)
    _print_evaluation(evaluation)
    written = ["evaluation.json", "skills.md", "skills.png"]
    if args.video:
        from hrl_wrappers.evaluation import record_skill_videos

        record_skill_videos(
            model,
            config["env"],
            str(run / "videos"),
            video_length=args.video_length,
            env_kwargs=dict(config.get("env_kwargs") or {}),
            seed=seed,
        )
        written.append("videos/")
    print(f"wrote {', '.join(str(run / name) for name in written)}")
    return 0


def _plot(args: argparse.Namespace, argv: Sequence[str]) -> int:
    run: pathlib.Path = args.run
    config = _read_run(run)
    if config["algorithm"] in ("hiro", "option-critic"):  # no skills to draw: the training curves only
        if _plot_curves(run / "logs" / "progress.csv", run / "curves.png", title=f"{config['env']} ({config['algorithm']})"):
            print(f"wrote {run / 'curves.png'}")
        return 0
    evaluation = _saved_evaluation(run)
    if evaluation is None:
        model = _load_model(run, config)
        cell_size = float(config.get("evaluation", {}).get("cell_size", 1.0))
        evaluation = _evaluate_run(
            model, run, config, None, cell_size, True, int(config.get("options", {}).get("seed", 0) or 0)
        )
    else:
        _save_trajectory_plot(evaluation, run / "skills.png", config)
    print(f"wrote {run / 'skills.png'}")
    if _plot_curves(run / "logs" / "progress.csv", run / "curves.png", title=f"{config['env']} ({config['algorithm']})"):
        print(f"wrote {run / 'curves.png'}")
    return 0


def _saved_evaluation(run: pathlib.Path) -> SkillEvaluation | None:
    """The evaluation saved in ``run/evaluation.json`` (by ``SkillEvaluation.to_dict``); None if missing or unreadable."""
    from hrl_wrappers.evaluation import SkillEvaluation

    path = run / "evaluation.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        values = {f.name: data[f.name] for f in dataclasses.fields(SkillEvaluation) if f.name in data}
        values["trajectories"] = [np.asarray(t, dtype=np.float64).reshape(len(t), -1) for t in data["trajectories"]]
        return SkillEvaluation(**values)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # e.g. written without trajectories: evaluate again


def _read_curves(progress: pathlib.Path) -> dict[str, tuple[list[float], list[float]]]:
    with progress.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    curves: dict[str, tuple[list[float], list[float]]] = {}
    for key in CURVE_KEYS:
        xs: list[float] = []
        ys: list[float] = []
        for row in rows:
            x, y = row.get(_X_KEY), row.get(key)
            if x and y:
                xs.append(float(x))
                ys.append(float(y))
        if xs:
            curves[key] = (xs, ys)
    return curves


def _plot_curves(progress: pathlib.Path, path: pathlib.Path, title: str) -> bool:
    """Draw the training curves of ``progress`` (SB3's progress.csv) into ``path``; False (and a warning) if none."""
    if not progress.is_file():
        print(f"{PROG}: warning: no {progress}: no training curves drawn", file=sys.stderr)
        return False
    curves = _read_curves(progress)
    if not curves:
        print(f"{PROG}: warning: {progress} has none of {', '.join(CURVE_KEYS)}: no training curves drawn", file=sys.stderr)
        return False
    from matplotlib.figure import Figure

    ncols = min(3, len(curves))
    nrows = math.ceil(len(curves) / ncols)
    figure = Figure(figsize=(4.2 * ncols, 3.2 * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (key, (xs, ys)) in zip(axes, curves.items(), strict=False):
        ax.plot(xs, ys, marker="." if len(xs) < 30 else None)
        ax.set_title(key)
        ax.set_xlabel("environment steps")
        ax.grid(alpha=0.3)
    for ax in axes[len(curves) :]:
        ax.set_visible(False)
    figure.suptitle(title)
    figure.savefig(path, dpi=120)
    return True


def _plan(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``hrl plan RUN --goal X Y``: zero-shot MPPI over the run's skills towards a goal, closed loop in its env."""
    run: pathlib.Path = args.run
    config = _read_run(run)
    model = _load_model(run, config, "cpu")
    from agents.dads.planner import SkillPlanner, plot_plans

    try:
        planner = SkillPlanner(
            model,
            horizon=args.horizon,
            hold_steps=args.hold_steps,
            n_candidates=args.candidates,
            n_refine=args.refine,
            temperature=args.temperature,
            reward_type="sparse" if args.sparse else "dense",
            goal_radius=args.goal_radius,
            std_decay=args.std_decay,
            seed=args.seed,
        )
    except TypeError as exc:
        raise CLIError(f"RUN {str(run)!r} ({config['algorithm']}): {exc}") from None
    env = _make_eval_env(config)
    try:
        result = planner.run(env, goal=args.goal, max_steps=args.steps, seed=args.seed)
    finally:
        env.close()
    out = {
        "goal": [float(g) for g in result.goal],
        "initial_distance": result.initial_distance,
        "final_distance": result.final_distance,
        "final_over_initial": result.final_ratio,
        "normalized_distance": result.normalized_distance,
        "steps": len(result.executed) - 1,
        "command": shlex.join([PROG, *argv]),
    }
    (run / "plan.json").write_text(json.dumps(out, indent=2) + "\n")
    plot_plans([result], str(run / "plan.png"), title=f"zero-shot plan to {out['goal']}")
    print("\n".join(f"{k}: {v}" for k, v in out.items()))
    return 0


# ---------------------------------------------------------------------------------------------------- parser, main
def build_parser() -> argparse.ArgumentParser:
    """The ``hrl`` argument parser (``train <algorithm>``, ``eval``, ``plot``)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train, evaluate and plot skill-discovery agents (hrl_wrappers).",
        epilog="Run `hrl COMMAND --help` (or `hrl train diayn --help`) for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {hrl_wrappers.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train an agent into a run folder, or continue one (--resume)",
        description="Train an agent into a run folder (hrl train ALGORITHM ...), or continue a run from its latest "
        "checkpoint (hrl train --resume RUN [--steps N]).",
    )
    train.add_argument(
        "--resume",
        type=pathlib.Path,
        metavar="RUN",
        help="continue run folder RUN from its latest checkpoint, with the options it was started with",
    )
    train.add_argument(
        "--steps",
        dest="resume_steps",
        type=_positive_int,
        metavar="N",
        help="with --resume: train up to N steps in all (default: the run's --steps)",
    )
    train.set_defaults(handler=_train_resume)
    algorithms = train.add_subparsers(dest="algorithm", required=False, metavar="ALGORITHM", title="algorithms")
    for name, trainer in TRAINERS.items():
        sub = algorithms.add_parser(name, help=trainer.help, description=trainer.help)
        trainer.add_arguments(sub)
        sub.set_defaults(handler=trainer.train)

    evaluate = commands.add_parser(
        "eval",
        help="evaluate the skills of a run",
        description="Evaluate every skill of RUN/model.zip; rewrite RUN/evaluation.json, skills.md and skills.png.",
    )
    evaluate.add_argument("run", type=pathlib.Path, metavar="RUN", help="run folder written by `hrl train`")
    evaluate.add_argument("--rollouts", type=_positive_int, metavar="N", help="rollouts per skill (default: the evaluator's)")
    evaluate.add_argument("--video", action="store_true", help="also record one video per skill into RUN/videos")
    evaluate.add_argument(
        "--video-length", type=_positive_int, default=200, metavar="N", help="steps per video (default: %(default)s)"
    )
    evaluate.add_argument(
        "--cell-size", type=_positive_float, metavar="C", help="coverage grid cell size (default: the run's)"
    )
    evaluate.add_argument("--stochastic", action="store_true", help="sample actions instead of acting deterministically")
    evaluate.set_defaults(handler=_eval)

    plot = commands.add_parser(
        "plot",
        help="plot the skills and training curves of a run",
        description="Write RUN/skills.png (skill trajectories) and RUN/curves.png (training curves, RUN/logs/progress.csv).",
    )
    plot.add_argument("run", type=pathlib.Path, metavar="RUN", help="run folder written by `hrl train`")
    plot.set_defaults(handler=_plot)

    from hrl_wrappers.sweep import add_sweep_arguments, sweep_command

    sweep = commands.add_parser(
        "sweep",
        help="run seeds x settings as Ray Tune trials",
        description="Run every (setting, seed) of CONFIG.yaml as one `hrl train` run, as Ray Tune trials; print and "
        "write the results table and the best setting.",
    )
    add_sweep_arguments(sweep)
    sweep.set_defaults(handler=sweep_command)
    plan = commands.add_parser(
        "plan",
        help="zero-shot planning to a goal with a DADS run's skill dynamics",
        description="MPPI over the skills of RUN/model.zip towards --goal, executed closed loop; writes RUN/plan.json "
        "and RUN/plan.png.",
    )
    plan.add_argument("run", type=pathlib.Path, metavar="RUN", help="run folder written by `hrl train dads`")
    plan.add_argument("--goal", type=float, nargs="+", required=True, metavar="X", help="goal (e.g. X Y)")
    plan.add_argument("--steps", type=_positive_int, default=200, metavar="N", help="episode steps (default: 200)")
    plan.add_argument("--sparse", action="store_true", help="plan for the sparse reward (H_P=4, H_Z=25, K=200 suit it)")
    plan.add_argument("--horizon", type=_positive_int, default=1, metavar="H_P", help="skills per plan (default: 1)")
    plan.add_argument("--hold-steps", type=_positive_int, default=10, metavar="H_Z", help="steps per skill (default: 10)")
    plan.add_argument("--candidates", type=_positive_int, default=50, metavar="K", help="candidates (default: 50)")
    plan.add_argument("--refine", type=_positive_int, default=10, metavar="R", help="refinements (default: 10)")
    plan.add_argument("--temperature", type=_positive_float, default=10.0, metavar="G", help="gamma (default: 10)")
    plan.add_argument("--goal-radius", type=_positive_float, default=1.0, metavar="D", help="sparse goal radius")
    plan.add_argument("--std-decay", type=_positive_float, default=1.0, metavar="F", help="noise decay per refinement")
    plan.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    plan.set_defaults(handler=_plan)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``hrl`` command line; return the exit status (2 for usage errors) instead of exiting."""
    args_list = sys.argv[1:] if argv is None else [str(a) for a in argv]
    os.environ.setdefault("MPLBACKEND", "Agg")
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # --help, --version and argparse's usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    handler: Callable[[argparse.Namespace, Sequence[str]], int] = args.handler
    try:
        return int(handler(args, args_list))
    except (CLIError, ValueError, gym.error.Error) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
