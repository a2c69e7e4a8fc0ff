"""``hrl train dads``: DADS's options and its training (``hrl plan`` plans with the run it writes)."""

from __future__ import annotations

import argparse
import functools
import pathlib
import shlex
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym

from agents.app.core import (
    MODEL_FILE,
    PROG,
    CLIError,
    _add_action_scale_argument,
    _check_env_id,
    _check_env_kwargs,
    _default_run_dir,
    _json_object,
    _learner_params,
    _make_run_env,
    _now,
    _positive_int,
    add_checkpoint_arguments,
    training_run_from_args,
)
from agents.app.trainers.diayn import _diayn_env_kwargs


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
    _check_env_kwargs(env_id, env_kwargs)
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
