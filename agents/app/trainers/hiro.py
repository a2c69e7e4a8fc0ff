"""``hrl train hiro``: HIRO's options, its training and ``hrl eval`` of a HIRO run (the success rate)."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shlex
from collections.abc import Sequence
from typing import Any

import gymnasium as gym

import hrl_wrappers
from agents.app.core import (
    CONFIG_FILE,
    MODEL_FILE,
    PROG,
    _add_action_scale_argument,
    _agent_loader,
    _check_env_id,
    _check_env_kwargs,
    _default_run_dir,
    _json_object,
    _make_run_env,
    _non_negative_float,
    _non_negative_int,
    _now,
    _positive_float,
    _positive_int,
    _register_robotics,
    _write_yaml,
    add_checkpoint_arguments,
    training_run_from_args,
)


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


def _train_hiro(args: argparse.Namespace, argv: Sequence[str]) -> int:
    _register_robotics()
    env_id: str = args.env
    spec = _check_env_id(env_id)
    env_kwargs = dict(args.env_kwargs)
    if "Maze" in env_id and "continuing_task" not in env_kwargs:
        env_kwargs["continuing_task"] = False
    _check_env_kwargs(env_id, env_kwargs)
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


#: ``load(path, device)`` of a HIRO run's model.
_load_hiro = _agent_loader("HIRO")


def _eval_hiro(run: pathlib.Path, config: dict[str, Any], episodes: int | None) -> int:
    """``hrl eval`` of a HIRO run: the success rate over deterministic episodes, into RUN/evaluation.json."""
    from agents.hiro.evaluation import evaluate_success

    _register_robotics()
    model = _load_hiro(run / MODEL_FILE, "auto")
    n = episodes or int(config.get("options", {}).get("eval_episodes") or 20)
    env_kwargs = dict(config.get("env_kwargs") or {})
    seed = int(config.get("options", {}).get("seed", 0) or 0)
    scale = float(config.get("action_scale", 1.0))  # runs from before --action-scale: 1
    success = evaluate_success(model, lambda: _make_run_env(config["env"], env_kwargs, scale), n, seed=seed)
    (run / "evaluation.json").write_text(json.dumps({"episodes": n, "success_rate": success}, indent=2))
    print(f"success rate over {n} deterministic episodes: {success:.2f}; wrote {run / 'evaluation.json'}")
    return 0
