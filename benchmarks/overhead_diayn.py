"""Throughput of DIAYN-SAC against plain SB3 SAC on the same env and networks, measured side by side.

Both learners run on the same skill-wrapped environment (so the networks have the same input), with the same
net_arch, batch size and update schedule. Timed chunks alternate between the two (plain, DIAYN, plain, DIAYN, ...)
after a warm-up, so both see the same machine load; the reported ratio is the median of the per-pair ratios.

    python -m benchmarks.overhead_diayn --env HalfCheetah-v5 --net 256 256 --repeats 5 --chunk 1000
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from stable_baselines3 import SAC
from stable_baselines3.common.env_util import make_vec_env

from agents import DIAYN
from benchmarks.report import write_section
from hrl_wrappers import SkillWrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="HalfCheetah-v5")
    parser.add_argument("--net", type=int, nargs="+", default=[256, 256])
    parser.add_argument("--n-skills", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--update-ratio", type=float, default=1.0)
    parser.add_argument("--disc-net", type=int, nargs="+", default=None, help="discriminator layers (default: --net)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    common = dict(policy_kwargs={"net_arch": args.net}, learning_starts=256, batch_size=256, ent_coef=0.1, seed=0)
    plain_env = make_vec_env(args.env, wrapper_class=SkillWrapper, wrapper_kwargs={"n_skills": args.n_skills}, seed=0)
    plain = SAC("MlpPolicy", plain_env, **common)  # type: ignore[arg-type]
    diayn = DIAYN(
        "MlpPolicy",
        args.env,
        n_skills=args.n_skills,
        discriminator_arch=args.disc_net or args.net,
        update_ratio=args.update_ratio,
        **common,
    )
    for model in (plain, diayn):
        model.learn(500)  # warm-up past learning_starts
    rows = []
    for _ in range(args.repeats):
        timings = {}
        for name, model in (("plain", plain), ("diayn", diayn)):
            start = time.perf_counter()
            model.learn(args.chunk, reset_num_timesteps=False)
            timings[name] = args.chunk / (time.perf_counter() - start)
        rows.append((timings["plain"], timings["diayn"], timings["diayn"] / timings["plain"]))
        print(f"plain {rows[-1][0]:.1f} steps/s  diayn {rows[-1][1]:.1f} steps/s  ratio {rows[-1][2]:.3f}")
    med = statistics.median(r[2] for r in rows)
    lines = ["| pair | plain SAC steps/s | DIAYN-SAC steps/s | ratio |", "|---|---|---|---|"]
    lines += [f"| {i + 1} | {p:.1f} | {d:.1f} | {r:.3f} |" for i, (p, d, r) in enumerate(rows)]
    body = (
        f"{args.env}, {args.n_skills} skills, net_arch {args.net} (policy and critics), "
        f"discriminator {args.disc_net or args.net}, batch 256, one SAC "
        f"gradient step per env step, discriminator update ratio {args.update_ratio}; chunks of {args.chunk} steps, "
        f"alternating.\n\n" + "\n".join(lines) + f"\n\n**Median ratio DIAYN / plain: {med:.3f}** (goal: at least 0.90)\n"
    )
    print(body)
    if not args.no_write:
        write_section(
            f"overhead-diayn-{args.env}-disc{'x'.join(map(str, args.disc_net or args.net))}",
            f"DIAYN-SAC overhead against plain SAC ({args.env})",
            body,
        )


if __name__ == "__main__":
    main()
