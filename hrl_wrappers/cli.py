"""``hrl``: train, evaluate and plot skill-discovery agents from the command line.

Usage::

    hrl train diayn --env ID --steps N [options]    # train into one run folder (see below)
    hrl eval RUN [--rollouts N] [--video] [--video-length N] [--cell-size C] [--stochastic]
    hrl plot RUN                                     # RUN/skills.png and RUN/curves.png
    hrl --help | hrl train diayn --help              # every option, with its default

Examples::

    hrl train diayn --env hrl_wrappers/PointWorld-v0 --steps 30000 --n-skills 6 --net 64 64
    hrl train diayn --env HalfCheetah-v5 --steps 300000 --prior x --episode-steps 200 --feature-scale 0.1 --feature-noise 1.0
    hrl train diayn --env Ant-v5 --steps 1000000 --prior xy --no-termination \\
        --env-kwargs '{"include_cfrc_ext_in_observation": false}'
    hrl train diayn --env hrl_wrappers/PointWorld-v0 --steps 20000 --algo PPO --algo-kwargs '{"n_steps": 512}'
    hrl eval runs/diayn-PointWorld-v0-20250101-120000 --rollouts 8 --video
    hrl plot runs/diayn-PointWorld-v0-20250101-120000

A run folder (``--run-dir``, default ``runs/<algorithm>-<env name>-<timestamp>``) holds:

* ``config.yaml``: the resolved configuration (every option, the env keyword arguments, the agent's and the SB3
  learner's parameters, the library version, the command line, start/end time, wall time and steps per second);
* ``model.zip``: the trained agent (``DIAYN.load``);
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
import json
import math
import os
import pathlib
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
import yaml

import hrl_wrappers
from hrl_wrappers.envs import FOUR_ROOMS_ID
from hrl_wrappers.locomotion import POSITION_DIMS, locomotion_kwargs, position_features

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
    """

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    train: Callable[[argparse.Namespace, Sequence[str]], int]
    load: Callable[[pathlib.Path, str], Any]


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


def _make_eval_env(config: dict[str, Any]) -> gym.Env:
    """The raw environment of a run (no SkillWrapper), with the training env kwargs and time limit."""
    return gym.make(config["env"], **dict(config.get("env_kwargs") or {}))


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
        help="parallel environments, DummyVecEnv (default: %(default)s)",
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
    disc.add_argument("--disc-net", type=_positive_int, nargs="+", metavar="W", help="hidden layers (default: --net)")
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
        "discriminator_arch": list(args.disc_net or args.net),
        "feature_scale": args.feature_scale,
        "feature_noise": args.feature_noise,
        "update_ratio": args.update_ratio,
        "n_envs": args.n_envs,
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
    if (run / MODEL_FILE).exists():
        raise CLIError(
            f"--run-dir {str(run)!r} already holds a trained model ({MODEL_FILE}): choose another --run-dir or delete it"
        )
    if run.exists() and not run.is_dir():
        raise CLIError(f"--run-dir {str(run)!r} is a file, not a folder")
    eval_every = args.steps // 10 if args.eval_every is None else args.eval_every

    from stable_baselines3.common.logger import configure

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

    run.mkdir(parents=True, exist_ok=True)
    started, start_time = time.perf_counter(), _now()
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
        "agent": {k: v for k, v in agent_kwargs.items() if k not in ("env_kwargs",)},
        "skill_config": dict(model.skill_config),
        "learner": _learner_params(model, args.algo),
        "evaluation": {
            "features": _eval_features_name(env_id),
            "cell_size": args.cell_size,
            "eval_every": eval_every,
            "n_rollouts": args.eval_rollouts,
        },
        "options": {k: v for k, v in vars(args).items() if k not in ("handler",)},
        "hrl_wrappers_version": hrl_wrappers.__version__,
        "command": shlex.join([PROG, *argv]),
        "cwd": os.getcwd(),
        "status": "running",
        "start_time": start_time,
    }
    _write_yaml(run / CONFIG_FILE, config)

    logger = configure(str(run / "logs"), ["stdout", "csv", "tensorboard"])
    model.set_logger(logger)
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
    status = "finished"
    try:
        model.learn(args.steps, callback=callbacks or None, log_interval=args.log_interval, progress_bar=not args.no_progress)
    except KeyboardInterrupt:
        status = "interrupted"
        print(f"\n{PROG}: interrupted at {model.num_timesteps} steps; saving the model", file=sys.stderr)
    finally:
        if eval_env is not None:
            eval_env.close()
    if logger.name_to_value:  # values recorded since SB3's last dump (e.g. the last episodes): one more row
        logger.record("time/total_timesteps", model.num_timesteps)
        logger.dump(model.num_timesteps)
    logger.close()
    model.save(run / MODEL_FILE)
    wall = time.perf_counter() - started
    config.update(
        status=status,
        end_time=_now(),
        wall_time_s=round(wall, 3),
        total_timesteps=int(model.num_timesteps),
        steps_per_s=round(model.num_timesteps / wall, 3) if wall > 0 else None,
    )
    _write_yaml(run / CONFIG_FILE, config)
    if status == "interrupted":
        print(f"saved {run / MODEL_FILE}; evaluate it with: {PROG} eval {shlex.quote(str(run))}")
        return 130

    evaluation = _evaluate_run(model, run, config, args.eval_rollouts, args.cell_size, True, args.seed)
    _print_evaluation(evaluation)
    print(f"run folder: {run}")
    return 0


