"""The learned policy over options (``option_selection="learned"``): its losses, sampling, value and save/load."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch as th
from gymnasium import spaces

from agents import PPOC
from agents.option_critic import OptionCriticPolicy, option_policy_losses


def _policy() -> OptionCriticPolicy:
    return OptionCriticPolicy(
        spaces.Box(-1, 1, (3,)), spaces.Discrete(2), lambda _: 1e-3, n_options=3, option_selection="learned"
    )


def test_option_policy_losses_match_the_formula() -> None:
    """Loss value and gradient against a direct computation on hand-made logits and option values."""
    logits = th.tensor([[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]], requires_grad=True)
    q = th.tensor([[1.0, 3.0, 0.0], [-1.0, 2.0, 4.0]])
    losses = option_policy_losses(logits, q)
    p = np.exp(logits.detach().numpy())
    p /= p.sum(-1, keepdims=True)
    qn = q.numpy()
    v = (p * qn).sum(-1, keepdims=True)
    assert float(losses["option_policy_loss"].detach()) == pytest.approx(-(p * (qn - v)).sum(-1).mean(), abs=1e-6)
    assert float(losses["option_entropy_loss"].detach()) == pytest.approx((p * np.log(p)).sum(-1).mean(), abs=1e-6)
    losses["option_policy_loss"].backward()
    # d/dz_k of -sum_w p_w (Q_w - V) with V held fixed: -p_k (Q_k - V_pi) (the softmax Jacobian), divided by the batch
    expected = -p * (qn - v) / 2
    assert logits.grad is not None
    np.testing.assert_allclose(logits.grad.numpy(), expected, atol=1e-6)
    # descending raises the logit of the option with the highest Q in each state
    assert int(logits.grad.argmin(-1)[0]) == 1 and int(logits.grad.argmin(-1)[1]) == 2


def test_option_entropy_gradient_pushes_towards_uniform() -> None:
    logits = th.tensor([[2.0, 0.0, 0.0]], requires_grad=True)
    option_policy_losses(logits, th.zeros(1, 3))["option_entropy_loss"].backward()
    assert logits.grad is not None and logits.grad[0, 0] > 0 > logits.grad[0, 1]


def test_learned_selection_samples_from_the_option_head_and_values_it() -> None:
    policy = _policy()
    assert policy.option_net is not None
    heads = policy.heads(th.zeros(4, 3))
    assert heads.option_logits is not None and tuple(heads.option_logits.shape) == (4, 3)
    logits = th.tensor([[0.0, 5.0, 0.0]]).repeat(2000, 1)
    q = th.tensor([[10.0, 0.0, 0.0]]).repeat(2000, 1)  # Q's argmax is option 0: it must not drive the selection
    th.manual_seed(0)
    counts = np.bincount(policy.select_options(q, option_logits=logits).numpy(), minlength=3) / 2000
    probs = th.softmax(logits[0], -1).numpy()
    np.testing.assert_allclose(counts, probs, atol=0.03)
    assert policy.select_options(q, deterministic=True, option_logits=logits).tolist() == [1] * 2000
    np.random.seed(0)
    counts_np = np.bincount(policy.select_options_numpy(q.numpy(), option_logits=logits.numpy()), minlength=3) / 2000
    np.testing.assert_allclose(counts_np, probs, atol=0.03)
    value = policy.option_values(q[:1], logits[:1])
    assert float(value) == pytest.approx(float((th.softmax(logits[0], -1) * q[0]).sum()), abs=1e-6)
    with pytest.raises(ValueError, match="option_logits"):
        policy.option_values(q)
    with pytest.raises(ValueError, match="option_logits"):
        policy.select_options(q)


def test_learned_selection_trains_and_survives_save_load(tmp_path: pathlib.Path) -> None:
    model = PPOC(
        "MlpPolicy",
        "CartPole-v1",
        n_options=2,
        n_steps=32,
        batch_size=16,
        n_epochs=2,
        option_ent_coef=0.1,
        seed=0,
        device="cpu",
        policy_kwargs={"net_arch": [16], "option_selection": "learned"},
    )
    before = model.policy.option_net.weight.detach().clone()  # type: ignore[union-attr]
    model.learn(64)
    after = model.policy.option_net.weight.detach()  # type: ignore[union-attr]
    assert not th.allclose(before, after), "the policy over options was not trained"
    assert model.logger.name_to_value["train/option_entropy_loss"] < 0
    model.save(tmp_path / "ppoc")
    loaded = PPOC.load(tmp_path / "ppoc", env=model.get_env(), device="cpu")
    assert loaded.option_ent_coef == 0.1 and loaded.policy.option_selection == "learned"
    th.testing.assert_close(loaded.policy.option_net.weight, after)  # type: ignore[union-attr]
    state = model.policy.optimizer.state_dict()["state"]
    loaded_state = loaded.policy.optimizer.state_dict()["state"]
    assert state.keys() == loaded_state.keys()
    for key in state:
        th.testing.assert_close(state[key]["exp_avg"], loaded_state[key]["exp_avg"])


def test_option_ent_coef_must_be_non_negative() -> None:
    with pytest.raises(ValueError, match="option_ent_coef"):
        PPOC("MlpPolicy", "CartPole-v1", n_options=2, option_ent_coef=-0.1)
