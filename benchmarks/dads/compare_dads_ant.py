"""Compare DADS Ant runs of ``benchmarks/dads/train_dads_ant.py`` with other settings: their curves side by side.

Each ``--run`` is ``LABEL=FOLDER``, a ``train_dads_ant`` output folder (``curve.csv`` and ``config.json``). The plot
(``--png``) has one panel per quantity of the curve: the skill dynamics' log-likelihood on its training batches and
on each iteration's new data before it trains on them (held out; both in normalised units, where -2.84 is what a
model that has learnt nothing scores), the mean DADS reward of the iteration's buffer, the mean x-y distance from the
start in the buffer, and SAC's entropy coefficient. The section of ``docs/results/dads.md`` (``--section``, by default
``dads-ant-settings``) has, per run, its settings, its budget and its first and last windows of each quantity, then
the text of ``--notes``. The plot must lie under ``benchmarks/results/`` (the section links it as ``runs/...``).

    python -m benchmarks.dads.compare_dads_ant --run "K2=512, x-y input=benchmarks/results/dads_ant" \\
        --run "reference schedule=benchmarks/results/dads_ant_ref" --png benchmarks/results/dads_ant_settings.png
"""

from __future__ import annotations

import argparse
import json
import pathlib

import numpy as np

from benchmarks.dads.eval_dads_ant import UNINFORMED_LL, read_curve
from benchmarks.report import page_link, write_section

QUANTITIES = [
    ("log_likelihood", "log q(delta xy | .), normalised units"),
    ("log_likelihood_fresh", "log q, held out (before training on it)"),
    ("buffer_intrinsic_reward", "mean DADS reward of the iteration"),
    ("mean_xy_distance_from_origin", "mean x-y distance from the start (m)"),
    ("ent_coef", "SAC entropy coefficient"),
]


def parse_run(spec: str) -> tuple[str, pathlib.Path]:
    label, sep, folder = spec.rpartition("=")
    path = pathlib.Path(folder)
    if not sep or not label or not (path / "curve.csv").exists():
        raise argparse.ArgumentTypeError(f"--run must be LABEL=FOLDER with a curve.csv in FOLDER, got {spec!r}")
    return label, path


def settings(config: dict) -> str:
    """The settings that differ between the runs, in a few words."""
    ent = config.get("ent_coef", 0.1)
    ent_text = f"alpha learned from {str(ent).removeprefix('auto_')}" if str(ent).startswith("auto") else f"alpha {ent}"
    if config.get("target_entropy", "auto") != "auto":
        ent_text += f" (target {config['target_entropy']})"
    inputs = "skill only" if config.get("dynamics_input", "xy") == "none" else "x-y and skill"
    scale = float(config.get("action_scale", 1.0))  # runs from before --action-scale: 1
    torque = f"; actions x {scale:g}" if scale != 1.0 else ""
    return f"K1={config['dynamics_steps']}, K2={config['agent_steps']}; {ent_text}; skill dynamics reads {inputs}{torque}"


def window(values: np.ndarray, first: bool, n: int) -> str:
    part = values[:n] if first else values[-n:]
    return "" if not len(part) or np.all(np.isnan(part)) else f"{np.nanmean(part):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", type=parse_run, action="append", required=True, help="LABEL=FOLDER (repeat)")
    parser.add_argument("--png", type=pathlib.Path, required=True)
    parser.add_argument("--window", type=int, default=20, help="iterations averaged at the start and the end")
    parser.add_argument("--notes", type=pathlib.Path, default=None)
    parser.add_argument("--section", default="dads-ant-settings", help="the section's name")
    parser.add_argument("--title", default="DADS on Ant-v5 with the x-y prior: training settings compared")
    args = parser.parse_args()
    png = page_link(args.png)  # fails before any work for a plot outside benchmarks/results
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(17, 3.4))
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(1, len(QUANTITIES), i + 1) for i in range(len(QUANTITIES))]
    head = "| run | settings | steps | " + " | ".join(f"{k}: first / last {args.window}" for k, _ in QUANTITIES) + " |"
    rows = [head, "|---" * (3 + len(QUANTITIES)) + "|"]
    for i, (label, folder) in enumerate(args.run):
        curve = read_curve(folder / "curve.csv")
        config = json.loads((folder / "config.json").read_text())
        cells = []
        for ax, (key, title) in zip(axes, QUANTITIES, strict=True):
            y = curve.get(key, np.full(len(curve["steps"]), np.nan))
            w = max(3, min(args.window, len(y) // 5 or 1))
            if len(y) >= w and not np.all(np.isnan(y)):
                ax.plot(curve["steps"][w - 1 :], np.convolve(y, np.ones(w) / w, mode="valid"), color=f"C{i}", label=label)
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("environment steps")
            ax.grid(alpha=0.3)
            cells.append(f"{window(y, True, args.window)} / {window(y, False, args.window)}")
        rows.append(f"| {label} | {settings(config)} | {int(curve['steps'][-1])} | " + " | ".join(cells) + " |")
    for ax in axes[:2]:
        ax.axhline(UNINFORMED_LL, color="k", ls=":", lw=1)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"DADS on Ant-v5 (x-y prior), settings compared (moving averages over {args.window} iterations)", y=1.04)
    args.png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.png, dpi=100, bbox_inches="tight")
    notes = args.notes.read_text().strip() + "\n\n" if args.notes is not None else ""
    table = "\n".join(rows)
    body = f"{notes}{table}\n\n![curves]({png})"
    write_section(args.section, args.title, body)
    print(table)


if __name__ == "__main__":
    main()
