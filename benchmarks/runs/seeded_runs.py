"""Two DIAYN runs with the same ``seed``, started from different global random states, end bit-identical.

Each run sets torch's and numpy's global generators to a different value (as other code in the same process would),
builds ``DIAYN(..., seed=SEED)`` on the point world and trains it on the CPU with one thread. The script compares
every tensor of ``get_parameters()`` (policy, critics, the discriminator and all their optimizers): the maximum
absolute difference must be 0.0. A third run with another seed shows that the seed matters. The same check for every
agent class is the test ``tests/agents/test_seeding.py``.

    python -m benchmarks.runs.seeded_runs --steps 2000 --net 32 32
"""

from __future__ import annotations

import argparse
import hashlib
import time
from typing import Any

import numpy as np
import torch

from agents import DIAYN
from benchmarks.report import write_section
from hrl_wrappers.envs import POINT_WORLD_ID


def _flatten(prefix: str, value: Any, out: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    if isinstance(value, torch.Tensor):
        out[prefix] = value.detach().cpu().clone()
    elif isinstance(value, dict):
        for key, sub in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), sub, out)
    elif isinstance(value, list | tuple):
        for i, sub in enumerate(value):
            _flatten(f"{prefix}.{i}", sub, out)
    return out


def _run(seed: int, global_seed: int, args: argparse.Namespace) -> tuple[dict[str, torch.Tensor], float]:
    """Train one DIAYN after setting the global generators to ``global_seed``; its parameters and the wall time."""
    torch.manual_seed(global_seed)
    np.random.seed(global_seed)
    start = time.perf_counter()
    model = DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        algo=args.algo,
        n_skills=args.skills,
        policy_kwargs={"net_arch": list(args.net)},
        discriminator_arch=list(args.net),
        device="cpu",
        seed=seed,
    )
    model.learn(args.steps)
    return _flatten("", model.get_parameters(), {}), time.perf_counter() - start


def _max_difference(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in a if a[k].numel())


def _digest(params: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    for key in sorted(params):
        h.update(key.encode())
        h.update(params[key].numpy().tobytes())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--net", type=int, nargs="+", default=[32, 32])
    parser.add_argument("--skills", type=int, default=4)
    parser.add_argument("--algo", default="SAC", choices=["SAC", "PPO"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    first, t1 = _run(args.seed, 1, args)
    second, t2 = _run(args.seed, 2, args)
    other, t3 = _run(args.seed + 1, 1, args)
    same = _max_difference(first, second)
    different = _max_difference(first, other)
    reward = [k for k in first if k.startswith("reward_model.")]
    n_values = sum(t.numel() for t in first.values())
    rows = [
        (f"A: seed={args.seed}, global generators set to 1", _digest(first), f"{t1:.1f}"),
        (f"B: seed={args.seed}, global generators set to 2", _digest(second), f"{t2:.1f}"),
        (f"C: seed={args.seed + 1}, global generators set to 1", _digest(other), f"{t3:.1f}"),
    ]
    table = "\n".join(f"| {name} | `{digest}` | {wall} |" for name, digest, wall in rows)
    body = (
        f"DIAYN-{args.algo} on the point world ({args.skills} skills, networks {args.net}), {args.steps} steps each, "
        f"on the CPU with one torch thread, the three runs one after the other in one process. Compared: every tensor "
        f"of `get_parameters()` ({len(first)} tensors, {n_values} values; {len(reward)} of the tensors are the "
        "discriminator's and its Adam state's). Before the discriminator was built from the seed, runs A and B started "
        "with different discriminators and ended apart.\n\n"
        "| run | SHA-256 of the parameters (first 16 hex digits) | wall time (s) |\n|---|---|---|\n"
        f"{table}\n\n"
        f"Max abs difference A vs B (same seed): **{same}**  \n"
        f"Max abs difference A vs C (other seed): {different:.4g}"
    )
    print(body)
    if not args.no_write:
        write_section("seeded-runs", "Two seeded DIAYN runs: identical parameters", body)
    if same != 0.0:
        raise SystemExit(f"runs with the same seed differ (max abs difference {same})")


if __name__ == "__main__":
    main()
