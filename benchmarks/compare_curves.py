"""Draw success curves of several runs (settings sweeps) in one plot and write them as one section of a results page.

Each ``--curve`` is ``LABEL=CSV`` (split at the last ``=``): a ``curve_<agent>.csv`` with ``steps`` and ``success`` columns, as
``benchmarks/hiro/hiro_pointmaze.py`` writes them. The plot goes to ``--png``; the section (name ``--section``) holds a
table of every curve (one row per evaluation step), the best evaluation of each curve and where it was reached, the
text of ``--notes`` (a Markdown file: how each run was made, with its command) and the plot. The curves and the plot
must lie under ``benchmarks/results/``: the section links them as ``runs/<run>/<file>``. The page is ``--page`` (the
method's results page ``docs/results/<page>.md``), or the ``page`` argument of :func:`main` for a caller.

    python -m benchmarks.compare_curves --page hiro --section hiro_medium_settings \\
        --title "HIRO settings on PointMaze_Medium-v3" \\
        --curve "no penalty=benchmarks/results/hiro_pointmaze/pointmaze_medium/curve_hiro_her.csv" \\
        --curve "penalty 0.001=benchmarks/results/hiro_pointmaze/medium_settings/penalty_0.001.csv" \\
        --png benchmarks/results/hiro_pointmaze/medium_settings/success.png \\
        --notes benchmarks/results/hiro_pointmaze/medium_settings/notes.md
"""

from __future__ import annotations

import argparse
import csv
import pathlib

from benchmarks.report import PAGES, page_link, write_section


def read_curve(path: pathlib.Path) -> dict[int, float]:
    """``{steps: success}`` of one curve CSV."""
    with path.open() as f:
        return {int(r["steps"]): float(r["success"]) for r in csv.DictReader(f)}


def parse_curve(spec: str) -> tuple[str, pathlib.Path]:
    """``LABEL=CSV`` into its parts, or an ``argparse`` error naming ``--curve``."""
    label, sep, path = spec.rpartition("=")
    if not sep or not label or not path:
        raise argparse.ArgumentTypeError(f"--curve must be LABEL=CSV, got {spec!r}")
    csv_path = pathlib.Path(path)
    if not csv_path.exists():
        raise argparse.ArgumentTypeError(f"--curve {label!r}: no file {path}")
    return label, csv_path


def table(curves: dict[str, dict[int, float]]) -> str:
    """One row per evaluation step, one column per curve, then each curve's best evaluation."""
    labels = list(curves)
    steps = sorted({s for c in curves.values() for s in c})
    lines = ["| steps | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for s in steps:
        lines.append(f"| {s} | " + " | ".join(f"{curves[k][s]:.2f}" if s in curves[k] else "" for k in labels) + " |")
    best = []
    for k in labels:
        top = max(curves[k].values())
        first = min(s for s, v in curves[k].items() if v == top)
        best.append(f"**{top:.2f}** at {first}")
    lines.append("| best (first reached) | " + " | ".join(best) + " |")
    return "\n".join(lines)


def plot(curves: dict[str, dict[int, float]], path: pathlib.Path, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4 + 0.2 * ((len(curves) + 1) // 2)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for label, curve in curves.items():
        xs = sorted(curve)
        ax.plot(xs, [curve[s] for s in xs], marker="o", ms=3, label=label)
    ax.set_xlabel("environment steps")
    ax.set_ylabel("success rate")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)  # below the axes: no curve hidden
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")


def main(page: str | None = None) -> None:
    """Read the command line, draw the plot and write the section.

    :param page: the results page, for a caller that knows it; without it the command line must give ``--page``.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--curve", type=parse_curve, action="append", required=True, help="LABEL=CSV (repeat)")
    parser.add_argument("--png", type=pathlib.Path, required=True)
    parser.add_argument("--page", choices=list(PAGES), default=page, required=page is None, help="the results page")
    parser.add_argument("--section", required=True, help="the section's name")
    parser.add_argument("--title", required=True)
    parser.add_argument("--notes", type=pathlib.Path, default=None, help="Markdown put above the table")
    args = parser.parse_args()
    sources = "; ".join(f"{label}: `{page_link(path)}`" for label, path in args.curve)  # fails before any work
    png = page_link(args.png)
    curves = {label: read_curve(path) for label, path in args.curve}
    plot(curves, args.png, args.title)
    notes = args.notes.read_text().strip() + "\n\n" if args.notes is not None else ""
    body = f"{notes}{table(curves)}\n\n![curves]({png}) (data: {sources})"
    write_section(args.section, args.title, body, page=args.page)
    print(table(curves))


if __name__ == "__main__":
    main()
