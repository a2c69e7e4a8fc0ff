"""Plots of an evaluation: the trajectories of every skill over two features (or one over time), one colour per
skill. matplotlib is imported inside the functions, so importing this module stays light."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from hrl_wrappers.evaluation.metrics import SkillEvaluation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_skill_trajectories"]


def _skill_colours(evaluation: SkillEvaluation) -> tuple[list[Any], list[str | None]]:
    """One colour per rollout (one per skill) and the legend label of each rollout (first of its skill only)."""
    from matplotlib import colormaps

    skills = evaluation.skills
    if evaluation.categorical:
        keys = [repr(s) for s in skills]
        distinct = list(dict.fromkeys(keys))
        n = len(distinct)
        if n <= 10:
            cmap = colormaps["tab10"]
            colours = [cmap(distinct.index(k)) for k in keys]
        elif n <= 20:
            cmap = colormaps["tab20"]
            colours = [cmap(distinct.index(k)) for k in keys]
        else:
            cmap = colormaps["hsv"]
            colours = [cmap(distinct.index(k) / n) for k in keys]
        seen: set[str] = set()
        labels: list[str | None] = []
        for k, s in zip(keys, skills, strict=True):
            labels.append(None if k in seen or n > 20 else ("random" if s is None else f"skill {s}"))
            seen.add(k)
        return colours, labels
    z = np.asarray(skills, dtype=np.float64).reshape(len(skills), -1)
    if z.shape[1] >= 2:
        # METRA's colouring: the hue is the direction of the skill vector
        values = (np.arctan2(z[:, 1], z[:, 0]) + np.pi) / (2 * np.pi)
        cmap = colormaps["hsv"]
    else:
        lo, hi = float(z[:, 0].min()), float(z[:, 0].max())
        values = (z[:, 0] - lo) / (hi - lo) if hi > lo else np.full(len(z), 0.5)
        cmap = colormaps["viridis"]
    return [cmap(float(v)) for v in values], [None] * len(skills)


def plot_skill_trajectories(
    evaluation: SkillEvaluation,
    path: str | os.PathLike[str] | None = None,
    dims: tuple[int, int] = (0, 1),
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot every rollout's trajectory over two feature dimensions, one colour per skill, starts marked with a dot.

    With one feature (``dims[1]`` is then ignored) or ``dims[0] == dims[1]``, feature ``dims[0]`` is plotted against
    the time step instead. Categorical skills use ``tab10``/``tab20`` with a legend; continuous skills are coloured by
    the direction of the skill vector. The figure is built without pyplot (Agg canvas), so nothing global changes.

    :param evaluation: the result of :func:`~hrl_wrappers.evaluation.evaluate_skills`.
    :param path: write a PNG there when given.
    :param dims: the two feature dimensions (x axis, y axis).
    :param title: the axes title.
    :param ax: draw into these axes instead of a new figure.
    :return: the figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    d = evaluation.feature_dim
    dx, dy = int(dims[0]), int(dims[1])
    over_time = d == 1 or dx == dy
    if d and not (0 <= dx < d and (over_time or 0 <= dy < d)):
        raise ValueError(f"dims {tuple(dims)} must index the {d} features of the trajectories")
    if ax is None:
        fig = Figure(figsize=(6, 5), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
    else:
        parent = ax.get_figure(root=True)
        if not isinstance(parent, Figure):
            raise ValueError("ax must belong to a matplotlib Figure")
        fig = parent
    colours, labels = _skill_colours(evaluation)
    for traj, colour, label in zip(evaluation.trajectories, colours, labels, strict=True):
        if over_time:
            xs, ys = np.arange(len(traj)), traj[:, dx]
        else:
            xs, ys = traj[:, dx], traj[:, dy]
        ax.plot(xs, ys, color=colour, linewidth=1.2, alpha=0.85, label=label)
        ax.scatter([xs[0]], [ys[0]], color=colour, edgecolors="black", s=25, zorder=3)
    if over_time:
        ax.set_xlabel("step")
        ax.set_ylabel(f"feature {dx}")
    else:
        ax.set_xlabel(f"feature {dx}")
        ax.set_ylabel(f"feature {dy}")
        ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, alpha=0.3)
    if any(label is not None for label in labels):
        ax.legend(fontsize="small", loc="best", ncol=2 if len(set(labels)) > 10 else 1)
    if title is None:
        title = f"coverage {evaluation.coverage}"
        if evaluation.accuracy is not None:
            title += f", accuracy {evaluation.accuracy:.2f}"
    ax.set_title(title)
    if path is not None:
        directory = os.path.dirname(os.fspath(path))
        if directory:
            os.makedirs(directory, exist_ok=True)
        fig.savefig(os.fspath(path), format="png", bbox_inches="tight")
    return fig
