"""``hrl train diayn``: DIAYN's options, the environment and agent keyword arguments they give, and its training.

The environment options (``--prior``, ``--no-termination``, ``--episode-steps``, ``--env-kwargs``) are shared with
``hrl train dads`` through :func:`_diayn_env_kwargs`.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shlex
from collections.abc import Sequence
from typing import Any

import gymnasium as gym

import hrl_wrappers
from agents.app.core import (
    MODEL_FILE,
    PROG,
    CLIError,
    _check_env_id,
    _check_env_kwargs,
    _default_run_dir,
    _ent_coef,
    _is_locomotion,
    _json_object,
    _learner_params,
    _make_eval_env,
    _non_negative_int,
    _now,
    _positive_float,
    _positive_int,
    _vec_env_class,
    add_checkpoint_arguments,
    training_run_from_args,
)
from agents.app.evaluation import _eval_features, _eval_features_name, _evaluate_run, _plot_dims, _print_evaluation
from hrl_wrappers.locomotion import POSITION_DIMS, locomotion_kwargs, position_features


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


def _train_diayn(args: argparse.Namespace, argv: Sequence[str]) -> int:
    env_id: str = args.env
    spec = _check_env_id(env_id)
    env_kwargs, features = _diayn_env_kwargs(args)
    _check_env_kwargs(env_id, env_kwargs)
    agent_kwargs = _diayn_agent_kwargs(args, env_kwargs, features)
    run: pathlib.Path = args.run_dir if args.run_dir is not None else _default_run_dir("diayn", env_id)
    training = training_run_from_args(args, run, "diayn")
    training.check_folder()  # nothing is written before the model is built and the checkpoint (if any) loaded
    eval_every = args.steps // 10 if args.eval_every is None else args.eval_every

    from agents import DIAYN

    try:
        model: Any = DIAYN("MlpPolicy", env_id, **agent_kwargs)
    except TypeError as exc:
        if args.algo_kwargs:
            raise CLIError(f"--algo-kwargs: {exc}") from None
        raise
    except (AssertionError, ValueError) as exc:  # the agent (and SB3, with asserts) check the spaces
        if "action space" not in str(exc):
            raise
        hint = "; try --algo PPO" if args.algo == "SAC" else ""
        raise CLIError(f"--algo {args.algo} cannot train on --env {env_id!r}: {str(exc).split(': use ')[0]}{hint}") from None
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
    return _train_and_evaluate(training, model, config, args, env_id, eval_every, run)


def _train_and_evaluate(
    training: Any,
    model: Any,
    config: dict[str, Any],
    args: argparse.Namespace,
    env_id: str,
    eval_every: int,
    run: pathlib.Path,
) -> int:
    """What a skill-discovery run does once its agent and config are built (DIAYN's and METRA's trainers): start the
    run folder, train with skill evaluations every ``eval_every`` steps, save, then evaluate and print the skills.

    :return: the exit status (130 when training was interrupted).
    """
    from hrl_wrappers.evaluation import SkillEvalCallback

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
