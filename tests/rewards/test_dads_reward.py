"""DADSReward against a direct computation of Eq. 6 on hand-made Gaussian experts."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from gymnasium import spaces

from hrl_wrappers import DADSReward
from hrl_wrappers.priors import CategoricalPrior, GaussianPrior, UniformPrior
from hrl_wrappers.rewards.dads import mixture_log_prob
from hrl_wrappers.skill_layout import SkillLayout

STATE = spaces.Box(-10, 10, (3,), np.float32)


def gauss_pdf(y: np.ndarray, mean: np.ndarray, std: np.ndarray) -> float:
    return float(np.prod(np.exp(-0.5 * ((y - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))))


def hand_made_model(prior: object, n_alternatives: int | None, learn_variance: bool = False) -> DADSReward:
    """Two experts over the change of features [0, 1], no hidden layer, no normalisation.

    With ``net_arch=[]`` the heads read ``h = [s_0, s_1, z]`` directly; the weights below make
    expert k's mean ``(k + 1) * z[:2]`` (+ 0.5 * s_0 on the first coordinate) and the logits ``[0.3, -0.2]``.
    """
    layout = SkillLayout(STATE, prior)  # type: ignore[arg-type]
    model = DADSReward(
        layout,
        features=[0, 1],
        n_experts=2,
        net_arch=[],
        n_alternatives=n_alternatives,
        normalize=False,
        learn_variance=learn_variance,
        device="cpu",
    )
    skill_dim = layout.prior.encoding_dim
    with torch.no_grad():
        w = torch.zeros(4, 2 + skill_dim)
        for k in range(2):
            for d in range(2):
                w[2 * k + d, 2 + d] = k + 1.0  # mean_{k,d} = (k+1) z_d
            w[2 * k, 0] = 0.5  # + 0.5 s_0
        model.mean_head.weight.copy_(w)
        model.mean_head.bias.zero_()
        model.logit_head.weight.zero_()
        model.logit_head.bias.copy_(torch.tensor([0.3, -0.2]))
        if model.log_std_head is not None:
            model.log_std_head.weight.zero_()
            model.log_std_head.bias.copy_(torch.tensor([0.1, -0.3, 0.2, 0.0]))
    return model


def direct_q(delta: np.ndarray, s: np.ndarray, z: np.ndarray, log_std: np.ndarray | None = None) -> float:
    """q(delta | s, z) of the hand-made model, from the Gaussian densities."""
    w = np.exp([0.3, -0.2])
    w = w / w.sum()
    total = 0.0
    for k in range(2):
        mean = (k + 1) * np.asarray(z[:2], dtype=np.float64)
        mean = mean + np.array([0.5 * s[0], 0.0])
        std = np.ones(2) if log_std is None else np.exp(log_std[2 * k : 2 * k + 2])
        total += w[k] * gauss_pdf(delta, mean, std)
    return total


def test_mixture_log_prob_matches_densities() -> None:
    rng = np.random.default_rng(0)
    y, means, log_std, logits = rng.normal(size=2), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)) * 0.3, rng.normal(size=3)
    p = np.exp(logits) / np.exp(logits).sum()
    direct = math.log(sum(p[k] * gauss_pdf(y, means[k], np.exp(log_std[k])) for k in range(3)))
    got = mixture_log_prob(*(torch.as_tensor(a, dtype=torch.float64) for a in (y, logits, means, log_std)))
    assert float(got) == pytest.approx(direct, rel=1e-9)


@pytest.mark.parametrize("probs", [None, [0.1, 0.2, 0.3, 0.4]])
def test_exact_categorical_marginal(probs: list[float] | None) -> None:
    prior = CategoricalPrior(4, probs)
    model = hand_made_model(prior, n_alternatives=None)
    layout = model.layout
    s = np.array([[0.4, -1.0, 2.0], [1.2, 0.3, -0.5]], dtype=np.float32)
    skills = [2, 0]
    delta = np.array([[1.1, 0.2], [-0.3, 0.9]], dtype=np.float32)
    obs = layout.join(s, skills)
    next_s = s.copy()
    next_s[:, :2] += delta
    next_obs = layout.join(next_s, skills)
    got = model.reward(obs, next_obs)
    p = prior.probs
    for i in range(2):
        onehots = np.eye(4)
        q = direct_q(delta[i].astype(np.float64), s[i], onehots[skills[i]])
        marginal = sum(p[j] * direct_q(delta[i].astype(np.float64), s[i], onehots[j]) for j in range(4))
        assert got[i] == pytest.approx(math.log(q) - math.log(marginal), abs=1e-5)


@pytest.mark.parametrize("learn_variance", [False, True])
def test_sampled_alternatives_match_formula(monkeypatch: pytest.MonkeyPatch, learn_variance: bool) -> None:
    """r = log q(d|s,z) - log(q(d|s,z) + sum_i q(d|s,z_i)) + log(L + 1), with L fixed alternatives."""
    prior = UniformPrior(2)
    n_alt = 3
    model = hand_made_model(prior, n_alternatives=n_alt, learn_variance=learn_variance)
    layout = model.layout
    s = np.array([[0.4, -1.0, 2.0], [1.2, 0.3, -0.5]], dtype=np.float32)
    z = np.array([[0.5, -0.5], [-0.9, 0.1]], dtype=np.float32)
    alternatives = np.array([[[0.1, 0.2], [-0.7, 0.9], [0.5, -0.5]], [[0.0, 0.0], [1.0, 1.0], [-1.0, 0.3]]], dtype=np.float32)
    monkeypatch.setattr(model, "_alternatives", lambda batch, generator=None: torch.as_tensor(alternatives))
    delta = np.array([[0.8, -0.4], [-1.5, 0.6]], dtype=np.float32)
    next_s = s.copy()
    next_s[:, :2] += delta
    got = model.reward(layout.join(s, z), layout.join(next_s, z))
    log_std = np.array([0.1, -0.3, 0.2, 0.0]) if learn_variance else None
    for i in range(2):
        d = delta[i].astype(np.float64)
        q = direct_q(d, s[i], z[i], log_std)
        alt = [direct_q(d, s[i], alternatives[i, j], log_std) for j in range(n_alt)]
        expected = math.log(q) - math.log(q + sum(alt)) + math.log(n_alt + 1)
        assert got[i] == pytest.approx(expected, abs=1e-5)


def test_skill_only_dynamics_against_a_direct_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    """``input_features=[]`` (the reference's x-y prior): q(delta | z), whatever the state; Eq. 6 on top of it."""
    layout = SkillLayout(STATE, UniformPrior(2))
    model = DADSReward(
        layout, features=[0, 1], input_features=[], n_experts=2, net_arch=[], n_alternatives=3, normalize=False, device="cpu"
    )
    assert model.input_dim == 0 and model.config()["input_features"] == []
    with torch.no_grad():  # the hand-made model's heads without the state's column: mean_k = (k + 1) z
        w = torch.zeros(4, 2)
        for k in range(2):
            for d in range(2):
                w[2 * k + d, d] = k + 1.0
        model.mean_head.weight.copy_(w)
        model.mean_head.bias.zero_()
        model.logit_head.weight.zero_()
        model.logit_head.bias.copy_(torch.tensor([0.3, -0.2]))
    alternatives = np.array([[[0.1, 0.2], [-0.7, 0.9], [0.5, -0.5]]] * 2, dtype=np.float32)
    monkeypatch.setattr(model, "_alternatives", lambda batch, generator=None: torch.as_tensor(alternatives[:batch]))
    z = np.array([[0.5, -0.5], [0.5, -0.5]], dtype=np.float32)
    s = np.array([[0.4, -1.0, 2.0], [-7.0, 5.0, 2.0]], dtype=np.float32)  # two positions, the same skill and change
    delta = np.array([0.8, -0.4], dtype=np.float32)
    got = model.reward(layout.join(s, z), layout.join(s + np.r_[delta, 0.0], z))
    zero = np.zeros(3)  # direct_q's 0.5 * s_0 term vanishes at s_0 = 0: the skill-only model
    q = direct_q(delta.astype(np.float64), zero, z[0])
    alt = [direct_q(delta.astype(np.float64), zero, a) for a in alternatives[0]]
    expected = math.log(q) - math.log(q + sum(alt)) + math.log(4)
    assert got[0] == pytest.approx(expected, abs=1e-5) and got[1] == pytest.approx(expected, abs=1e-5)
    model.normalize = True
    model.update(layout.join(s, z), layout.join(s + np.r_[delta, 0.0], z))  # trains with nothing to normalise
    assert int(model.input_norm.count) == 0 and int(model.target_norm.count) == 1


def test_sampled_reward_is_bounded_and_alternatives_follow_prior() -> None:
    model = hand_made_model(GaussianPrior(2), n_alternatives=50)
    alts = model._alternatives(2000).numpy()
    assert alts.shape == (2000, 50, 2)
    assert abs(alts.mean()) < 0.02 and abs(alts.std() - 1) < 0.02
    uniform = hand_made_model(UniformPrior(2, low=-1.0, high=1.0), n_alternatives=7)
    u = uniform._alternatives(500).numpy()
    assert u.min() >= -1 and u.max() <= 1 and abs(u.mean()) < 0.05
    layout = uniform.layout
    rng = np.random.default_rng(0)
    s = rng.normal(size=(64, 3)).astype(np.float32)
    z = rng.uniform(-1, 1, size=(64, 2)).astype(np.float32)
    r = uniform.reward(layout.join(s, z), layout.join(s + rng.normal(size=(64, 3)).astype(np.float32), z))
    assert np.all(r <= math.log(8) + 1e-5) and np.all(np.isfinite(r))


def test_stable_for_far_apart_densities() -> None:
    """Densities that underflow float32 still give a finite reward (log-sum-exp), near log(L + 1) when z explains it."""
    model = hand_made_model(UniformPrior(2), n_alternatives=4)
    layout = model.layout
    s = np.zeros((1, 3), dtype=np.float32)
    z = np.array([[1.0, 1.0]], dtype=np.float32)
    # the change equals expert 1's mean for z, 30+ standard deviations away from the other skills' predictions
    delta = np.array([[40.0, 40.0]], dtype=np.float32)
    with torch.no_grad():
        model.mean_head.weight.mul_(20.0)
    r = model.reward(layout.join(s, z), layout.join(s + np.pad(delta, ((0, 0), (0, 1))), z))
    assert np.isfinite(r).all()


def test_training_raises_log_likelihood() -> None:
    layout = SkillLayout(STATE, UniformPrior(2))
    torch.manual_seed(0)
    model = DADSReward(layout, features=[0, 1], net_arch=[32, 32], n_alternatives=8, learning_rate=3e-3, device="cpu")
    rng = np.random.default_rng(0)
    s = rng.normal(size=(256, 3)).astype(np.float32)
    z = rng.uniform(-1, 1, size=(256, 2)).astype(np.float32)
    nxt = s.copy()
    nxt[:, :2] += 0.5 * z + 0.01 * rng.normal(size=(256, 2)).astype(np.float32)
    obs, next_obs = layout.join(s, z), layout.join(nxt, z)
    reward_before = float(model.reward(obs, next_obs).mean())
    first = model.update(obs, next_obs)["log_likelihood"]
    for _ in range(150):
        last = model.update(obs, next_obs)["log_likelihood"]
    # unit-variance experts in normalised units: a perfect prediction scores -log(2 pi) for two features
    assert last > first + 0.5
    assert last > -math.log(2 * math.pi) - 0.05
    # and the skills are now told apart better (unit variance keeps the reward well below its bound log(L + 1))
    assert float(model.reward(obs, next_obs).mean()) > reward_before + 0.3


def test_normalisation_statistics_follow_data() -> None:
    layout = SkillLayout(STATE, UniformPrior(2))
    model = DADSReward(layout, features=[0, 1], net_arch=[8], n_alternatives=2, device="cpu")
    rng = np.random.default_rng(1)
    s = (5 + 2 * rng.normal(size=(512, 3))).astype(np.float32)
    nxt = s + np.float32(3.0)
    z = rng.uniform(-1, 1, size=(512, 2)).astype(np.float32)
    model.update(layout.join(s, z), layout.join(nxt, z))
    assert model.input_norm.mean.numpy() == pytest.approx(s[:, :2].mean(0), abs=1e-4)
    assert model.target_norm.mean.numpy() == pytest.approx([3.0, 3.0], abs=1e-4)


def test_bad_input() -> None:
    layout = SkillLayout(STATE, UniformPrior(2))
    with pytest.raises(ValueError, match="n_alternatives"):
        DADSReward(layout, n_alternatives=0)
    with pytest.raises(ValueError, match="n_alternatives"):
        DADSReward(layout, n_alternatives=None)  # continuous skills need L
    with pytest.raises(ValueError, match="features has indices \\[3\\] outside the observation"):
        DADSReward(layout, features=[0, 3], n_alternatives=4)
    with pytest.raises(ValueError, match="input_features has indices \\[-1\\]"):
        DADSReward(layout, features=[0], input_features=[-1], n_alternatives=4)
    with pytest.raises(ValueError, match="n_experts"):
        DADSReward(layout, n_experts=0, n_alternatives=4)
    model = DADSReward(layout, net_arch=[8], n_alternatives=4)
    obs = np.zeros((2, 5), dtype=np.float32)
    bad = obs.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="next_obs contains NaN"):
        model.reward(obs, bad)


