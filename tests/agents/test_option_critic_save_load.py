"""save/load keeps every head of the Option-Critic policy and its optimizer; other checkpoints are refused."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch as th
from stable_baselines3 import PPO

from agents import PPOC, OptionCritic


@pytest.mark.parametrize(("cls", "env_id"), [(OptionCritic, "Pendulum-v1"), (PPOC, "CartPole-v1")])
def test_save_load_keeps_heads_and_optimizer(tmp_path: pathlib.Path, cls: type[OptionCritic], env_id: str) -> None:
    extra = {"n_steps": 16, "batch_size": 8, "n_epochs": 2} if cls is PPOC else {"n_steps": 8}
    model = cls(
        "MlpPolicy",
        env_id,
        n_options=3,
        seed=0,
        device="cpu",
        termination_reg=0.05,
        deliberation_cost=0.1,
        policy_kwargs={"net_arch": [16], "option_epsilon": 0.2},
        **extra,
    )
    model.learn(64)
    model.save(tmp_path / "oc")
    loaded = cls.load(tmp_path / "oc", env=model.get_env(), device="cpu")
    assert type(loaded) is cls
    assert (loaded.n_options, loaded.termination_reg, loaded.deliberation_cost) == (3, 0.05, 0.1)
    assert loaded.policy.option_epsilon == 0.2
    params = dict(model.policy.state_dict())
    assert set(params) == set(loaded.policy.state_dict())
    heads = {"q_net.weight", "termination_net.weight", "action_net.weight", "critic_body.0.weight", "actor_body.0.weight"}
    assert heads <= set(params)
    if env_id == "Pendulum-v1":
        assert "log_std" in params
    for name, value in loaded.policy.state_dict().items():
        assert th.equal(value, params[name]), name
    saved_opt, loaded_opt = model.policy.optimizer.state_dict(), loaded.policy.optimizer.state_dict()
    assert len(saved_opt["state"]) == len(loaded_opt["state"]) == len(list(model.policy.parameters()))
    for key, state in saved_opt["state"].items():
        for name in ("exp_avg", "exp_avg_sq"):
            assert th.equal(state[name], loaded_opt["state"][key][name])
    obs = model.get_env().reset()
    state = np.array([1])
    th.manual_seed(3)
    a1, s1 = model.predict(obs, state=state, deterministic=True)
    th.manual_seed(3)
    a2, s2 = loaded.predict(obs, state=state, deterministic=True)
    assert np.array_equal(a1, a2) and np.array_equal(s1, s2)
    loaded.learn(32, reset_num_timesteps=False)  # continues training


def test_load_refuses_other_checkpoints(tmp_path: pathlib.Path) -> None:
    PPO("MlpPolicy", "CartPole-v1", n_steps=16, batch_size=16, device="cpu").save(tmp_path / "ppo")
    with pytest.raises(ValueError, match="not an OptionCritic checkpoint"):
        OptionCritic.load(tmp_path / "ppo")
    PPOC("MlpPolicy", "CartPole-v1", n_options=2, n_steps=16, batch_size=16, device="cpu").save(tmp_path / "ppoc")
    with pytest.raises(ValueError, match=r"path=.*saved by PPOC"):
        OptionCritic.load(tmp_path / "ppoc")
    (tmp_path / "junk.zip").write_text("not a zip")
    with pytest.raises(ValueError, match="path="):
        OptionCritic.load(tmp_path / "junk.zip")
