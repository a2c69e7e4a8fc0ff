"""Evaluate the HalfCheetah DIAYN runs of benchmarks/diayn/train_diayn_halfcheetah.py, checkpoint by checkpoint.

For every checkpoint of each run folder: every skill rolled out deterministically (--rollouts per skill, episodes of
the training length), reporting per-skill x displacement and mean x velocity (m/s, from the torso x that Gymnasium
keeps in info), the discriminator's accuracy on the visited states, and coverage (distinct 1 m cells of x over all
rollouts, METRA's metric for HalfCheetah) beside a random policy's. The last checkpoint also gets the per-skill table
and the trajectory plot (x against time). Writes the tables into docs/results/diayn.md (one section per run folder).

    python -m benchmarks.diayn.eval_diayn_halfcheetah benchmarks/results/halfcheetah_full benchmarks/results/halfcheetah_x
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re

import gymnasium as gym
import torch

from agents import DIAYN
from benchmarks.report import page_link, repo_relative, write_section
from hrl_wrappers import evaluate_skills, locomotion_position_features, plot_skill_trajectories, random_policy_coverage

ENV_ID = "HalfCheetah-v5"


def steps_of(path: pathlib.Path) -> int:
    match = re.search(r"_(\d+)_steps", path.name)
    return int(match.group(1)) if match else -1


def evaluate_run(run: pathlib.Path, rollouts: int) -> str:
    config = json.loads((run / "config.json").read_text())
    env_kwargs = config["env_kwargs"]
    features = locomotion_position_features(ENV_ID)

    def make_env() -> gym.Env:
        return gym.make(ENV_ID, **env_kwargs)

    checkpoints = sorted((run / "checkpoints").glob("*.zip"), key=steps_of)
    final = run / "model.zip"
    if final.exists():
        checkpoints.append(final)
    random = random_policy_coverage(make_env(), n_rollouts=rollouts * config["n_skills"], features=features, seed=10_000)
    noise = f"feature_scale {config['feature_scale']}, training noise {config.get('feature_noise', 0.0)}"
    prior = {
        "full": "full observation (x hidden by Gymnasium)",
        "x": f"x position only ({noise} m)",
        "vx": f"x velocity only ({noise} m/s)",
    }[config["prior"]]
    lines = [
        "| steps | accuracy | max forward x velocity (m/s) | max backward x velocity (m/s) "
        "| skills > 1 m/s fwd / bwd | coverage (1 m cells) |",
        "|---|---|---|---|---|---|",
    ]
    last = None
    for ckpt in checkpoints:
        model = DIAYN.load(ckpt, device="cpu")
        ev = evaluate_skills(model, make_env(), n_rollouts=rollouts, features=features, seed=10_000)
        velocities = [row["velocity"] for row in ev.per_skill]
        fwd = sum(v > 1.0 for v in velocities)
        bwd = sum(v < -1.0 for v in velocities)
        steps = steps_of(ckpt) if ckpt != final else config["steps"]
        s = ev.summary()
        lines.append(
            f"| {steps} | {s['accuracy']:.3f} | {max(velocities):.2f} | {-min(velocities):.2f} "
            f"| {fwd} / {bwd} | {ev.coverage} |"
        )
        print(lines[-1], flush=True)
        last = (steps, ev)
    assert last is not None
    steps, ev = last
    defaults = {"feature_scale": 0.1, "feature_noise": 0.0, "train_freq": 1}
    extra = "".join(
        f"--{key.replace('_', '-')} {config[key]} "
        for key, default in defaults.items()
        if config.get(key, default) != default and (config["prior"] != "full" or key == "train_freq")
    )
    if env_kwargs["max_episode_steps"] != 200:
        extra += f"--episode-steps {env_kwargs['max_episode_steps']} "
    note = f" ({config['note']})" if "note" in config else ""
    plot = run / "skills.png"
    plot_skill_trajectories(ev, plot, title=f"DIAYN HalfCheetah, {prior}, {steps} steps")
    try:
        shown = page_link(plot)
    except ValueError:  # a run folder outside benchmarks/results: no page links to it
        shown = repo_relative(plot)
    return (
        f"Discriminator input: {prior}. {config['n_skills']} skills, SAC alpha {config['ent_coef']} "
        f"(one gradient step every {config.get('train_freq', 1)} env steps), "
        f"nets {config['net_arch']}, "
        f"{env_kwargs['max_episode_steps']}-step episodes, seed {config['seed']}. Training: "
        f"`python -m benchmarks.diayn.train_diayn_halfcheetah --prior {config['prior']} "
        f"--steps {config['steps']} {extra}--out {repo_relative(run)}`{note}. "
        f"Evaluation: {rollouts} deterministic rollouts per skill (reset seeds 10000+); velocity = mean "
        f"x velocity over the episode; random policy coverage over {rollouts * config['n_skills']} rollouts: "
        f"{random.coverage} cells.\n\n"
        + "\n".join(lines)
        + f"\n\nPer skill at {steps} steps:\n\n"
        + ev.markdown_table()
        + f"\n\nPlot: `{shown}`\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=pathlib.Path, nargs="+")
    parser.add_argument("--rollouts", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for run in args.runs:
        body = evaluate_run(run, args.rollouts)
        print(body)
        if not args.no_write:
            write_section(f"diayn-halfcheetah-{run.name}", f"DIAYN on HalfCheetah-v5: {run.name}", body)


if __name__ == "__main__":
    main()