def _load_diayn(path: pathlib.Path, device: str) -> Any:
    from agents import DIAYN

    return DIAYN.load(path, device=device)


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
    if (run / MODEL_FILE).exists():
        raise CLIError(
            f"--run-dir {str(run)!r} already holds a trained model ({MODEL_FILE}): choose another --run-dir or delete it"
        )
    if run.exists() and not run.is_dir():
        raise CLIError(f"--run-dir {str(run)!r} is a file, not a folder")
    from stable_baselines3.common.logger import configure

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
    run.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
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
        "status": "running",
        "start_time": _now(),
    }
    _write_yaml(run / CONFIG_FILE, config)
    logger = configure(str(run / "logs"), ["stdout", "csv", "tensorboard"])
    model.set_logger(logger)
    status = "finished"
    try:
        model.learn(args.steps, log_interval=args.log_interval, progress_bar=not args.no_progress)
    except KeyboardInterrupt:
        status = "interrupted"
        print(f"\n{PROG}: interrupted at {model.num_timesteps} steps; saving the model", file=sys.stderr)
    if logger.name_to_value:
        logger.record("time/total_timesteps", model.num_timesteps)
        logger.dump(model.num_timesteps)
    logger.close()
    model.save(run / MODEL_FILE)
    wall = time.perf_counter() - started
    config.update(
        status=status,
        end_time=_now(),
        wall_time_s=round(wall, 3),
        total_timesteps=int(model.num_timesteps),
        steps_per_s=round(model.num_timesteps / wall, 3) if wall > 0 else None,
    )
    _write_yaml(run / CONFIG_FILE, config)
    if status == "interrupted":
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
        load=_load_diayn,
    ),
    "option-critic": Trainer(
        help="Option-Critic (Bacon et al., 2017): options with learned terminations, A2OC or PPOC updates",
        add_arguments=_add_option_critic_arguments,
        train=_train_option_critic,
        load=_load_option_critic,
    ),
}


# ---------------------------------------------------------------------------------------------------- eval, plot
def _eval(args: argparse.Namespace, argv: Sequence[str]) -> int:
    run: pathlib.Path = args.run
    config = _read_run(run)
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
    if config["algorithm"] == "option-critic":  # no skills to draw: the training curves only
        if _plot_curves(run / "logs" / "progress.csv", run / "curves.png", title=f"{config['env']} (option-critic)"):
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
        "train", help="train an agent into a run folder", description="Train an agent into a run folder."
    )
    algorithms = train.add_subparsers(dest="algorithm", required=True, metavar="ALGORITHM", title="algorithms")
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
