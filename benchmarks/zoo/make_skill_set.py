"""Make a shipped skill set: train it with its recipe, export its policy into the package data, print its size.

    python -m benchmarks.zoo.make_skill_set point-diayn-8

Each registered set (``hrl_wrappers.skill_zoo``) has a recipe here: the agent, its settings and the training loop,
with the registry entry's seed and number of steps. The trained agent is evaluated on its environment (one
deterministic rollout per skill from reset seed 10000, apart from training: discriminator accuracy and coverage),
saved, and stripped by :func:`~hrl_wrappers.skill_zoo.export_skill_set` into
``hrl_wrappers/skill_zoo/data/<file>`` (``--out`` writes elsewhere). The file is then checked: ``load_skills`` reads
it, its skills fit the set's environment and act as the trained agent did.
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import hrl_wrappers.skill_zoo as skill_zoo
from hrl_wrappers import evaluate_skills, load_skills
from hrl_wrappers.skill_zoo import SkillSet

#: where the shipped files live in a checkout of the repository.
DATA = pathlib.Path(skill_zoo.__file__).resolve().parent / "data"
#: reset seed of the evaluation rollouts (apart from training's).
EVAL_SEED = 10_000


def _point_diayn(entry: SkillSet, steps: int) -> Any:
    """DIAYN-SAC on the point world with the settings of ``benchmarks/diayn/diayn_point.py``."""
    from agents import DIAYN

    model = DIAYN(
        "MlpPolicy",
        entry.env_id,
        n_skills=entry.n_skills,
        policy_kwargs={"net_arch": [64, 64]},
        discriminator_arch=[64, 64],
        ent_coef=0.1,
        learning_starts=1_000,
        batch_size=128,
        train_freq=2,
        seed=entry.seed,
        device="cpu",
    )
    model.learn(steps)
    return model


def _halfcheetah_diayn_x(entry: SkillSet, steps: int) -> Any:
    """DIAYN-SAC on HalfCheetah with the x prior: ``benchmarks/diayn/train_diayn_halfcheetah.py``'s agent with
    ``--prior x --n-skills 6 --feature-noise 1.0 --train-freq 2`` (nets 128x128, alpha 0.1, 200-step episodes)."""
    from benchmarks.diayn.train_diayn_halfcheetah import build, run_config

    # the x prior: the discriminator reads torso x only (scaled by 0.1, with 1 m of training noise)
    assert entry.n_skills is not None
    model = build(run_config("x", entry.n_skills, 200, [128, 128], 0.1, 1.0, 2, steps, entry.seed))
    model.learn(steps)
    return model


def _metra(env: str, entry: SkillSet, steps: int) -> Any:
    """METRA-SAC with ``benchmarks/metra/train_skills.py``'s ``--method metra --prior xy --train-freq 4`` (nets and phi
    256x256, batch 256, 200-step episodes): phi reads the position only (x-y for the ant, x for the cheetah);
    ``entry.n_skills`` categorical skills, or ``entry.skill_dim``-D skills on the unit sphere. A set with ``stages``
    trains in consecutive runs: up to each stage's start, then ``train_skills.py --resume --resample-every K`` on."""
    from benchmarks.metra.train_skills import build, resume

    args = argparse.Namespace(
        env=env, method="metra", prior="xy", steps=steps, n_skills=entry.n_skills or 0, skill_dim=entry.skill_dim,
        episode_steps=200, net=[256, 256], n_envs=1, train_freq=4, batch_size=256, learning_starts=1_000,
        seed=entry.seed, hide_position=False, device="cpu", resample_every=None,
    )  # fmt: skip
    model = build(args)
    for start, resample_every in [s for s in entry.stages if s[0] < steps]:
        model.learn(start - model.num_timesteps, reset_num_timesteps=model.num_timesteps == 0)
        # train_skills.py --resume --resample-every K: the saved agent trains on, its replay buffer refilled from empty
        with tempfile.TemporaryDirectory() as folder:
            args.resume = pathlib.Path(folder) / "model.zip"
            args.resample_every = resample_every or 0  # 0: once per episode
            model.save(args.resume)
            model = resume(args)
    model.learn(steps - model.num_timesteps, reset_num_timesteps=model.num_timesteps == 0)
    return model


def _load_diayn(entry: SkillSet, path: pathlib.Path) -> Any:
    from agents import DIAYNSAC

    return DIAYNSAC.load(path, device="cpu")


def _load_metra(entry: SkillSet, path: pathlib.Path) -> Any:
    from agents import METRA

    return METRA.load(path, device="cpu")


