"""The shared core of the ``hrl`` command line: what every command and every algorithm's trainer uses.

It holds the usage error (:class:`CLIError`), the :class:`Trainer` record of one algorithm, the argparse value types,
the checkpoint options and the :class:`~hrl_wrappers.training_run.TrainingRun` they configure, the environment
helpers (a run's environment with its keyword arguments and action scale, the default run folder), the helpers that
write plain YAML/JSON, the top-level ``hrl`` parser and :func:`run_command`, which parses a command line and runs
its handler with the command line's error handling.
"""

from __future__ import annotations

import argparse
import datetime
import enum
import inspect
import json
import math
import os
import pathlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
import yaml
from gymnasium.envs.registration import load_env_creator

import hrl_wrappers
from hrl_wrappers.locomotion import position_features
from hrl_wrappers.scale_action import ScaleAction

PROG = "hrl"
CONFIG_FILE = "config.yaml"
MODEL_FILE = "model.zip"


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


def _check_env_kwargs(env_id: str, env_kwargs: dict[str, Any]) -> None:
    """Refuse ``--env-kwargs`` keys that neither ``gym.make`` nor the environment's constructor takes (a typo), naming
    the keys it takes; an entry point with ``**kwargs`` or one that cannot be inspected is not checked here."""
    if not env_kwargs:
        return
    spec = gym.spec(env_id)
    try:
        creator = spec.entry_point if callable(spec.entry_point) else load_env_creator(str(spec.entry_point))
        parameters = inspect.signature(creator).parameters
    except (AttributeError, ImportError, ValueError, TypeError, gym.error.Error):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    make_options = set(inspect.signature(gym.make).parameters) - {"id", "kwargs"}
    known = {name for name, p in parameters.items() if p.kind is not inspect.Parameter.VAR_POSITIONAL} | make_options
    unknown = sorted(set(env_kwargs) - known)
    if unknown:
        raise CLIError(
            f"--env-kwargs: {env_id!r} takes no argument {', '.join(map(repr, unknown))}; the arguments it takes are "
            f"{', '.join(sorted(known - {'self'}))}"
        )


def _default_run_dir(algorithm: str, env_id: str) -> pathlib.Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = pathlib.Path("runs") / f"{algorithm}-{_env_name(env_id)}-{stamp}"
    run, n = base, 1
    while run.exists():
        run, n = base.with_name(f"{base.name}-{n}"), n + 1
    return run


# ---------------------------------------------------------------------------------------------------- run envs
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


def _register_robotics() -> None:
    try:
        import gymnasium_robotics
    except ImportError:
        return
    gym.register_envs(gymnasium_robotics)


# ---------------------------------------------------------------------------------------------------- checkpoints
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
        total_steps=args.steps,
    )


# ---------------------------------------------------------------------------------------------------- learners
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


def _agent_loader(name: str) -> Callable[[pathlib.Path, str], Any]:
    """``load(path, device)`` for the class ``agents.<name>`` (imported only when a run is loaded)."""

    def load(path: pathlib.Path, device: str) -> Any:
        import agents

        return getattr(agents, name).load(path, device=device)

    return load


# ---------------------------------------------------------------------------------------------------- parser, run
def new_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    """The top-level ``hrl`` parser (description, ``--version``) and its sub-parsers, to which commands are added."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train, evaluate and plot skill-discovery agents (hrl_wrappers).",
        epilog="Run `hrl COMMAND --help` (or `hrl train diayn --help`) for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {hrl_wrappers.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    return parser, commands


def run_command(build_parser: Callable[[], argparse.ArgumentParser], argv: list[str] | None = None) -> int:
    """Parse ``argv`` with ``build_parser()`` and run its command; return the exit status (2 for usage errors).

    :param build_parser: builds the parser; each command's sub-parser sets its ``handler(args, argv)``.
    :param argv: the command line without the program name (default: ``sys.argv[1:]``).
    """
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
