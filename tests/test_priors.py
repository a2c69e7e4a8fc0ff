"""Tests of :mod:`hrl_wrappers.priors`: sampling, encoding and log-densities against direct formulas; validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hrl_wrappers.priors import CategoricalPrior, GaussianPrior, UniformPrior, make_prior

# ------------------------------------------------------------------------------------------------ categorical


def test_categorical_sample_matches_generator_choice() -> None:
    probs = [0.1, 0.2, 0.3, 0.4]
    prior = CategoricalPrior(4, probs)
    draw = prior.sample(np.random.default_rng(7))
    assert isinstance(draw, int)
    assert draw == int(np.random.default_rng(7).choice(4, p=probs))
    batch = prior.sample(np.random.default_rng(3), size=5000)
    assert batch.shape == (5000,) and batch.dtype == np.int64
    np.testing.assert_array_equal(batch, np.random.default_rng(3).choice(4, size=5000, p=probs))
    freqs = np.bincount(batch, minlength=4) / 5000
    np.testing.assert_allclose(freqs, probs, atol=0.03)


def test_categorical_uniform_by_default() -> None:
    prior = CategoricalPrior(5)
    np.testing.assert_allclose(prior.probs, np.full(5, 0.2))
    for z in range(5):
        assert float(prior.log_prob(z)) == pytest.approx(math.log(1 / 5))


def test_categorical_encode_decode() -> None:
    prior = CategoricalPrior(4)
    for z in range(4):
        enc = prior.encode(z)
        expected = np.zeros(4, np.float32)
        expected[z] = 1.0
        np.testing.assert_array_equal(enc, expected)
        assert enc.dtype == np.float32
        assert prior.decode(enc) == z
    zs = np.array([3, 0, 2, 2, 1])
    enc = prior.encode(zs)
    assert enc.shape == (5, 4)
    np.testing.assert_array_equal(enc.argmax(-1), zs)
    np.testing.assert_array_equal(enc.sum(-1), np.ones(5))
    np.testing.assert_array_equal(prior.decode(enc), zs)
    assert prior.encoding_space.contains(prior.encode(1))


def test_categorical_log_prob_non_uniform() -> None:
    probs = [0.5, 0.3, 0.2]
    prior = CategoricalPrior(3, probs)
    zs = np.array([2, 0, 1, 2])
    np.testing.assert_allclose(prior.log_prob(zs), [math.log(probs[z]) for z in zs])


@pytest.mark.parametrize("bad", [3, -1, 10])
def test_categorical_skill_out_of_range(bad: int) -> None:
    prior = CategoricalPrior(3)
    with pytest.raises(ValueError, match=r"skill must be in \[0, 3\)"):
        prior.validate(bad)
    with pytest.raises(ValueError, match=r"options\['skill'\]"):
        prior.validate(bad, "options['skill']")


@pytest.mark.parametrize("bad", [1.0, 0.5, np.array([1.0, 0.0, 0.0]), np.array([1]), True, "1", None])
def test_categorical_rejects_non_integer_skill(bad: object) -> None:
    with pytest.raises(ValueError, match="skill must be an int"):
        CategoricalPrior(3).validate(bad)


def test_categorical_validate_accepts_integers() -> None:
    prior = CategoricalPrior(3)
    for z in (0, np.int64(2), np.array(1)):
        out = prior.validate(z)
        assert type(out) is int and out == int(z)


@pytest.mark.parametrize("n_skills", [1, 0, -3, 2.0, True])
def test_categorical_needs_two_skills(n_skills: object) -> None:
    with pytest.raises(ValueError, match="n_skills"):
        CategoricalPrior(n_skills)  # type: ignore[arg-type]


@pytest.mark.parametrize("probs", [[0.5, 0.5], [0.5, 0.6, -0.1], [0.2, 0.2, 0.2], [0.0, 0.5, 0.5], [np.nan, 0.5, 0.5]])
def test_categorical_bad_probs(probs: list[float]) -> None:
    with pytest.raises(ValueError, match="probs"):
        CategoricalPrior(3, probs)


# ------------------------------------------------------------------------------------------------ continuous


def test_uniform_sample_encode_log_prob() -> None:
    prior = UniformPrior(3, low=-2.0, high=0.5)
    z = prior.sample(np.random.default_rng(11))
    np.testing.assert_array_equal(z, np.random.default_rng(11).uniform(-2.0, 0.5, size=(3,)).astype(np.float32))
    assert z.dtype == np.float32 and z.shape == (3,)
    batch = prior.sample(np.random.default_rng(1), size=1000)
    assert batch.shape == (1000, 3)
    assert batch.min() >= -2.0 and batch.max() <= 0.5
    np.testing.assert_array_equal(prior.encode(z), z)
    np.testing.assert_array_equal(prior.decode(prior.encode(batch)), batch)
    assert prior.encoding_space.contains(z)
    expected = -3 * math.log(0.5 - (-2.0))
    assert float(prior.log_prob(z)) == pytest.approx(expected)
    np.testing.assert_allclose(prior.log_prob(batch), np.full(1000, expected))
    outside = np.array([[0.0, 0.0, 0.6], [-2.1, 0.0, 0.0]])
    assert np.all(np.isneginf(prior.log_prob(outside)))


def test_gaussian_sample_encode_log_prob() -> None:
    prior = GaussianPrior(2)
    z = prior.sample(np.random.default_rng(5))
    np.testing.assert_array_equal(z, np.random.default_rng(5).standard_normal(size=(2,)).astype(np.float32))
    batch = np.array([[0.0, 0.0], [1.0, -2.0], [0.3, 0.7]])

    def normal_log_pdf(x: float) -> float:
        return math.log(math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))

    expected = [sum(normal_log_pdf(x) for x in row) for row in batch]
    np.testing.assert_allclose(prior.log_prob(batch), expected, rtol=1e-10)
    np.testing.assert_array_equal(prior.encode(batch.astype(np.float32)), batch.astype(np.float32))
    big = prior.sample(np.random.default_rng(0), size=20000)
    np.testing.assert_allclose(big.mean(0), [0, 0], atol=0.03)
    np.testing.assert_allclose(big.std(0), [1, 1], atol=0.03)


@pytest.mark.parametrize("prior", [UniformPrior(2), GaussianPrior(2)], ids=["uniform", "gaussian"])
def test_continuous_rejects_integer_skill(prior: UniformPrior | GaussianPrior) -> None:
    for bad in (1, np.int64(0)):
        with pytest.raises(ValueError, match=r"skill must be a float vector.*integer"):
            prior.validate(bad)


@pytest.mark.parametrize("prior", [UniformPrior(2), GaussianPrior(2)], ids=["uniform", "gaussian"])
@pytest.mark.parametrize("bad", [[0.1], [0.1, 0.2, 0.3], [[0.1, 0.2]], 0.5])
def test_continuous_wrong_shape(prior: UniformPrior | GaussianPrior, bad: object) -> None:
    with pytest.raises(ValueError, match=r"skill must have shape \(2,\)"):
        prior.validate(bad)


@pytest.mark.parametrize("prior", [UniformPrior(2), GaussianPrior(2)], ids=["uniform", "gaussian"])
@pytest.mark.parametrize("bad", [[np.nan, 0.0], [0.0, np.inf]])
def test_continuous_non_finite(prior: UniformPrior | GaussianPrior, bad: list[float]) -> None:
    with pytest.raises(ValueError, match="z_arg must be finite"):
        prior.validate(bad, "z_arg")


def test_continuous_non_numeric() -> None:
    with pytest.raises(ValueError, match="skill must be a float vector"):
        GaussianPrior(2).validate(["a", "b"])


def test_uniform_out_of_box() -> None:
    prior = UniformPrior(2, low=0.0, high=1.0)
    with pytest.raises(ValueError, match=r"skill must lie in \[0.0, 1.0\]"):
        prior.validate([0.5, 1.5])
    out = prior.validate([0.5, 1.0])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [0.5, 1.0])
    # a Gaussian skill may be anywhere
    np.testing.assert_array_equal(GaussianPrior(2).validate([50.0, -3.0]), np.float32([50.0, -3.0]))


@pytest.mark.parametrize("skill_dim", [0, -1, 1.5, True])
def test_skill_dim_at_least_one(skill_dim: object) -> None:
    for cls in (UniformPrior, GaussianPrior):
        with pytest.raises(ValueError, match="skill_dim"):
            cls(skill_dim)  # type: ignore[arg-type]


@pytest.mark.parametrize(("low", "high"), [(1.0, 1.0), (1.0, -1.0), (-np.inf, 1.0), (0.0, np.nan)])
def test_uniform_bad_bounds(low: float, high: float) -> None:
    with pytest.raises(ValueError, match="low and high"):
        UniformPrior(2, low, high)


# ------------------------------------------------------------------------------------------------ make_prior


@pytest.mark.parametrize(
    "prior",
    [CategoricalPrior(3), CategoricalPrior(2, [0.25, 0.75]), UniformPrior(2, -0.5, 2.0), GaussianPrior(4)],
    ids=repr,
)
def test_make_prior_round_trips_config(prior: object) -> None:
    rebuilt = make_prior(**prior.config())  # type: ignore[attr-defined]
    assert type(rebuilt) is type(prior)
    assert rebuilt == prior and hash(rebuilt) == hash(prior)
    assert rebuilt.config() == prior.config()  # type: ignore[attr-defined]


def test_make_prior_errors() -> None:
    with pytest.raises(ValueError, match=r"n_skills.*skill_dim"):
        make_prior()
    with pytest.raises(ValueError, match=r"n_skills.*skill_dim"):
        make_prior(n_skills=3, skill_dim=2)
    with pytest.raises(ValueError, match="distribution"):
        make_prior(skill_dim=2, distribution="laplace")
    with pytest.raises(ValueError, match="n_skills"):
        make_prior(n_skills=1)
    assert make_prior(n_skills=3) != make_prior(n_skills=4)
    assert make_prior(skill_dim=2) != make_prior(skill_dim=2, distribution="gaussian")
