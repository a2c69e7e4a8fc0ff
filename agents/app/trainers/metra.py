"""``hrl train metra``: METRA's options (LSD with ``--constraint spectral``), the agent they build, and its training.

The run folder, checkpoints, ``--resume``, periodic and final skill evaluations are those of ``hrl train diayn``; the
environment options (``--prior``, ``--no-termination``, ``--episode-steps``, ``--env-kwargs``) are shared with it
through :func:`~agents.app.trainers.diayn._diayn_env_kwargs`. ``--constraint spectral`` builds :class:`~agents.LSD`,
so the run's checkpoints are LSD checkpoints; :func:`_load_metra` loads either.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shlex
from collections.abc import Sequence
from typing import Any

import hrl_wrappers
from agents.app.core import (
    PROG,
    CLIError,
    _check_env_id,
    _check_env_kwargs,
    _default_run_dir,
    _ent_coef,
    _json_object,
    _learner_params,
    _non_negative_float,
    _non_negative_int,
    _now,
    _positive_float,
    _positive_int,
    _vec_env_class,
    add_checkpoint_arguments,
    training_run_from_args,
)
from agents.app.evaluation import _eval_features_name
from agents.app.trainers.diayn import _diayn_env_kwargs, _train_and_evaluate

#: the options of the dual constraint (METRA's), refused with ``--constraint spectral``.
_DUAL_OPTIONS = ("dual_lambda", "dual_slack", "dual_lr")


def _add_metra_arguments(parser: argparse.ArgumentParser) -> None:
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
        help="MuJoCo locomotion envs: expose the torso position in the observation and let phi see only x (or x, y) "
        "(default: phi sees the whole state, as in METRA)",
    )
    env.add_argument(
        "--no-termination",
        action="store_true",
        help="MuJoCo locomotion envs: terminate_when_unhealthy=False where the env has it",
    )
    env.add_argument(
        "--n-envs", type=_positive_int, default=1, metavar="N", help="parallel environments (default: %(default)s)"
    )
    env.add_argument(
        "--vec-env",
        choices=["dummy", "subproc"],
        default="dummy",
        help="with --n-envs > 1: DummyVecEnv (one process) or SubprocVecEnv (one process per env; default: %(default)s)",
    )

    skills = parser.add_argument_group("skills")
    kind = skills.add_mutually_exclusive_group()
    kind.add_argument("--skill-dim", type=_positive_int, metavar="D", help="dimension of continuous skills (default: 2)")
    kind.add_argument(
        "--n-skills", type=_positive_int, metavar="K", help="categorical skills instead (zero-centred one-hot vectors)"
    )
    skills.add_argument(
        "--distribution",
        choices=["sphere", "gaussian", "uniform"],
        help="prior of continuous skills (default: sphere, unit vectors, for METRA; gaussian for LSD)",
    )
    skills.add_argument(
        "--resample-every", type=_positive_int, metavar="N", help="redraw the skill every N steps (default: per episode)"
    )

    phi = parser.add_argument_group("representation phi")
    phi.add_argument(
        "--constraint",
        choices=["dual", "spectral"],
        default="dual",
        help="dual: ||phi(s') - phi(s)|| <= 1 with a learned multiplier (METRA); spectral: a spectrally normalised, "
        "1-Lipschitz phi (LSD; the run trains agents.LSD) (default: %(default)s)",
    )
    phi.add_argument("--features", type=int, nargs="+", metavar="I", help="observation indices phi sees (default: all)")
    phi.add_argument("--phi-arch", type=_positive_int, nargs="+", metavar="W", help="phi's hidden layers (default: 256 256)")
    phi.add_argument("--phi-lr", type=_positive_float, metavar="LR", help="phi's Adam learning rate (default: 1e-4)")
    phi.add_argument(
        "--feature-scale", type=_positive_float, default=1.0, metavar="S", help="multiplies phi's inputs (default: 1.0)"
    )
    phi.add_argument("--phi-batch-size", type=_positive_int, metavar="B", help="phi's minibatch size (default: 256)")
    phi.add_argument(
        "--update-ratio",
        type=_non_negative_float,
        metavar="R",
        help="phi's gradient steps per env step (default: SAC's, gradient_steps / (train_freq * n_envs))",
    )
    phi.add_argument(
        "--dual-lambda", type=_positive_float, metavar="L", help="--constraint dual: initial multiplier (default: 30)"
    )
    phi.add_argument(
        "--dual-slack", type=_positive_float, metavar="EPS", help="--constraint dual: the constraint's slack (default: 1e-3)"
    )
    phi.add_argument(
        "--dual-lr",
        type=_positive_float,
        metavar="LR",
        help="--constraint dual: learning rate of log lambda (default: --phi-lr)",
    )

    learner = parser.add_argument_group("learner (SB3's SAC)")
    learner.add_argument(
        "--net", type=_positive_int, nargs="+", default=[256, 256], metavar="W", help="policy net_arch (default: 256 256)"
    )
    learner.add_argument(
        "--ent-coef", type=_ent_coef, metavar="C", help="entropy coefficient (default: auto_0.01, the paper's)"
    )
    learner.add_argument("--learning-rate", type=_positive_float, metavar="LR", help="SAC's learning rate (default: 1e-4)")
    learner.add_argument("--batch-size", type=_positive_int, metavar="B", help="SAC's minibatch size (default: SB3's)")
    learner.add_argument("--learning-starts", type=_non_negative_int, metavar="N", help="random steps first (default: SB3's)")
    learner.add_argument("--train-freq", type=_positive_int, metavar="N", help="update every N steps (default: SB3's, 1)")
    learner.add_argument(
        "--gradient-steps", type=_positive_int, metavar="G", help="gradient steps per update (default: SB3's, 1)"
    )
    learner.add_argument(
        "--algo-kwargs",
        type=_json_object,
        default={},
        metavar="JSON",
        help="more METRA / SB3 SAC arguments, e.g. '{\"buffer_size\": 100000}' (they override the options above)",
    )
    learner.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    learner.add_argument("--device", default="auto", help="torch device: auto, cpu, cuda, ... (default: %(default)s)")

    run = parser.add_argument_group("run folder and monitoring")
    run.add_argument(
        "--run-dir",
        type=pathlib.Path,
        metavar="DIR",
        help="run folder (default: runs/metra-<env name>-<timestamp>, or runs/lsd-... with --constraint spectral)",
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
    run.add_argument("--log-interval", type=_positive_int, metavar="N", help="log every N episodes")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_checkpoint_arguments(parser)


def _metra_agent_kwargs(args: argparse.Namespace, env_kwargs: dict[str, Any], features: list[int] | None) -> dict[str, Any]:
    """Keyword arguments of ``METRA("MlpPolicy", env_id, ...)`` (or ``LSD``) from the parsed options."""
    if args.distribution is not None and args.n_skills is not None:
        raise CLIError("--distribution is the prior of continuous skills: give --skill-dim (not --n-skills) with it")
    if args.distribution == "sphere" or (args.distribution is None and args.constraint == "dual"):
        if args.skill_dim is not None and args.skill_dim < 2:
            raise CLIError(
                f"--skill-dim {args.skill_dim}: unit-vector skills (--distribution sphere) need --skill-dim >= 2; "
                "choose --distribution gaussian or uniform for 1-D skills"
            )
    if args.constraint == "spectral":
        given = [name for name in _DUAL_OPTIONS if getattr(args, name) is not None]
        if given:
            options = " and ".join("--" + name.replace("_", "-") for name in given)
            verb = "applies" if len(given) == 1 else "apply"
            raise CLIError(
                f"{options} {verb} to --constraint dual (METRA's learned multiplier); --constraint spectral (LSD) has no "
                f"dual variable: leave {'it' if len(given) == 1 else 'them'} out"
            )
    kwargs: dict[str, Any] = {
        "n_skills": args.n_skills,
        "skill_dim": args.skill_dim,
        "constraint": args.constraint,
        "features": features,
        "feature_scale": args.feature_scale,
        "resample_every": args.resample_every,
        "n_envs": args.n_envs,
        "vec_env_cls": _vec_env_class(args.vec_env),
        "env_kwargs": env_kwargs,
        "seed": args.seed,
        "device": args.device,
        "verbose": 0,
    }
    if args.distribution is not None:
        kwargs["distribution"] = args.distribution
    optional = {
        "phi_arch": None if args.phi_arch is None else list(args.phi_arch),
        "phi_lr": args.phi_lr,
        "phi_batch_size": args.phi_batch_size,
        "update_ratio": args.update_ratio,
        "dual_lambda": args.dual_lambda,
        "dual_slack": args.dual_slack,
        "dual_lr": args.dual_lr,
        "ent_coef": args.ent_coef,
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
        "learning_starts": args.learning_starts,
        "train_freq": args.train_freq,
        "gradient_steps": args.gradient_steps,
    }
    kwargs.update({name: value for name, value in optional.items() if value is not None})
    extra = dict(args.algo_kwargs)
    for name in ("env", "policy", "tensorboard_log", "constraint"):
        if name in extra:
            option = " (give --constraint)" if name == "constraint" else ""
            raise CLIError(f"--algo-kwargs cannot set {name!r}: the command sets it{option}")
    kwargs["policy_kwargs"] = {"net_arch": list(args.net), **dict(extra.pop("policy_kwargs", None) or {})}
    kwargs.update(extra)
    return kwargs


def _agent_class(constraint: str) -> Any:
    """``agents.LSD`` for the spectral constraint, ``agents.METRA`` for the dual one."""
    from agents import LSD, METRA

    return LSD if constraint == "spectral" else METRA


def _load_metra(path: pathlib.Path, device: str) -> Any:
    """Load a ``hrl train metra`` model: ``agents.LSD`` for an LSD checkpoint, else ``agents.METRA`` (whose ``load``
    names what any other checkpoint is)."""
    from agents.common.agent_factory import read_checkpoint_data

    data = read_checkpoint_data(path, None)
    name = None if data is None else data.get("hrl_agent")
    return _agent_class("spectral" if name == "LSD" else "dual").load(path, device=device)


def _train_metra(args: argparse.Namespace, argv: Sequence[str]) -> int:
    env_id: str = args.env
    spec = _check_env_id(env_id)
    env_kwargs, features = _diayn_env_kwargs(args)
    _check_env_kwargs(env_id, env_kwargs)
    agent_kwargs = _metra_agent_kwargs(args, env_kwargs, features)
    name = "lsd" if args.constraint == "spectral" else "metra"
    run: pathlib.Path = args.run_dir if args.run_dir is not None else _default_run_dir(name, env_id)
    training = training_run_from_args(args, run, "metra")
    training.check_folder()  # nothing is written before the model is built and the checkpoint (if any) loaded
    eval_every = args.steps // 10 if args.eval_every is None else args.eval_every


    agent_class = _agent_class(args.constraint)
    try:
        model: Any = agent_class("MlpPolicy", env_id, **agent_kwargs)
    except TypeError as exc:
        if args.algo_kwargs:
            raise CLIError(f"--algo-kwargs: {exc}") from None
        raise
    except (AssertionError, ValueError) as exc:  # the agent (and SB3, with asserts) check the spaces
        if "action space" not in str(exc):
            raise
        raise CLIError(f"{agent_class.agent_name} (on SAC) cannot train on --env {env_id!r}: {exc}") from None
    model = training.prepare(model)  # a resumed run: its latest checkpoint, on the env just built

    prior = model.skill_layout.prior
    config: dict[str, Any] = {
        "algorithm": "metra",
        "agent_class": agent_class.agent_name,
        "constraint": args.constraint,
        "env": env_id,
        "env_kwargs": env_kwargs,
        "max_episode_steps": env_kwargs.get("max_episode_steps", spec.max_episode_steps),
        "steps": args.steps,
        "n_skills": model.n_skills,
        "skill_dim": None if model.n_skills is not None else prior.encoding_dim,
        "algo": "SAC",
        "features": features,
        "agent": {k: v for k, v in agent_kwargs.items() if k not in ("env_kwargs", "vec_env_cls")},
        "skill_config": dict(model.skill_config),
        "reward_model": dict(model.reward_model.config()),
        "learner": _learner_params(model, "SAC"),
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
    return _train_and_evaluate(training, model, config, args, env_id, eval_every, run)
