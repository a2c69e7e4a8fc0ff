"""DIAYN on the point world, 8 skills: held-out discriminator accuracy and coverage against training steps.

Trains one DIAYN-SAC per seed (the settings of examples/diayn_point.py) and, every --eval-every steps, rolls out every
skill deterministically on episodes seeded apart from training, reporting the discriminator's accuracy on the visited
states and the number of distinct 1x1 cells visited; a uniformly random policy's coverage (8 rollouts, the same number)
stands beside it. Writes the table into docs/results/diayn.md and the final skills' plot to benchmarks/results/.

    python -m benchmarks.diayn.diayn_point --seeds 0 1 2 --steps 20000
"""

from __future__ import annotations

import argparse
import statistics

import torch

from agents import DIAYN
from benchmarks.report import ROOT, page_link, write_section
from hrl_wrappers import evaluate_skills, plot_skill_trajectories, random_policy_coverage
from hrl_wrappers.envs import POINT_WORLD_ID


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--eval-every", type=int, default=5_000)
    parser.add_argument("--n-skills", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    random = random_policy_coverage(POINT_WORLD_ID, n_rollouts=args.n_skills, seed=10_000)
    table: dict[int, list[tuple[float, int]]] = {}
    for seed in args.seeds:
        model = DIAYN(
            "MlpPolicy",
            POINT_WORLD_ID,
            n_skills=args.n_skills,
            policy_kwargs={"net_arch": [64, 64]},
            discriminator_arch=[64, 64],
            ent_coef=0.1,
            learning_starts=1_000,
            batch_size=128,
            train_freq=2,
            seed=seed,
        )
        done = 0
        while done < args.steps:
            model.learn(args.eval_every, reset_num_timesteps=done == 0)
            done += args.eval_every
            ev = evaluate_skills(model, POINT_WORLD_ID, seed=10_000)
            assert ev.accuracy is not None
            table.setdefault(done, []).append((ev.accuracy, ev.coverage))
            print(f"seed {seed} steps {done}: accuracy {ev.accuracy:.3f} coverage {ev.coverage}", flush=True)
        plot_skill_trajectories(ev, out / f"diayn_point_seed{seed}.png", title=f"DIAYN point world, seed {seed}, {done} steps")
    lines = [
        "| steps | held-out accuracy per seed | median accuracy | coverage per seed (cells) | random-policy coverage |",
        "|---|---|---|---|---|",
    ]
    for steps, rows in sorted(table.items()):
        accs = [a for a, _ in rows]
        lines.append(
            f"| {steps} | {', '.join(f'{a:.3f}' for a in accs)} | {statistics.median(accs):.3f} | "
            f"{', '.join(str(c) for _, c in rows)} | {random.coverage} |"
        )
    body = (
        f"{args.n_skills} skills, seeds {args.seeds}, SAC (net 64x64, alpha 0.1, one gradient step per 2 env steps), "
        "discriminator 64x64 on (x, y). Accuracy: discriminator argmax on every visited state of one deterministic "
        "rollout per skill, on episodes seeded apart from training (seed 10000). Coverage: distinct 1x1 cells over those "
        f"{args.n_skills} rollouts; random policy: {args.n_skills} rollouts of uniform random actions.\n\n"
        + "\n".join(lines)
        + f"\n\nTrajectories of the last evaluation: `{page_link(out / f'diayn_point_seed{args.seeds[0]}.png')}`.\n"
    )
    print(body)
    write_section("diayn-point", "DIAYN on the point world (8 skills)", body)


if __name__ == "__main__":
    main()