#: how each registered set is trained: ``recipe(entry, steps) -> trained agent``.
RECIPES: dict[str, Callable[[SkillSet, int], Any]] = {
    "point-diayn-8": _point_diayn,
    "halfcheetah-diayn-x": _halfcheetah_diayn_x,
    "halfcheetah-metra-x": lambda entry, steps: _metra("halfcheetah", entry, steps),
    "ant-metra-xy": lambda entry, steps: _metra("ant", entry, steps),
}
#: how a checkpoint of a recipe's training is loaded (``--checkpoint``).
LOADERS: dict[str, Callable[[SkillSet, pathlib.Path], Any]] = {
    "halfcheetah-diayn-x": _load_diayn,
    "halfcheetah-metra-x": _load_metra,
    "ant-metra-xy": _load_metra,
}


def _check(path: pathlib.Path, entry: SkillSet, model: Any) -> None:
    """The exported file loads, fits the set's environment, and its skills act as the trained agent's."""
    skills = load_skills(path, env=entry.make_env())
    if skills.n_skills != entry.n_skills:
        raise SystemExit(f"{path} holds {skills.n_skills} skills, the registry says {entry.n_skills}")
    env = entry.make_env()
    states = [env.observation_space.sample() for _ in range(16)]
    for skill in _skills_of(entry):
        for state in states:
            expected, _ = model.predict_skill(state, skill=skill, deterministic=True)
            np.testing.assert_allclose(skills.act(state, skill), expected, atol=1e-5)


def _skills_of(entry: SkillSet) -> list[Any]:
    """The skills a set is checked on: every categorical skill, or the shown continuous ones."""
    shown = entry.shown_skill_vectors()
    return list(range(entry.n_skills or 0)) if shown is None else list(shown)


def make(
    name: str, out: pathlib.Path | None = None, steps: int | None = None, checkpoint: pathlib.Path | None = None
) -> pathlib.Path:
    """Train skill set ``name`` with its recipe (or load ``checkpoint``) and export it to ``out``.

    :param name: a registered skill set with a recipe.
    :param out: the file to write (default: the package data file).
    :param steps: training steps (default: the registry's; another number makes a file that is not the shipped one).
    :param checkpoint: a full checkpoint of the recipe's training (e.g. saved on the way by the benchmark script the
        recipe names), exported instead of training again; its ``num_timesteps`` must be the registry's steps.
    :return: the file written.
    """
    entry = skill_zoo.skill_set(name)
    steps = entry.steps if steps is None else steps
    out = DATA / entry.file if out is None else out
    torch.set_num_threads(1)
    start = time.perf_counter()
    if checkpoint is None:
        model = RECIPES[name](entry, steps)
    else:
        model = LOADERS[name](entry, checkpoint)
        if model.num_timesteps != steps:
            raise SystemExit(f"--checkpoint {checkpoint} was saved at {model.num_timesteps} steps, not {steps}")
    train_s = time.perf_counter() - start
    evaluation = evaluate_skills(
        model, entry.make_env(), skills=entry.shown_skill_vectors(), features=entry.displacement_features(), seed=EVAL_SEED
    )
    print(f"{name}: {steps} steps ({train_s:.0f} s); {evaluation.summary()}", flush=True)
    metadata = {
        "name": name,
        "method": entry.method,
        "env_id": entry.env_id,
        "n_skills": entry.n_skills,
        "skill_dim": entry.skill_dim,
        "steps": steps,
        "seed": entry.seed,
        "command": entry.command,
        "heldout_accuracy": evaluation.accuracy,
        # per skill, the share of its held-out states the discriminator gave to it (categorical DIAYN skills)
        "discriminability": [g.get("discriminability") for g in evaluation.per_skill],
        "coverage": evaluation.coverage,
        "eval_seed": EVAL_SEED,
    }
    if checkpoint is None:
        metadata["train_seconds"] = round(train_s, 1)
    with tempfile.TemporaryDirectory() as folder:
        full = pathlib.Path(folder) / "model.zip"
        model.save(full)
        full_size = full.stat().st_size
        path = skill_zoo.export_skill_set(full, out, metadata)
    _check(path, entry, model)
    size = path.stat().st_size
    print(f"wrote {path} ({size / 1024:.1f} KiB; the full checkpoint: {full_size / 1024:.1f} KiB)")
    if path.parent == DATA:
        files = list(DATA.glob("*.zip"))
        print(f"{DATA.name}/ holds {sum(p.stat().st_size for p in files) / 1024:.1f} KiB in {len(files)} file(s)")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(RECIPES), help="the registered skill set to make")
    parser.add_argument("--out", type=pathlib.Path, help="write here instead of the package data")
    parser.add_argument("--steps", type=int, help="training steps (default: the registry's)")
    parser.add_argument(
        "--checkpoint", type=pathlib.Path, help="export this full checkpoint of the recipe's training instead of training"
    )
    args = parser.parse_args(argv)
    if args.checkpoint is not None and args.name not in LOADERS:
        parser.error(f"--checkpoint: {args.name} has no checkpoint loader (sets with one: {', '.join(LOADERS)})")
    make(args.name, args.out, args.steps, args.checkpoint)


if __name__ == "__main__":
    main()
