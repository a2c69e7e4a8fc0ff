"""Tests of :class:`hrl_wrappers.METRAReward` and :class:`hrl_wrappers.LSDReward` against their formulas, computed
directly in numpy on small hand-made batches: the reward, METRA's constraint and its dual-variable update, LSD's
Lipschitz bound, the zero-centred skill vectors and zero-shot goal skills."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hrl_wrappers import LSDReward, METRAReward, SkillWrapper, SphericalPrior
from hrl_wrappers.envs import PointWorldEnv
from hrl_wrappers.priors import CategoricalPrior, GaussianPrior, make_prior
from hrl_wrappers.rewards.metra import metra_constraint
from hrl_wrappers.rewards.phi import skill_vectors
from hrl_wrappers.skill_layout import SkillLayout


def mlp_numpy(net: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    """phi's forward pass in float64 numpy, read off its (possibly spectrally normalised) Linear weights."""
    h = np.asarray(x, np.float64)
    for layer in net:  # type: ignore[attr-defined]
        if isinstance(layer, torch.nn.Linear):
            h = h @ layer.weight.detach().double().numpy().T + layer.bias.detach().double().numpy()
        else:
            assert isinstance(layer, torch.nn.ReLU)
            h = np.maximum(h, 0.0)
    return h


def perturb(model: torch.nn.Module, seed: int = 0) -> None:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "log_dual" not in name:
                p.copy_(torch.randn(p.shape, generator=gen))


STATES = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 4.0], [5.0, 5.0]], np.float32)
NEXT = np.array([[0.5, 0.1], [1.0, -2.5], [-3.5, 4.5], [5.0, 4.0]], np.float32)


def continuous_layout() -> SkillLayout:
    return SkillLayout(PointWorldEnv().observation_space, SphericalPrior(2))


def skills_2d() -> np.ndarray:
    angles = np.array([0.0, 0.5, 2.0, 4.0])
    return np.stack([np.cos(angles), np.sin(angles)], -1).astype(np.float32)


def join(states: np.ndarray, encodings: np.ndarray) -> np.ndarray:
    return np.concatenate([states, encodings], -1).astype(np.float32)


# ------------------------------------------------------------------------------------------------ reward
def test_continuous_reward_is_phi_difference_along_z() -> None:
    reward = METRAReward(continuous_layout(), net_arch=[8], device="cpu")
    perturb(reward)
    z = skills_2d()
    r = reward.reward(join(STATES, z), join(NEXT, z))
    net = reward.phi_net
    expected = ((mlp_numpy(net, NEXT) - mlp_numpy(net, STATES)) * z).sum(-1)
    np.testing.assert_allclose(r, expected, rtol=1e-5, atol=1e-5)


def test_categorical_reward_uses_zero_centred_one_hot() -> None:
    layout = SkillLayout(PointWorldEnv().observation_space, CategoricalPrior(3))
    reward = METRAReward(layout, net_arch=[8], device="cpu")
    perturb(reward, seed=1)
    skills = np.array([0, 1, 2, 1])
    onehot = np.eye(3, dtype=np.float32)[skills]
    r = reward.reward(join(STATES, onehot), join(NEXT, onehot))
    delta = mlp_numpy(reward.phi_net, NEXT) - mlp_numpy(reward.phi_net, STATES)
    vectors = np.where(onehot == 1, 1.0, -0.5)  # 1 at the skill, -1/(n-1) elsewhere
    np.testing.assert_allclose(r, (delta * vectors).sum(-1), rtol=1e-5, atol=1e-5)


def test_skill_vectors_formula_and_single_skill() -> None:
    v = skill_vectors(torch.eye(4))
    np.testing.assert_allclose(v.numpy(), (np.eye(4) - 0.25) * 4 / 3, atol=1e-6)
    np.testing.assert_allclose(v.sum(0).numpy(), np.zeros(4), atol=1e-6)
    assert torch.equal(skill_vectors(torch.ones(2, 1)), torch.ones(2, 1))


def test_reward_reads_the_skill_of_obs_and_features_only() -> None:
    """The skill is the one the action was taken under (obs); phi sees only the chosen features."""
    env = SkillWrapper(PointWorldEnv(), skill_dim=2, distribution="sphere")
    reward = METRAReward.for_env(env, features=[0], net_arch=[8], device="cpu")
    perturb(reward, seed=2)
    z = skills_2d()
    other = z[::-1].copy()
    r = reward.reward(join(STATES, z), join(NEXT, other))
    phi = mlp_numpy(reward.phi_net, NEXT[:, :1]) - mlp_numpy(reward.phi_net, STATES[:, :1])
    np.testing.assert_allclose(r, (phi * z).sum(-1), rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------------------------------------ METRA's constraint
def test_constraint_formula_and_slack() -> None:
    delta = torch.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.3, -0.4]])
    expected = np.minimum(1.0 - (delta.numpy() ** 2).mean(-1), 1e-3)
    np.testing.assert_allclose(metra_constraint(delta, 1e-3).numpy(), expected, rtol=1e-6)
    # a transition within the bound counts only the slack, one outside it its whole violation
    assert float(metra_constraint(delta, 1e-3)[2]) == pytest.approx(-1.0)


