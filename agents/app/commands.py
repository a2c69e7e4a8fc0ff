"""``hrl eval``, ``hrl plot`` and ``hrl plan``: the commands that read a run folder written by ``hrl train``.

``eval`` evaluates a run's skills again (HIRO: its success rate; option-critic: its return and options), ``plot``
draws its skills and training curves, ``plan`` plans to a goal with a DADS run's skill dynamics.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import pathlib
import shlex
import sys
from collections.abc import Sequence
from typing import Any

import yaml

from agents.app.core import (
    CONFIG_FILE,
    MODEL_FILE,
    PROG,
    CLIError,
    _is_mujoco,
    _make_eval_env,
    _positive_float,
    _positive_int,
)
from agents.app.evaluation import _evaluate_run, _print_evaluation, _save_trajectory_plot, _saved_evaluation
from agents.app.trainers import TRAINERS
from agents.app.trainers.hiro import _eval_hiro
from agents.app.trainers.option_critic import _eval_option_critic

#: training curves drawn by ``hrl plot`` (those present in ``logs/progress.csv``), against ``time/total_timesteps``.
CURVE_KEYS = (
    "diayn/accuracy",
    "diayn/loss",
    "diayn/ep_intrinsic_return",
    "metra/loss",
    "metra/dual_lambda",
    "metra/ep_intrinsic_return",
    "lsd/loss",
    "lsd/ep_intrinsic_return",
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


def add_eval_command(commands: argparse._SubParsersAction) -> None:
    """Add ``hrl eval RUN`` to the sub-parsers ``commands``."""
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


def add_plot_command(commands: argparse._SubParsersAction) -> None:
    """Add ``hrl plot RUN`` to the sub-parsers ``commands``."""
    plot = commands.add_parser(
        "plot",
        help="plot the skills and training curves of a run",
        description="Write RUN/skills.png (skill trajectories) and RUN/curves.png (training curves, RUN/logs/progress.csv).",
    )
    plot.add_argument("run", type=pathlib.Path, metavar="RUN", help="run folder written by `hrl train`")
    plot.set_defaults(handler=_plot)


def add_plan_command(commands: argparse._SubParsersAction) -> None:
    """Add ``hrl plan RUN --goal X Y`` to the sub-parsers ``commands``."""
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
