"""benchmarks/metra/train_skills.py: a saved run resumed, with or without the skill redrawn within episodes; a
checkpoint evaluated on its own."""

from __future__ import annotations

import argparse
import json
import pathlib

import numpy as np

from benchmarks.metra.train_skills import build, evaluate, resume


def _args(**changes: object) -> argparse.Namespace:
    args = argparse.Namespace(
        env="point", method="metra", prior="full", steps=300, n_skills=0, skill_dim=2, episode_steps=200, net=[16],
        n_envs=1, train_freq=4, batch_size=32, learning_starts=100, seed=0, hide_position=False, device="cpu",
        resample_every=None,
    )  # fmt: skip
    vars(args).update(changes)
    return args


def _skills_seen(model: object, steps: int) -> list[tuple[float, ...]]:
    """The skill part of the observation over ``steps`` steps of the model's own (skill-wrapped) env."""
    env = model.get_env()  # type: ignore[attr-defined]
    obs = env.reset()
    seen = [tuple(np.round(obs[0, -2:], 6))]
    for _ in range(steps):
        obs, *_ = env.step(np.zeros((1, 2), np.float32))
        seen.append(tuple(np.round(obs[0, -2:], 6)))
    return seen


def test_resume_keeps_the_saved_skill_settings_or_redraws_every_k_steps(tmp_path: pathlib.Path) -> None:
    model = build(_args())
    model.learn(300)
    model.save(tmp_path / "model.zip")

    same = resume(_args(steps=600, resume=tmp_path / "model.zip"))
    assert same.num_timesteps == 300 and same.learning_starts == 400
    assert same.get_env().get_attr("resample_every") == [None]
    assert len(set(_skills_seen(same, 12))) == 1  # one skill for the whole episode

    redraw = resume(_args(steps=600, resume=tmp_path / "model.zip", resample_every=5))
    assert redraw.get_env().get_attr("resample_every") == [5]
    assert redraw.skill_config["resample_every"] == 5  # saved with the agent, so a later load redraws too
    seen = _skills_seen(redraw, 12)
    assert len(set(seen[:5])) == 1 and len(set(seen)) == 3  # a new skill at steps 5 and 10
    redraw.learn(50, reset_num_timesteps=False)
    redraw.save(tmp_path / "redraw.zip")
    again = resume(_args(steps=900, resume=tmp_path / "redraw.zip"))
    assert again.get_env().get_attr("resample_every") == [5]
    once = resume(_args(steps=900, resume=tmp_path / "redraw.zip", resample_every=0))  # 0: once per episode again
    assert once.get_env().get_attr("resample_every") == [None] and once.skill_config["resample_every"] is None
    assert len(set(_skills_seen(once, 12))) == 1


def test_a_checkpoint_is_evaluated_into_files_named_by_its_steps(tmp_path: pathlib.Path) -> None:
    model = build(_args())
    model.learn(300)
    evaluate(model, _args(out=tmp_path, eval_rollouts=4), None, suffix=f"_{model.num_timesteps}")
    result = json.loads((tmp_path / "eval_300.json").read_text())
    assert result["steps"] == 300 and result["n_rollouts"] == 4 and result["train_seconds"] is None
    assert len(result["per_skill"]) == 4 and result["coverage"] >= 1
    assert result["max_distance"] >= result["mean_distance"] > 0.0  # the point moves under any skill's actions
    assert (tmp_path / "skills_300.png").stat().st_size > 0