def test_loss_and_one_update_match_the_lagrangian_and_dual_step() -> None:
    """One step of METRAReward.update moves phi along the gradient of -(r + lambda c) and log lambda along
    mean(c): checked against a direct computation of the loss and of Adam's first step (lr * sign(gradient))."""
    lr, dual_lr = 1e-3, 0.05
    reward = METRAReward(continuous_layout(), net_arch=[8], learning_rate=lr, dual_lr=dual_lr, dual_lambda=2.0, device="cpu")
    perturb(reward, seed=3)
    z = skills_2d()
    obs, next_obs = join(STATES, z), join(NEXT, z)
    net = reward.phi_net
    delta = mlp_numpy(net, NEXT) - mlp_numpy(net, STATES)
    r = (delta * z).sum(-1)
    c = np.minimum(1.0 - (delta**2).mean(-1), 1e-3)
    expected_loss = -(r + 2.0 * c).mean()
    loss, metrics = reward.loss_th(reward.to_tensor(obs), reward.to_tensor(next_obs))
    assert metrics["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert metrics["dual_lambda"] == pytest.approx(2.0, rel=1e-6)
    assert metrics["constraint"] == pytest.approx(c.mean(), rel=1e-5)
    # the total loss adds log(lambda) * mean(c)
    assert float(loss.detach()) == pytest.approx(expected_loss + math.log(2.0) * c.mean(), rel=1e-5)

    # phi's gradient from torch autograd on the directly written Lagrangian, for the expected Adam step
    phi_copy = [p.detach().clone().requires_grad_(True) for p in net.parameters()]
    s, s2, zt = torch.tensor(STATES), torch.tensor(NEXT), torch.tensor(z)

    def forward(x: torch.Tensor) -> torch.Tensor:
        w0, b0, w1, b1 = phi_copy
        return torch.relu(x @ w0.T + b0) @ w1.T + b1

    d = forward(s2) - forward(s)
    lagrangian = -((d * zt).sum(-1) + 2.0 * torch.clamp(1 - (d**2).mean(-1), max=1e-3)).mean()
    grads = torch.autograd.grad(lagrangian, phi_copy)
    before = [p.detach().clone() for p in net.parameters()]
    reward.update(obs, next_obs)
    for b, g, after in zip(before, grads, net.parameters(), strict=True):
        # Adam's first step is -lr * g / (|g| + eps): -lr * sign(g) where the gradient is not tiny
        big = g.abs() > 1e-4
        np.testing.assert_allclose((after.detach() - b)[big].numpy(), (-lr * torch.sign(g))[big].numpy(), rtol=1e-3, atol=1e-7)
    # the dual variable: gradient of log(lambda) * mean(c) is mean(c); Adam's first step is -dual_lr * sign(mean(c))
    new_log = math.log(2.0) - dual_lr * float(np.sign(c.mean()))
    assert reward.dual_lambda == pytest.approx(math.exp(new_log), rel=1e-5)


def test_dual_lambda_grows_while_violated_and_shrinks_while_satisfied() -> None:
    z = skills_2d()
    violated = METRAReward(continuous_layout(), net_arch=[8], learning_rate=1e-6, dual_lr=0.1, device="cpu")
    perturb(violated, seed=4)
    start = violated.dual_lambda
    for _ in range(3):
        violated.update(join(STATES, z), join(STATES + 50.0, z))  # phi-distances far above 1
    assert violated.dual_lambda > start
    satisfied = METRAReward(continuous_layout(), net_arch=[8], learning_rate=1e-6, dual_lr=0.1, device="cpu")
    with torch.no_grad():  # a constant phi: every distance is 0, within the bound
        for p in satisfied.phi_net.parameters():
            p.zero_()
    for _ in range(3):
        satisfied.update(join(STATES, z), join(NEXT, z))
    assert satisfied.dual_lambda < start


def test_metra_arguments_are_checked() -> None:
    layout = continuous_layout()
    bad: list[tuple[dict[str, float], str]] = [
        ({"dual_lambda": 0.0}, "dual_lambda"),
        ({"dual_slack": -1.0}, "dual_slack"),
        ({"dual_lr": math.nan}, "dual_lr"),
    ]
    for kwargs, name in bad:
        with pytest.raises(ValueError, match=name):
            METRAReward(layout, device="cpu", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="feature_scale"):
        METRAReward(layout, feature_scale=0.0, device="cpu")
    with pytest.raises(TypeError, match="SkillLayout"):
        METRAReward("layout", device="cpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NaN"):
        METRAReward(layout, device="cpu").reward(join(STATES * np.nan, skills_2d()), join(NEXT, skills_2d()))


def test_state_dict_round_trip_keeps_lambda() -> None:
    a = METRAReward(continuous_layout(), net_arch=[8], dual_lambda=5.0, device="cpu")
    a.update(join(STATES, skills_2d()), join(NEXT + 3, skills_2d()))
    b = METRAReward(continuous_layout(), net_arch=[8], device="cpu")
    b.load_state_dict(a.state_dict())
    b.optimizer.load_state_dict(a.optimizer.state_dict())
    assert b.dual_lambda == pytest.approx(a.dual_lambda)
    assert a.config()["dual_lambda"] == 5.0
    z = skills_2d()
    np.testing.assert_array_equal(a.reward(join(STATES, z), join(NEXT, z)), b.reward(join(STATES, z), join(NEXT, z)))


# ------------------------------------------------------------------------------------------------ LSD
def test_lsd_phi_is_one_lipschitz_and_reward_matches() -> None:
    reward = LSDReward(SkillLayout(PointWorldEnv().observation_space, GaussianPrior(2)), net_arch=[16, 16], device="cpu")
    gen = np.random.default_rng(0)
    obs = gen.normal(size=(256, 2)).astype(np.float32) * 3
    nxt = obs + gen.normal(size=(256, 2)).astype(np.float32)
    z = gen.normal(size=(256, 2)).astype(np.float32)
    for _ in range(20):  # training steps run the power iteration; the bound must hold after them too
        reward.update(join(obs, z), join(nxt, z))
    with torch.no_grad():
        phi_s = reward.phi(reward.to_tensor(join(obs, z))).numpy()
        phi_n = reward.phi(reward.to_tensor(join(nxt, z))).numpy()
    ratio = np.linalg.norm(phi_n - phi_s, axis=-1) / np.linalg.norm(nxt - obs, axis=-1)
    assert ratio.max() <= 1.0 + 1e-3
    # the reward is the same formula, read off the (normalised) weights
    np.testing.assert_allclose(
        reward.reward(join(obs, z), join(nxt, z)), ((phi_n - phi_s) * z).sum(-1), rtol=1e-4, atol=1e-4
    )
    loss, _metrics = reward.loss_th(reward.to_tensor(join(obs, z)), reward.to_tensor(join(nxt, z)))
    assert float(loss.detach()) == pytest.approx(-((phi_n - phi_s) * z).sum(-1).mean(), rel=1e-3, abs=1e-4)


# ------------------------------------------------------------------------------------------------ goals
def test_goal_skill_is_the_normalised_phi_direction() -> None:
    reward = METRAReward(continuous_layout(), net_arch=[8], device="cpu")
    perturb(reward, seed=5)
    d = mlp_numpy(reward.phi_net, NEXT) - mlp_numpy(reward.phi_net, STATES)
    z = reward.goal_skill(STATES, NEXT)
    np.testing.assert_allclose(z, d / np.linalg.norm(d, axis=-1, keepdims=True), rtol=1e-4, atol=1e-5)
    assert reward.goal_skill(STATES[0], NEXT[0]).shape == (2,)
    with pytest.raises(ValueError, match="goal_features"):
        reward.goal_skill(STATES, NEXT[:, :1])


def test_goal_skill_categorical_picks_the_best_aligned_skill() -> None:
    layout = SkillLayout(PointWorldEnv().observation_space, CategoricalPrior(4))
    reward = METRAReward(layout, net_arch=[8], device="cpu")
    perturb(reward, seed=6)
    d = mlp_numpy(reward.phi_net, NEXT) - mlp_numpy(reward.phi_net, STATES)
    vectors = (np.eye(4) - 0.25) * 4 / 3
    np.testing.assert_array_equal(reward.goal_skill(STATES, NEXT), np.argmax(d @ vectors.T, axis=-1))


# ------------------------------------------------------------------------------------------------ the sphere prior
def test_spherical_prior_samples_validates_and_scores() -> None:
    prior = make_prior(skill_dim=3, distribution="sphere")
    z = prior.sample(np.random.default_rng(0), size=1000)
    np.testing.assert_allclose(np.linalg.norm(z, axis=-1), 1.0, atol=1e-5)
    assert abs(z.mean(0)).max() < 0.1  # uniform on the sphere: centred
    area = 4 * math.pi  # the unit sphere of R^3
    assert float(prior.log_prob(z[0])) == pytest.approx(-math.log(area))
    with pytest.raises(ValueError, match="unit vector"):
        prior.validate([1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="skill_dim must be >= 2"):
        SphericalPrior(1)
    env = SkillWrapper(PointWorldEnv(), skill_dim=2, distribution="sphere")
    obs, _info = env.reset(seed=0, options={"skill": [0.6, 0.8]})
    np.testing.assert_allclose(obs[2:], [0.6, 0.8])
    with pytest.raises(ValueError, match="unit vector"):
        env.reset(options={"skill": [1.0, 1.0]})