def test_scoring_in_chunks_changes_nothing() -> None:
    model = hand_made_model(CategoricalPrior(4), n_alternatives=None)
    layout = model.layout
    rng = np.random.default_rng(0)
    s = rng.normal(size=(50, 3)).astype(np.float32)
    skills = rng.integers(0, 4, size=50)
    obs, next_obs = layout.join(s, skills), layout.join(s + rng.normal(size=(50, 3)).astype(np.float32), skills)
    whole = model.reward(obs, next_obs)
    model.score_chunk_rows = 12  # 2 transitions x 5 terms per pass
    assert np.allclose(model.reward(obs, next_obs), whole, atol=1e-6)


@pytest.mark.parametrize("learn_variance", [False, True])
@pytest.mark.parametrize("n_alternatives", [None, 5])
def test_fast_scoring_equals_log_prob(
    monkeypatch: pytest.MonkeyPatch, learn_variance: bool, n_alternatives: int | None
) -> None:
    """The reward's one-pass scoring gives the numbers of ``log_prob`` (the model's plain forward) fed to the formula,
    with hidden layers, normalisation statistics that are not the identity, and several chunks."""
    prior: object = CategoricalPrior(4, [0.1, 0.2, 0.3, 0.4]) if n_alternatives is None else UniformPrior(2)
    layout = SkillLayout(STATE, prior)  # type: ignore[arg-type]
    torch.manual_seed(0)
    model = DADSReward(
        layout,
        features=[0, 1],
        input_features=[0, 1, 2],
        net_arch=[16, 8],
        n_alternatives=n_alternatives,
        learn_variance=learn_variance,
        device="cpu",
    )
    rng = np.random.default_rng(0)
    n = 23
    s = (3 + 2 * rng.normal(size=(n, 3))).astype(np.float32)
    if n_alternatives is None:
        skills: np.ndarray = rng.integers(0, 4, size=n)
    else:
        skills = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
    obs = layout.join(s, skills)
    next_obs = layout.join(s + rng.normal(size=(n, 3)).astype(np.float32), skills)
    model.update(obs, next_obs)  # sets the running statistics and moves the weights
    obs_t, next_t = torch.as_tensor(obs), torch.as_tensor(next_obs)
    state, delta = model.input_state(obs_t), model.target_delta(obs_t, next_t)
    z = layout.skill_encoding(obs_t).float()
    if n_alternatives is None:
        z_alt = torch.eye(4).expand(n, 4, 4)
    else:
        z_alt = torch.as_tensor(rng.uniform(-1, 1, size=(n, n_alternatives, 2)).astype(np.float32))
        monkeypatch.setattr(model, "_alternatives", lambda batch, generator=None: z_alt)
    with torch.no_grad():
        log_q = model.log_prob(state, z, delta).double()
        m = z_alt.shape[1]
        log_q_alt = model.log_prob(state.unsqueeze(1).expand(n, m, 3), z_alt, delta.unsqueeze(1).expand(n, m, 2)).double()
    if n_alternatives is None:
        expected = log_q - torch.logsumexp(log_q_alt + torch.log(torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64)), -1)
    else:
        expected = log_q - torch.logsumexp(torch.cat([log_q[:, None], log_q_alt], 1), -1) + math.log(m + 1)
    model.score_chunk_rows = 3 * (m + 1)  # 3 transitions per pass: several chunks, the last one partial
    assert np.allclose(model.reward(obs, next_obs), expected.numpy(), atol=1e-5)
