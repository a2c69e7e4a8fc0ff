"""``hrl train``: one sub-command per algorithm of :data:`~agents.app.trainers.TRAINERS`, and ``--resume RUN``.

:func:`build_train_parser` is the ``hrl`` parser with this command only: ``hrl train --resume`` re-reads a run's
command line with it, and sweeps check and run their trials (``hrl train`` command lines) with it.
"""

from __future__ import annotations

import argparse
import pathlib
import shlex
from collections.abc import Callable, Sequence

from agents.app.core import CONFIG_FILE, PROG, CLIError, _positive_int, new_parser
from agents.app.trainers import TRAINERS


def add_train_command(commands: argparse._SubParsersAction) -> None:
    """Add ``hrl train`` (its algorithms and ``--resume RUN [--steps N]``) to the sub-parsers ``commands``."""
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


def build_train_parser() -> argparse.ArgumentParser:
    """The ``hrl`` parser with the ``train`` command only (what ``--resume`` and sweeps parse ``hrl train`` with)."""
    parser, commands = new_parser()
    add_train_command(commands)
    return parser


def _train_resume(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``hrl train --resume RUN``: re-read the options RUN was started with and continue it from its last checkpoint.

    A finished run resumed with no more steps than it has is left as it is (exit status 0, a line saying so).
    """
    from hrl_wrappers.training_run import RunFinished, read_run_config

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
        resumed = build_train_parser().parse_args(tokens[1:])
    except SystemExit:
        raise CLIError(f"--resume {str(run)!r}: cannot re-read the options of {CONFIG_FILE}'s command") from None
    resumed.run_dir = run
    resumed.resume = run
    resumed.resume_from_config = True
    if args.resume_steps is not None:
        _check_resume_steps(run, args.resume_steps)
        resumed.steps = args.resume_steps
    handler: Callable[[argparse.Namespace, Sequence[str]], int] = resumed.handler
    try:
        return int(handler(resumed, argv))
    except RunFinished as done:
        print(done)
        return 0


def _check_resume_steps(run: pathlib.Path, steps: int) -> None:
    """Refuse ``--steps N`` below the steps RUN's latest checkpoint has trained (it cannot train backwards)."""
    from hrl_wrappers.sb3.checkpoint import latest_checkpoint

    try:
        checkpoint = latest_checkpoint(run / "checkpoints")
    except (OSError, ValueError):
        return
    if checkpoint is not None and steps < checkpoint.num_timesteps:
        raise CLIError(
            f"--steps {steps} is below the {checkpoint.num_timesteps} steps that run {str(run)!r} has trained (its "
            f"latest checkpoint, {checkpoint.model_path.name}): --steps is the total to reach, so give more than "
            f"{checkpoint.num_timesteps} to train further; its model.zip is the trained agent"
        )
