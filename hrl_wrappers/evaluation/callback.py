"""The SB3 callback that evaluates the skills of the model being trained every ``eval_freq`` steps."""

from __future__ import annotations

import csv
import os
from typing import Any

import gymnasium as gym
from stable_baselines3.common.callbacks import BaseCallback

from hrl_wrappers.evaluation.episodes import _check_model
from hrl_wrappers.evaluation.features import Features, _feature_fn
from hrl_wrappers.evaluation.metrics import SkillEvaluation, evaluate_skills
from hrl_wrappers.evaluation.plots import plot_skill_trajectories

__all__ = ["SkillEvalCallback"]


class SkillEvalCallback(BaseCallback):
    """Evaluate the skills of the model being trained every ``eval_freq`` steps of each env, log the metrics and a plot.

    Evaluations fall at the multiples of ``eval_freq x n_envs`` timesteps, counted by the model's ``num_timesteps``:
    a model resumed from a checkpoint keeps the schedule (1000, 2000, 3000 across a resume at 1500).

    Logs ``skills/<metric>`` for every entry of :meth:`~hrl_wrappers.evaluation.SkillEvaluation.summary` (``skills/accuracy``,
    ``skills/coverage``, ``skills/mean_abs_displacement``, ``skills/mean_discriminability``, ...) and the trajectory
    plot as an SB3 ``Figure`` under ``skills/trajectories`` (TensorBoard only). With ``log_dir`` it also writes
    ``skills_{num_timesteps}.png`` and appends the summary (with ``timesteps``) to ``skill_eval.csv``.

    :param eval_env: the raw evaluation environment (without SkillWrapper) or its id (made once).
    :param eval_freq: evaluate every this many environment steps of one env (calls; <= 0 disables).
    :param features: as in :func:`~hrl_wrappers.evaluation.evaluate_skills`.
    :param cell_size: coverage cell side.
    :param n_rollouts: as in :func:`~hrl_wrappers.evaluation.evaluate_skills`.
    :param plot_dims: the feature dimensions of the plot.
    :param log_dir: folder of the PNGs and the CSV (None: none written).
    :param verbose: 1 prints a one-line summary per evaluation.
    :param max_steps: cap on steps per evaluation rollout.
    :param deterministic: act deterministically in evaluations.
    :param seed: seed of :func:`~hrl_wrappers.evaluation.evaluate_skills`.
    """

    def __init__(
        self,
        eval_env: gym.Env | str,
        eval_freq: int = 10_000,
        features: Features = None,
        cell_size: float = 1.0,
        n_rollouts: int | None = None,
        plot_dims: tuple[int, int] = (0, 1),
        log_dir: str | os.PathLike[str] | None = None,
        verbose: int = 0,
        max_steps: int | None = None,
        deterministic: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(verbose)
        if isinstance(eval_env, str):
            eval_env = gym.make(eval_env)
        if not isinstance(eval_env, gym.Env):
            raise TypeError(f"eval_env must be a gymnasium.Env or an environment id, got {type(eval_env).__name__}")
        self.eval_env = eval_env
        self.eval_freq = int(eval_freq)
        self.features = features
        self.cell_size = float(cell_size)
        self.n_rollouts = n_rollouts
        self.plot_dims = (int(plot_dims[0]), int(plot_dims[1]))
        self.log_dir = None if log_dir is None else os.fspath(log_dir)
        self.max_steps = max_steps
        self.deterministic = bool(deterministic)
        self.seed = int(seed)
        self.last_evaluation: SkillEvaluation | None = None
        self._period = 1
        self._last_due = 0

    def _init_callback(self) -> None:
        _check_model(self.model, self.eval_env)
        _feature_fn(self.eval_env, self.features)  # fail at the start of learn, not at the first evaluation
        if self.log_dir is not None:
            os.makedirs(self.log_dir, exist_ok=True)
        # the schedule is in timesteps, so that a resumed model (num_timesteps > 0) keeps it
        self._period = max(1, self.eval_freq) * max(1, int(getattr(self.model, "n_envs", 1) or 1))
        self._last_due = int(self.model.num_timesteps) // self._period

    def _on_step(self) -> bool:
        if self.eval_freq > 0 and self.num_timesteps // self._period > self._last_due:
            self._last_due = int(self.model.num_timesteps) // self._period
            self.evaluate()
        return True

    def evaluate(self) -> SkillEvaluation:
        """Run one evaluation now, log it and return it."""
        from stable_baselines3.common.logger import Figure as LoggerFigure

        model: Any = self.model
        evaluation = evaluate_skills(
            model,
            self.eval_env,
            n_rollouts=self.n_rollouts,
            features=self.features,
            cell_size=self.cell_size,
            deterministic=self.deterministic,
            max_steps=self.max_steps,
            seed=self.seed,
        )
        self.last_evaluation = evaluation
        summary = evaluation.summary()
        for key, value in summary.items():
            self.logger.record(f"skills/{key}", value)
        # too few features for plot_dims: plot the first feature over time
        dims = self.plot_dims if all(0 <= i < evaluation.feature_dim for i in self.plot_dims) else (0, 0)
        png = None if self.log_dir is None else os.path.join(self.log_dir, f"skills_{self.num_timesteps}.png")
        fig = plot_skill_trajectories(evaluation, png, dims=dims, title=f"skills at {self.num_timesteps} steps")
        self.logger.record("skills/trajectories", LoggerFigure(fig, close=True), exclude=("stdout", "log", "json", "csv"))
        if self.log_dir is not None:
            self._append_csv({"timesteps": float(self.num_timesteps), **summary})
        if self.verbose >= 1:
            shown = ", ".join(f"{k}={v:.3g}" for k, v in summary.items())
            print(f"[SkillEvalCallback] {self.num_timesteps} steps: {shown}")
        return evaluation

    def _append_csv(self, row: dict[str, float]) -> None:
        assert self.log_dir is not None
        path = os.path.join(self.log_dir, "skill_eval.csv")
        header: list[str] | None = None
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            with open(path, newline="") as f:
                header = next(csv.reader(f), None)
        with open(path, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header or list(row), restval="", extrasaction="ignore")
            if header is None:
                writer.writeheader()
            writer.writerow(row)
