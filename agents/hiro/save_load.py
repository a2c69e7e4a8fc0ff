"""HIRO checkpoints: both SB3 learners and the agent's configuration in one zip, and the two replay buffers.

A checkpoint holds ``hiro.json`` (the configuration and layout, readable), ``hiro_config.pkl`` (the same, exact: classes
such as ``policy_kwargs``' ``activation_fn`` survive), ``high.zip`` and ``low.zip`` (each level's SB3 checkpoint) and,
when asked, ``high_buffer.pkl`` and ``low_buffer.pkl``.
"""

from __future__ import annotations

import io
import json
import pathlib
import pickle
import zipfile
from typing import TYPE_CHECKING, Any, TypeVar

import cloudpickle

from agents.hiro.action_penalty import add_action_penalty
from agents.hiro.layout import EnvLike
from agents.hiro.levels import ALGOS
from hrl_wrappers.checkpoint_file import checkpoint_file
from hrl_wrappers.sb3.off_policy_correction import OffPolicyCorrectionReplayBuffer

if TYPE_CHECKING:
    from agents.hiro.hiro import HIRO

__all__ = ["CONFIG_FILE", "CONFIG_PICKLE", "load_agent", "load_replay_buffers", "save_agent", "save_replay_buffers"]

SelfHIRO = TypeVar("SelfHIRO", bound="HIRO")

CONFIG_FILE = "hiro.json"
CONFIG_PICKLE = "hiro_config.pkl"


def save_agent(agent: HIRO, path: str | pathlib.Path, include_buffers: bool) -> None:
    """Write ``agent`` into the zip ``path`` (``.zip`` added if missing), with both replay buffers if asked.

    :param agent: the agent to save.
    :param path: file to write.
    :param include_buffers: also keep both replay buffers (large).
    """
    path = pathlib.Path(path)
    if path.suffix != ".zip":
        path = path.with_suffix(".zip")
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "hrl_agent": agent.agent_name,
        "policy": agent.policy_name,
        "config": agent.config,
        "layout": agent.layout,
        "num_timesteps": agent.num_timesteps,
        "episode_num": agent._episode_num,
        "n_envs": agent.n_envs,
        "seed": agent.seed,
        "verbose": agent.verbose,
        "tensorboard_log": agent.tensorboard_log,
        "has_buffers": bool(include_buffers),
    }
    with zipfile.ZipFile(path, "w") as archive:
        # readable JSON (classes such as policy_kwargs' activation_fn written as their repr) + the exact config
        archive.writestr(CONFIG_FILE, json.dumps(meta, default=repr, indent=1))
        archive.writestr(CONFIG_PICKLE, cloudpickle.dumps(meta))
        for name, model in (("high", agent.high), ("low", agent.low)):
            data = io.BytesIO()
            model.save(data)
            archive.writestr(f"{name}.zip", data.getvalue())
            if include_buffers:
                archive.writestr(f"{name}_buffer.pkl", pickle.dumps(model.replay_buffer))


def save_replay_buffers(agent: HIRO, path: str | pathlib.Path) -> None:
    """Pickle both levels' replay buffers into the one file ``path``."""
    pathlib.Path(path).write_bytes(pickle.dumps({"high": agent.high.replay_buffer, "low": agent.low.replay_buffer}))


def load_replay_buffers(agent: HIRO, path: str | pathlib.Path) -> None:
    """Give ``agent`` the replay buffers written by :func:`save_replay_buffers`, with the correction re-attached."""
    buffers = pickle.loads(pathlib.Path(path).read_bytes())
    if not isinstance(buffers, dict) or set(buffers) != {"high", "low"}:
        raise ValueError(f"path={str(path)!r} is not a HIRO replay buffer file (HIRO.save_replay_buffer)")
    agent.high.replay_buffer, agent.low.replay_buffer = buffers["high"], buffers["low"]
    agent._attach_correction()


def _read_checkpoint(
    path: pathlib.Path, agent_name: str, load_buffers: bool
) -> tuple[dict[str, Any], dict[str, bytes], dict[str, bytes]]:
    """The metadata, both levels' SB3 checkpoints and (if saved and asked for) both replay buffers of ``path``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            meta = json.loads(archive.read(CONFIG_FILE)) if CONFIG_FILE in names else None
            if meta is not None and meta.get("hrl_agent") == agent_name and CONFIG_PICKLE in names:
                meta = pickle.loads(archive.read(CONFIG_PICKLE))
            if meta is None or meta.get("hrl_agent") != agent_name:
                found = "an SB3 checkpoint" if "data" in names else "an unknown zip"
                if meta is not None:
                    found = f"a {meta.get('hrl_agent')} checkpoint"
                raise ValueError(f"path={str(path)!r} is not a {agent_name} checkpoint: it is {found}")
            blobs = {name: archive.read(f"{name}.zip") for name in ("high", "low")}
            buffers = {}
            if load_buffers and meta.get("has_buffers"):
                buffers = {name: archive.read(f"{name}_buffer.pkl") for name in ("high", "low")}
    except zipfile.BadZipFile:
        raise ValueError(f"path={str(path)!r} is not a checkpoint: it is not a zip file") from None
    return meta, blobs, buffers


def load_agent(
    cls: type[SelfHIRO],
    path: str | pathlib.Path,
    env: EnvLike | None,
    device: str,
    load_buffers: bool,
    n_envs: int,
) -> SelfHIRO:
    """Rebuild a ``cls`` agent from the checkpoint ``path`` (arguments as :meth:`HIRO.load <agents.hiro.hiro.HIRO.load>`)."""
    path = checkpoint_file(path)  # the file (path or path.zip), complete; errors name the path given
    meta, blobs, buffers = _read_checkpoint(path, cls.agent_name, load_buffers)
    config = dict(meta["config"])
    # checkpoints written before the option existed were trained with terminal period ends
    config.setdefault("low_bootstrap_periods", False)
    c = config.pop("c")
    agent = cls(
        meta["policy"],
        None,
        c=c,
        n_envs=meta["n_envs"],
        seed=meta["seed"],
        verbose=meta["verbose"],
        tensorboard_log=meta["tensorboard_log"],
        device=device,
        _layout=meta["layout"],
        **config,
    )
    high_env, low_env = agent._placeholder_envs()
    for name, placeholder in (("high", high_env), ("low", low_env)):
        algo = ALGOS[config["high_algo"] if name == "high" else config["algo"]]
        model = algo.load(io.BytesIO(blobs[name]), env=placeholder, device=device)
        if name in buffers:
            model.replay_buffer = pickle.loads(buffers[name])
        setattr(agent, name, model)
    if not isinstance(agent.high.replay_buffer, OffPolicyCorrectionReplayBuffer):
        raise ValueError(f"path={str(path)!r}: the high level's replay buffer is not an OffPolicyCorrectionReplayBuffer")
    agent._attach_correction()
    if agent.config["high_action_penalty"] > 0:
        add_action_penalty(agent.high, agent.config["high_action_penalty"])
    agent.num_timesteps = int(meta["num_timesteps"])
    agent._episode_num = int(meta.get("episode_num", 0))  # zips from before it was saved: 0
    if env is not None:
        agent.set_env(env, n_envs=n_envs)
    return agent
