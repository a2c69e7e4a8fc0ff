"""Videos of skills: one video per skill with Gymnasium's ``RecordVideo`` (imported inside the function)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from hrl_wrappers.evaluation.episodes import SkillPolicy, _check_model, _plan_skills
from hrl_wrappers.priors import CategoricalPrior

__all__ = ["record_skill_videos"]


def _make_render_env(env_id_or_factory: str | Callable[..., gym.Env], env_kwargs: dict[str, Any]) -> gym.Env:
    os.environ.setdefault("MUJOCO_GL", "egl")  # offscreen MuJoCo rendering without a display
    kwargs = {**env_kwargs, "render_mode": "rgb_array"}
    if isinstance(env_id_or_factory, str):
        try:
            env = gym.make(env_id_or_factory, **kwargs)
        except (TypeError, ValueError, gym.error.Error) as exc:
            raise ValueError(f"cannot make {env_id_or_factory!r} with render_mode='rgb_array': {exc}") from exc
    elif callable(env_id_or_factory):
        try:
            env = env_id_or_factory(**kwargs)
        except TypeError:
            env = env_id_or_factory(**env_kwargs)
    else:
        raise TypeError(f"env_id_or_factory must be an environment id or a factory, got {type(env_id_or_factory).__name__}")
    if env.render_mode != "rgb_array":
        env.close()
        raise ValueError(
            f"the environment renders with render_mode={env.render_mode!r}; videos need render_mode='rgb_array' "
            "(give an env id, or a factory that accepts render_mode)"
        )
    return env


def record_skill_videos(
    model: SkillPolicy,
    env_id_or_factory: str | Callable[..., gym.Env],
    video_folder: str | os.PathLike[str],
    skills: Sequence[Any] | None = None,
    video_length: int = 200,
    env_kwargs: dict[str, Any] | None = None,
    seed: int = 0,
    deterministic: bool = True,
) -> list[str]:
    """Record one video per skill with :class:`gymnasium.wrappers.RecordVideo` (``name_prefix=f"skill_{k}"``).

    Each video shows ``video_length`` steps of skill ``k`` (episodes that end earlier are reset with the next seed
    and the recording goes on). ``MUJOCO_GL`` defaults to ``"egl"`` for offscreen MuJoCo rendering.

    :param model: a skill agent (``skill_layout`` and ``predict_skill``).
    :param env_id_or_factory: the raw environment's id, or a factory accepting ``render_mode`` (and ``env_kwargs``).
    :param video_folder: where the ``.mp4`` files go.
    :param skills: the skills (categorical: all when None; continuous: 8 drawn from the prior with ``seed``).
        ``k`` in the file name is the position in this list.
    :param video_length: steps per video.
    :param env_kwargs: keyword arguments of ``gym.make`` or of the factory.
    :param seed: reset seed (and seed of the drawn continuous skills).
    :param deterministic: act deterministically.
    :return: the paths of the videos, in skill order.
    :raises ValueError: when the environment cannot render ``rgb_array`` frames.
    """
    if isinstance(video_length, bool) or int(video_length) < 1:
        raise ValueError(f"video_length must be a positive integer, got {video_length!r}")
    from gymnasium.wrappers import RecordVideo

    folder = os.path.abspath(os.fspath(video_folder))
    os.makedirs(folder, exist_ok=True)
    kwargs = dict(env_kwargs or {})
    env: gym.Env | None = _make_render_env(env_id_or_factory, kwargs)
    assert env is not None
    try:
        layout = _check_model(model, env)
        if skills is not None:
            chosen, _ = _plan_skills(layout, skills, 1, True, seed)
        elif isinstance(layout.prior, CategoricalPrior):
            chosen = list(range(layout.prior.n_skills))
        else:
            chosen = [np.asarray(z, dtype=np.float32) for z in layout.prior.sample(np.random.default_rng(seed), size=8)]
    except Exception:
        env.close()
        raise
    paths: list[str] = []
    for k, skill in enumerate(chosen):
        if env is None:
            env = _make_render_env(env_id_or_factory, kwargs)
        prefix = f"skill_{k}"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Overwriting existing videos.*")
            recorder = RecordVideo(
                env, folder, episode_trigger=lambda e: e == 0, video_length=int(video_length), name_prefix=prefix
            )
        try:
            obs, _ = recorder.reset(seed=seed)
            episode = 0
            for _ in range(int(video_length)):
                action = model.predict_skill(obs, skill, deterministic=deterministic)[0]
                obs, _, terminated, truncated, _ = recorder.step(action)
                if not recorder.recording:
                    break
                if terminated or truncated:
                    episode += 1
                    obs, _ = recorder.reset(seed=seed + episode)
        finally:
            recorder.close()
            env = None
        path = os.path.join(folder, f"{prefix}-episode-0.mp4")
        if not os.path.isfile(path):
            raise RuntimeError(f"RecordVideo wrote no video for skill {k} (expected {path})")
        paths.append(path)
    if env is not None:
        env.close()
    return paths
