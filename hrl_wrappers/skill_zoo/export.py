"""Strip a saved skill model down to what :func:`~hrl_wrappers.load_skills` reads: :func:`export_skill_set`.

A trained agent's checkpoint carries its critics, their target copies, every optimizer's state, the discriminator and
the learner's bookkeeping. A shipped skill set keeps only the policy's class, keyword arguments and spaces, the skill
layout and the acting part of the policy's parameters (SAC's actor, PPO's policy network), plus a note of the
parameter groups it left out (``dropped_policy_parameters``), which ``load_skills`` accepts as missing.
"""

from __future__ import annotations

import pathlib
import zipfile
from collections.abc import Mapping
from typing import Any

__all__ = ["DROPPED_POLICY_PREFIXES", "KEPT_DATA", "export_skill_set", "read_metadata"]

#: the entries of a checkpoint's data that an exported file keeps.
KEPT_DATA = ("policy_class", "policy_kwargs", "observation_space", "action_space", "skill_layout", "hrl_agent")
#: parameter groups of an SB3 policy that acting does not use: critics, target networks, value heads.
DROPPED_POLICY_PREFIXES = (
    "critic.",
    "critic_target.",
    "actor_target.",
    "value_net.",
    "mlp_extractor.value_net.",
    "vf_features_extractor.",
    "q_net_target.",
)
#: the data entry that lists the dropped groups and the one that holds the set's description.
DROPPED_KEY = "dropped_policy_parameters"
METADATA_KEY = "skill_set"


def export_skill_set(
    checkpoint: str | pathlib.Path, out: str | pathlib.Path, metadata: Mapping[str, Any] | None = None
) -> pathlib.Path:
    """Write the policy of a saved skill model, and nothing else, to ``out`` (an SB3 ``.zip`` that ``load_skills``
    reads, not one ``Agent.load`` can resume).

    :param checkpoint: a saved DIAYN (or any ``SkillAgent``) checkpoint, or an SB3 model trained on a SkillWrapper.
    :param out: the file to write (``.zip`` is appended when missing, as SB3 does).
    :param metadata: plain data stored with the file (name, method, steps, command, measured scores...).
    :return: the file written.
    :raises ValueError: when ``checkpoint`` holds no SB3 policy.
    """
    from stable_baselines3.common.save_util import load_from_zip_file, save_to_zip_file

    from hrl_wrappers.checkpoint_file import checkpoint_file

    file = checkpoint_file(checkpoint, "skill model")
    try:
        data, params, _ = load_from_zip_file(file, device="cpu", print_system_info=False)
    except (zipfile.BadZipFile, ValueError, KeyError, RuntimeError) as exc:
        raise ValueError(f"checkpoint={str(checkpoint)!r} is not an SB3 checkpoint ({exc})") from None
    if not data or "policy_class" not in data or "policy" not in params:
        raise ValueError(f"checkpoint={str(checkpoint)!r} holds no SB3 policy: nothing to export")
    state: dict[str, Any] = dict(params["policy"])
    kept = {k: v.detach().cpu().clone() for k, v in state.items() if not k.startswith(DROPPED_POLICY_PREFIXES)}
    if not kept:
        raise ValueError(f"checkpoint={str(checkpoint)!r}: its policy has no parameters outside {DROPPED_POLICY_PREFIXES}")
    dropped = sorted({p for p in DROPPED_POLICY_PREFIXES for k in state if k.startswith(p)})
    out_data = {key: data[key] for key in KEPT_DATA if key in data}
    out_data[DROPPED_KEY] = dropped
    out_data[METADATA_KEY] = dict(metadata or {})
    path = pathlib.Path(out)
    if path.suffix != ".zip":
        path = path.with_name(path.name + ".zip")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_to_zip_file(path, data=out_data, params={"policy": kept})
    return path


def read_metadata(path: str | pathlib.Path) -> dict[str, Any]:
    """The ``metadata`` stored by :func:`export_skill_set` in ``path`` (empty for any other checkpoint)."""
    from stable_baselines3.common.save_util import load_from_zip_file

    data, _, _ = load_from_zip_file(path, device="cpu", load_data=True, print_system_info=False)
    value = (data or {}).get(METADATA_KEY)
    return dict(value) if isinstance(value, Mapping) else {}
