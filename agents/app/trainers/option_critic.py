"""``hrl train option-critic``: the options of OptionCritic / PPOC, training, loading and ``hrl eval`` of a run."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shlex
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

import hrl_wrappers
from agents.app.core import (
    MODEL_FILE,
    PROG,
    CLIError,
    _check_env_id,
    _check_env_kwargs,
    _default_run_dir,
    _json_object,
    _make_eval_env,
    _now,
    _plain,
    _positive_float,
    _positive_int,
    add_checkpoint_arguments,
    training_run_from_args,
)


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
    _check_env_kwargs(env_id, dict(args.env_kwargs))
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
    model = _load_option_critic(run / MODEL_FILE, "auto")
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
    from agents.common.agent_factory import read_checkpoint_data

    data = read_checkpoint_data(path, None) or {}
    return (PPOC if data.get("hrl_agent") == "PPOC" else OptionCritic).load(path, device=device)
