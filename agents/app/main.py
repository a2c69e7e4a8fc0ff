"""``hrl``: train, evaluate and plot skill-discovery agents from the command line.

Usage::

    hrl train diayn --env ID --steps N [options]    # train into one run folder (see below)
    hrl eval RUN [--rollouts N] [--video] [--video-length N] [--cell-size C] [--stochastic]
    hrl plot RUN                                     # RUN/skills.png and RUN/curves.png
    hrl train --resume RUN [--steps N]               # continue RUN from its latest checkpoint
    hrl sweep CONFIG.yaml [--address ADDR]           # seeds x settings as Ray Tune trials
    hrl skills list | hrl skills show NAME [--out DIR]   # the pretrained skill sets shipped with the package
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

from agents.app.commands import add_eval_command, add_plan_command, add_plot_command
from agents.app.core import new_parser, run_command
from agents.app.skills import add_skills_command
from agents.app.sweep import add_sweep_command
from agents.app.train import add_train_command

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``hrl`` argument parser (``train <algorithm>``, ``eval``, ``plot``, ``sweep``, ``plan``, ``skills``)."""
    parser, commands = new_parser()
    add_train_command(commands)
    add_eval_command(commands)
    add_plot_command(commands)
    add_sweep_command(commands)
    add_plan_command(commands)
    add_skills_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``hrl`` command line; return the exit status (2 for usage errors) instead of exiting."""
    return run_command(build_parser, argv)


if __name__ == "__main__":
    raise SystemExit(main())
