"""The Option-Critic policy: a critic over options, terminations, intra-option policies and a policy over options.

:class:`OptionCriticPolicy` owns every network of the option-critic architecture (Bacon, Harb & Precup, 2017):

* ``Q(s, w)``: the option-value critic, one output per option (``q_net``);
* ``beta_w(s)``: sigmoid termination probabilities, one per option (``termination_net``);
* ``pi_w(a | s)``: intra-option policies, softmax over ``Discrete`` actions or a diagonal Gaussian over ``Box`` actions
  (one mean head per option, one state-independent log-std row per option);
* the policy over options: epsilon-greedy over ``Q(s, .)`` (the paper's), a softmax over ``Q(s, .) / temperature``, or a
  learned softmax ``pi_Omega(w | s)`` (``option_net``, PPOC's policy over options, trained by its own policy gradient with
  an entropy bonus).

The critic has its own body (``net_arch["vf"]``); terminations and intra-option policies share the actor body
(``net_arch["pi"]``); both sit on one features extractor. :meth:`OptionCriticPolicy.predict` carries the current
option of every environment in ``state``, as sb3-contrib's recurrent policies carry their LSTM state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor, FlattenExtractor, create_mlp
from stable_baselines3.common.type_aliases import PyTorchObs, Schedule
from torch import nn
from torch.distributions import Categorical, Distribution, Independent, Normal

__all__ = ["OPTION_SELECTIONS", "OptionCriticPolicy", "OptionHeads"]

#: the policies over options :class:`OptionCriticPolicy` offers.
OPTION_SELECTIONS = ("epsilon_greedy", "softmax", "learned")


@dataclass
class OptionHeads:
    """Every head of :class:`OptionCriticPolicy` on a batch of observations.

    :param q_values: ``Q(s, w)``, shape ``(batch, n_options)``.
    :param terminations: ``beta_w(s)``, shape ``(batch, n_options)``.
    :param action_params: logits ``(batch, n_options, n_actions)`` for ``Discrete`` actions, Gaussian means
        ``(batch, n_options, action_dim)`` for ``Box`` actions.
    :param option_logits: logits of the learned policy over options ``pi_Omega(. | s)``, shape ``(batch, n_options)``
        (``None`` unless ``option_selection="learned"``).
    """

    q_values: th.Tensor
    terminations: th.Tensor
    action_params: th.Tensor
    option_logits: th.Tensor | None = None


def check_action_space(action_space: spaces.Space) -> None:
    """Raise a ``ValueError`` naming ``action_space`` unless it is ``Discrete`` or a 1-D ``Box``."""
    if isinstance(action_space, spaces.Discrete):
        return
    if isinstance(action_space, spaces.Box) and len(action_space.shape) == 1:
        return
    raise ValueError(
        f"action_space must be Discrete or a 1-D Box (intra-option policies are softmax or Gaussian), got {action_space}"
    )


def check_observation_space(observation_space: spaces.Space) -> None:
    """Raise a ``ValueError`` naming ``observation_space`` unless it is a ``Box`` or ``Discrete`` space."""
    if not isinstance(observation_space, spaces.Box | spaces.Discrete):
        raise ValueError(
            f"observation_space must be a Box or Discrete space (flatten Dict observations first), got {observation_space}"
        )


class OptionCriticPolicy(BasePolicy):
    """Policy of :class:`~agents.OptionCritic`: option critic, terminations, intra-option policies, policy over options.

    :param observation_space: a ``Box`` or ``Discrete`` observation space.
    :param action_space: a ``Discrete`` or 1-D ``Box`` action space.
    :param lr_schedule: learning-rate schedule (the optimizer's initial learning rate is ``lr_schedule(1)``).
    :param n_options: number of options (>= 1).
    :param net_arch: hidden layers, one list for both bodies or ``{"pi": [...], "vf": [...]}`` (default ``[64, 64]``).
    :param activation_fn: activation of the hidden layers.
    :param option_selection: ``"epsilon_greedy"`` over ``Q(s, .)``, ``"softmax"`` over ``Q(s, .) / option_temperature``,
        or ``"learned"``: a softmax policy over options with its own head on the actor body (``option_net``), trained by
        the algorithm (``option_ent_coef``); ``V(s)`` is then ``sum_w pi_Omega(w | s) Q(s, w)``.
    :param option_epsilon: probability of a uniformly random option (``epsilon_greedy``), in ``[0, 1]``.
    :param option_temperature: temperature of the ``softmax`` policy over options (> 0).
    :param log_std_init: initial log standard deviation of the Gaussian intra-option policies (``Box`` actions).
    :param features_extractor_class: features extractor (default: flatten; ``Discrete`` observations become one-hot).
    :param features_extractor_kwargs: its keyword arguments.
    :param normalize_images: divide image observations by 255.
    :param optimizer_class: optimizer of all the parameters.
    :param optimizer_kwargs: its keyword arguments.

    Example:
        >>> import torch as th
        >>> from gymnasium import spaces
        >>> policy = OptionCriticPolicy(spaces.Box(-1, 1, (3,)), spaces.Discrete(2), lambda _: 1e-3, n_options=4)
        >>> heads = policy.heads(th.zeros(5, 3))
        >>> tuple(heads.q_values.shape), tuple(heads.terminations.shape), tuple(heads.action_params.shape)
        ((5, 4), (5, 4), (5, 4, 2))
        >>> action, state = policy.predict(np.zeros(3, dtype=np.float32))
        >>> state.shape, 0 <= int(state[0]) < 4
        ((1,), True)
    """

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        lr_schedule: Schedule,
        n_options: int = 4,
        net_arch: list[int] | dict[str, list[int]] | None = None,
        activation_fn: type[nn.Module] = nn.Tanh,
        option_selection: str = "epsilon_greedy",
        option_epsilon: float = 0.05,
        option_temperature: float = 1.0,
        log_std_init: float = 0.0,
        features_extractor_class: type[BaseFeaturesExtractor] = FlattenExtractor,
        features_extractor_kwargs: dict[str, Any] | None = None,
        normalize_images: bool = True,
        optimizer_class: type[th.optim.Optimizer] = th.optim.Adam,
        optimizer_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(n_options, bool) or not isinstance(n_options, int | np.integer) or n_options < 1:
            raise ValueError(f"n_options must be an integer >= 1, got {n_options!r}")
        check_observation_space(observation_space)
        check_action_space(action_space)
        if option_selection not in OPTION_SELECTIONS:
            raise ValueError(f"option_selection must be one of {list(OPTION_SELECTIONS)}, got {option_selection!r}")
        if not 0.0 <= float(option_epsilon) <= 1.0:
            raise ValueError(f"option_epsilon must be in [0, 1], got {option_epsilon!r}")
        if not float(option_temperature) > 0.0:
            raise ValueError(f"option_temperature must be > 0, got {option_temperature!r}")
        super().__init__(
            observation_space,
            action_space,
            features_extractor_class,
            features_extractor_kwargs,
            normalize_images=normalize_images,
            optimizer_class=optimizer_class,
            optimizer_kwargs=optimizer_kwargs,
        )
        if net_arch is None:
            net_arch = [64, 64]
        if isinstance(net_arch, dict):
            pi_arch, vf_arch = list(net_arch.get("pi", [])), list(net_arch.get("vf", []))
        else:
            pi_arch, vf_arch = list(net_arch), list(net_arch)
        self.n_options = int(n_options)
        self.net_arch = net_arch
        self.activation_fn = activation_fn
        self.option_selection = option_selection
        self.option_epsilon = float(option_epsilon)
        self.option_temperature = float(option_temperature)
        self.log_std_init = float(log_std_init)
        self.discrete_actions = isinstance(action_space, spaces.Discrete)
        self.action_dim = int(action_space.n) if isinstance(action_space, spaces.Discrete) else int(action_space.shape[0])  # type: ignore[index]

        self.features_extractor = self.make_features_extractor()
        features_dim = self.features_extractor.features_dim
        self.critic_body = nn.Sequential(*create_mlp(features_dim, -1, vf_arch, activation_fn))
        self.actor_body = nn.Sequential(*create_mlp(features_dim, -1, pi_arch, activation_fn))
        latent_vf = vf_arch[-1] if vf_arch else features_dim
        latent_pi = pi_arch[-1] if pi_arch else features_dim
        self.q_net = nn.Linear(latent_vf, self.n_options)
        self.termination_net = nn.Linear(latent_pi, self.n_options)
        self.action_net = nn.Linear(latent_pi, self.n_options * self.action_dim)
        self.option_net: nn.Linear | None = None
        if option_selection == "learned":
            self.option_net = nn.Linear(latent_pi, self.n_options)
        self.log_std: nn.Parameter | None = None
        if not self.discrete_actions:
            self.log_std = nn.Parameter(th.full((self.n_options, self.action_dim), self.log_std_init))
        for module, gain in (
            (self.critic_body, np.sqrt(2)),
            (self.actor_body, np.sqrt(2)),
            (self.q_net, 1.0),
            (self.termination_net, 0.01),
            (self.action_net, 0.01),
            *(((self.option_net, 0.01),) if self.option_net is not None else ()),
        ):
            module.apply(partial(self.init_weights, gain=gain))
        self.optimizer = self.optimizer_class(self.parameters(), lr=lr_schedule(1), **self.optimizer_kwargs)  # type: ignore[call-arg]

    def _get_constructor_parameters(self) -> dict[str, Any]:
        data = super()._get_constructor_parameters()
        data.update(
            n_options=self.n_options,
            net_arch=self.net_arch,
            activation_fn=self.activation_fn,
            option_selection=self.option_selection,
            option_epsilon=self.option_epsilon,
            option_temperature=self.option_temperature,
            log_std_init=self.log_std_init,
            features_extractor_class=self.features_extractor_class,
            features_extractor_kwargs=self.features_extractor_kwargs,
        )
        return data

    # ------------------------------------------------------------------------------------------------ heads
    def heads(self, obs: PyTorchObs) -> OptionHeads:
        """``Q(s, .)``, ``beta_.(s)`` and the intra-option action parameters of every option on ``obs``."""
        features = self.extract_features(obs, self.features_extractor)
        latent_pi = self.actor_body(features)
        q_values = self.q_net(self.critic_body(features))
        terminations = th.sigmoid(self.termination_net(latent_pi))
        action_params = self.action_net(latent_pi).view(-1, self.n_options, self.action_dim)
        option_logits = None if self.option_net is None else self.option_net(latent_pi)
        return OptionHeads(q_values, terminations, action_params, option_logits)

    def q_values(self, obs: PyTorchObs) -> th.Tensor:
        """``Q(s, .)``, shape ``(batch, n_options)``."""
        return self.q_net(self.critic_body(self.extract_features(obs, self.features_extractor)))

    def terminations(self, obs: PyTorchObs) -> th.Tensor:
        """``beta_.(s)``, shape ``(batch, n_options)``."""
        latent_pi = self.actor_body(self.extract_features(obs, self.features_extractor))
        return th.sigmoid(self.termination_net(latent_pi))

    def option_distribution(self, action_params: th.Tensor, options: th.Tensor) -> Distribution:
        """The intra-option policy ``pi_w(. | s)`` of option ``options[i]`` on row ``i`` (a batch distribution)."""
        index = options.long().view(-1, 1, 1).expand(-1, 1, self.action_dim)
        params = action_params.gather(1, index).squeeze(1)
        if self.discrete_actions:
            return Categorical(logits=params, validate_args=False)
        assert self.log_std is not None
        std = self.log_std[options.long()].exp()
        return Independent(Normal(params, std, validate_args=False), 1, validate_args=False)

    def option_values(self, q_values: th.Tensor, option_logits: th.Tensor | None = None) -> th.Tensor:
        """``V(s)``: ``max_w Q(s, w)`` (epsilon-greedy, as in the paper) or ``E_pi[Q(s, w)]`` (softmax, learned)."""
        if self.option_selection == "learned":
            if option_logits is None:
                raise ValueError("option_logits must be given when option_selection='learned'")
            return (th.softmax(option_logits, dim=-1) * q_values).sum(-1)
        if self.option_selection == "softmax":
            probs = th.softmax(q_values / self.option_temperature, dim=-1)
            return (probs * q_values).sum(-1)
        return q_values.max(-1).values

    def select_options(
        self,
        q_values: th.Tensor,
        deterministic: bool = False,
        epsilon: float | None = None,
        option_logits: th.Tensor | None = None,
    ) -> th.Tensor:
        """Sample options from the policy over options (``deterministic``: the greedy one).

        With ``option_selection="learned"`` the options come from ``option_logits`` (``epsilon`` is not used).
        """
        if self.option_selection == "learned":
            if option_logits is None:
                raise ValueError("option_logits must be given when option_selection='learned'")
            if deterministic:
                return option_logits.argmax(-1)
            return Categorical(logits=option_logits, validate_args=False).sample()
        greedy = q_values.argmax(-1)
        if deterministic:
            return greedy
        if self.option_selection == "softmax":
            return Categorical(logits=q_values / self.option_temperature, validate_args=False).sample()
        eps = self.option_epsilon if epsilon is None else float(epsilon)
        random = th.randint(self.n_options, greedy.shape, device=q_values.device)
        explore = th.rand(greedy.shape, device=q_values.device) < eps
        return th.where(explore, random, greedy)

    def select_options_numpy(
        self, q_values: np.ndarray, epsilon: float | None = None, option_logits: np.ndarray | None = None
    ) -> np.ndarray:
        """:meth:`select_options` (not deterministic) on numpy arrays of option values (and logits), without torch."""
        if self.option_selection in ("softmax", "learned"):
            if self.option_selection == "learned":
                if option_logits is None:
                    raise ValueError("option_logits must be given when option_selection='learned'")
                z = option_logits
            else:
                z = q_values / self.option_temperature
            probs = np.exp(z - z.max(axis=-1, keepdims=True))
            cumulative = np.cumsum(probs / probs.sum(axis=-1, keepdims=True), axis=-1)
            u = np.random.random((len(q_values), 1))
            return np.minimum((cumulative < u).sum(axis=-1), self.n_options - 1).astype(np.int64)
        eps = self.option_epsilon if epsilon is None else float(epsilon)
        greedy = q_values.argmax(axis=-1)
        explore = np.random.random(len(q_values)) < eps
        return np.where(explore, np.random.randint(self.n_options, size=len(q_values)), greedy).astype(np.int64)

    def sample_actions(
        self, heads: OptionHeads, options: th.Tensor, deterministic: bool = False
    ) -> tuple[th.Tensor, th.Tensor]:
        """Actions of the intra-option policies of ``options`` and their log-probabilities."""
        if self.discrete_actions:  # the Categorical of option_distribution, without building the object
            index = options.long().view(-1, 1, 1).expand(-1, 1, self.action_dim)
            log_probs = th.log_softmax(heads.action_params.gather(1, index).squeeze(1), dim=-1)
            if deterministic:
                chosen = log_probs.argmax(-1)
            else:
                chosen = th.multinomial(log_probs.exp(), 1).squeeze(1)
            return chosen, log_probs.gather(1, chosen.view(-1, 1)).squeeze(1)
        dist = self.option_distribution(heads.action_params, options)
        if deterministic:
            actions = dist.probs.argmax(-1) if isinstance(dist, Categorical) else dist.mean
        else:
            actions = dist.sample()
        return actions, dist.log_prob(actions)

    # ------------------------------------------------------------------------------------------------ predict
    def forward(self, obs: th.Tensor, deterministic: bool = False) -> th.Tensor:
        """Actions for ``obs`` with freshly chosen options (use :meth:`predict` to keep options across steps)."""
        heads = self.heads(obs)
        options = self.select_options(heads.q_values, deterministic, option_logits=heads.option_logits)
        return self.sample_actions(heads, options, deterministic)[0]

    def _predict(self, observation: PyTorchObs, deterministic: bool = False) -> th.Tensor:
        return self.forward(observation, deterministic)  # type: ignore[arg-type]

    def _check_state(self, state: Any, n_envs: int) -> np.ndarray:
        expected = (
            f"state must be the option array returned by this model's predict: integers in [0, {self.n_options - 1}] "
            f"(n_options={self.n_options}), shape ({n_envs},)"
        )
        if not isinstance(state, np.ndarray) or not np.issubdtype(state.dtype, np.integer):
            kind = type(state).__name__ if not isinstance(state, np.ndarray) else f"an array of dtype {state.dtype}"
            raise ValueError(f"{expected}; got {kind} (a state from another model?)")
        if state.shape != (n_envs,):
            raise ValueError(f"{expected}; got shape {state.shape}")
        if state.size and (state.min() < 0 or state.max() >= self.n_options):
            raise ValueError(f"{expected}; got values in [{state.min()}, {state.max()}] (a state from another model?)")
        return state

    def predict(  # type: ignore[override]
        self,
        observation: np.ndarray | dict[str, np.ndarray],
        state: np.ndarray | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Act with the current options, which travel in ``state`` (one option index per environment).

        At every call the option of each environment ends with probability ``beta_w(s)`` (sampled even with
        ``deterministic``: an option's length is random by definition); a new one is chosen where it ended, where
        ``episode_start`` is true and when ``state`` is ``None``.

        :param observation: one observation or a batch (one per environment).
        :param state: the option array returned by the previous call (``None`` at the start).
        :param episode_start: which environments start an episode (their option is chosen afresh).
        :param deterministic: greedy options and the intra-option policies' modes.
        :return: the actions and the new state (the option of every environment, ``np.int64``).
        """
        actions, options, _ = self.predict_options(observation, state, episode_start, deterministic)
        return actions, options

    def predict_options(
        self,
        observation: np.ndarray | dict[str, np.ndarray],
        state: np.ndarray | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`predict`, plus which environments ended their option (or started one) at this step.

        :return: ``(actions, options, ended)``; ``ended[i]`` is true where a new option was chosen.
        """
        self.set_training_mode(False)
        obs_tensor, vectorized_env = self.obs_to_tensor(observation)
        n_envs = int(obs_tensor.shape[0]) if isinstance(obs_tensor, th.Tensor) else 1
        if episode_start is None:
            starts = np.zeros(n_envs, dtype=bool)
        else:
            starts = np.asarray(episode_start, dtype=bool).reshape(-1)
            if starts.shape != (n_envs,):
                raise ValueError(f"episode_start must have one entry per environment ({n_envs}), got shape {starts.shape}")
        with th.no_grad():
            heads = self.heads(obs_tensor)
            if state is None:
                options = th.zeros(n_envs, dtype=th.long, device=self.device)
                ends = th.ones(n_envs, dtype=th.bool, device=self.device)
            else:
                options = th.as_tensor(self._check_state(state, n_envs), device=self.device).long()
                beta = heads.terminations.gather(1, options.view(-1, 1)).squeeze(1)
                ends = th.rand_like(beta) < beta  # sampled even when deterministic: a termination is stochastic
                ends = ends | th.as_tensor(starts, device=self.device)
            chosen = self.select_options(heads.q_values, deterministic, option_logits=heads.option_logits)
            options = th.where(ends, chosen, options)
            actions_t = self.sample_actions(heads, options, deterministic)[0]
        actions = actions_t.cpu().numpy()
        if isinstance(self.action_space, spaces.Box):
            actions = np.clip(actions, self.action_space.low, self.action_space.high)
        else:
            actions = actions.reshape(-1)
        if not vectorized_env:
            actions = actions.squeeze(axis=0)
        return actions, options.cpu().numpy().astype(np.int64), ends.cpu().numpy()
