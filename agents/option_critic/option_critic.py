"""Option-Critic (Bacon, Harb & Precup, AAAI 2017) as an SB3 on-policy algorithm, with its clipped variant PPOC.

:class:`OptionCritic` learns, from n-step rollouts over vectorised environments (the synchronous "A2OC" form of
Harb et al., 2018), an option-value critic ``Q(s, w)``, sigmoid terminations ``beta_w(s')`` by the termination gradient
with advantage ``Q(s', w) - V(s') + xi (+ deliberation cost)``, and intra-option policies by the intra-option policy
gradient with baseline ``Q(s, w)`` and entropy regularisation. :class:`~agents.option_critic.ppoc.PPOC` (Klissarov et
al., 2017) is the same algorithm with PPO's clipped surrogate, several epochs and minibatches. Option metrics are logged
under ``options/``. The losses themselves are in :mod:`agents.option_critic.losses`.
"""

from __future__ import annotations

import pathlib
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import gymnasium as gym
import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.type_aliases import GymEnv, MaybeCallback, Schedule
from stable_baselines3.common.utils import FloatSchedule, LinearSchedule, obs_as_tensor
from stable_baselines3.common.vec_env import VecEnv

from agents.common.agent_factory import read_checkpoint_data
from agents.common.arguments import check_total_timesteps, copy_user_dicts
from agents.option_critic.buffers import OptionRolloutBuffer
from agents.option_critic.losses import option_critic_losses, option_policy_losses
from agents.option_critic.policies import OptionCriticPolicy, check_action_space, check_observation_space
from hrl_wrappers.sb3.non_finite import with_finite_check

__all__ = ["OptionCritic"]

SelfOptionCritic = TypeVar("SelfOptionCritic", bound="OptionCritic")


def _check_number(name: str, value: Any, low: float, high: float = float("inf"), low_open: bool = False) -> float:
    ok = isinstance(value, int | float | np.number) and not isinstance(value, bool) and not np.isnan(value)
    ok = ok and (value > low if low_open else value >= low) and value <= high and np.isfinite(value)
    if not ok:
        bound = f"> {low}" if low_open else f">= {low}"
        limit = f" and <= {high}" if np.isfinite(high) else ""
        raise ValueError(f"{name} must be a number {bound}{limit}, got {value!r}")
    return float(value)


class OptionCritic(OnPolicyAlgorithm):
    """Option-Critic: options whose policies and terminations are learned end to end by policy gradients.

    Paper: "The Option-Critic Architecture", Bacon, Harb & Precup, AAAI 2017 (https://arxiv.org/abs/1609.05140);
    n-step synchronous updates as A2OC (Harb et al., "When Waiting is Not an Option", AAAI 2018), deliberation cost
    from the same paper; ``clip_range`` gives PPOC (Klissarov et al., 2017, https://arxiv.org/abs/1712.00004).

    Each environment runs option ``w`` until it terminates: at every new state ``s'`` it ends with probability
    ``beta_w(s')`` and the policy over options (epsilon-greedy over ``Q(s', .)``) picks the next one. Per update:

    * critic targets by GAE over options, ``delta = r + gamma U(s', w) - Q(s, w)`` with
      ``U(s', w) = (1 - beta_w(s')) Q(s', w) + beta_w(s') (V(s') - deliberation_cost)``: with ``gae_lambda=0`` the
      paper's target ``r + gamma ((1 - beta) Q(s', w) + beta max Q(s', .))``;
    * intra-option policy gradient ``grad log pi_w(a|s) (G - Q(s, w))`` plus ``ent_coef`` times the entropy;
    * termination gradient: minimise ``beta_w(s') (Q(s', w) - V(s') + termination_reg + deliberation_cost)``.

    :param policy: ``"MlpPolicy"`` or an :class:`OptionCriticPolicy` subclass.
    :param env: a Gymnasium id, an env, or a VecEnv (``Discrete`` or 1-D ``Box`` actions).
    :param n_options: number of options (>= 1).
    :param learning_rate: learning rate (or schedule) of the one optimizer over all heads.
    :param n_steps: steps per environment per update.
    :param gamma: discount factor.
    :param gae_lambda: GAE lambda over options (1.0: n-step returns of the executed options; 0.0: one-step targets).
    :param ent_coef: entropy regularisation of the intra-option policies (0.01 in the paper).
    :param vf_coef: weight of the critic loss.
    :param termination_coef: weight of the termination loss.
    :param option_ent_coef: entropy bonus of the learned policy over options (``option_selection="learned"`` in
        ``policy_kwargs``; not used otherwise).
    :param termination_reg: ``xi`` added to the termination advantage (0.01 in the paper) so options do not shrink.
    :param deliberation_cost: cost of switching options, ``eta``, charged in ``U`` and added to the termination
        advantage (Harb et al., 2018).
    :param max_grad_norm: gradient clipping norm.
    :param n_epochs: passes over each rollout (1 for A2OC).
    :param batch_size: minibatch size (``None``: the whole rollout).
    :param clip_range: PPO clipping of the intra-option ratio (``None``: plain policy gradient, A2OC).
    :param normalize_advantage: normalise intra-option advantages per minibatch.
    :param exploration_initial_eps: epsilon of the policy over options at the start of training (``None``: the
        policy's ``option_epsilon`` throughout).
    :param exploration_final_eps: epsilon after ``exploration_fraction`` of training (``None``: the policy's).
    :param exploration_fraction: fraction of training over which epsilon decays linearly.
    :param n_envs: environments to make when ``env`` is an id.
    :param env_kwargs: ``gym.make`` keyword arguments when ``env`` is an id.
    :param vec_env_cls: ``DummyVecEnv`` (default) or ``SubprocVecEnv`` when ``env`` is an id.
    :param stats_window_size: episodes averaged in the rollout logs.
    :param tensorboard_log: TensorBoard log folder.
    :param policy_kwargs: :class:`OptionCriticPolicy` keyword arguments (``net_arch``, ``option_epsilon``,
        ``option_selection``, ...; not ``n_options``).
    :param verbose: 0 silent, 1 info.
    :param seed: random seed.
    :param device: torch device.
    :param _init_setup_model: build the networks now.

    Example:
        >>> from agents import OptionCritic
        >>> model = OptionCritic("MlpPolicy", "CartPole-v1", n_options=2, n_steps=8, seed=0)
        >>> model = model.learn(64)
        >>> obs = model.get_env().reset()
        >>> action, state = model.predict(obs)
        >>> action.shape, state.shape
        ((1,), (1,))
        >>> action, state = model.predict(obs, state=state, episode_start=np.zeros(1, dtype=bool))
    """

    policy_aliases: ClassVar[dict[str, type[BasePolicy]]] = {"MlpPolicy": OptionCriticPolicy}
    policy: OptionCriticPolicy  # type: ignore[assignment]
    rollout_buffer: OptionRolloutBuffer  # type: ignore[assignment]
    #: name written into checkpoints and checked by :meth:`load`.
    agent_name: ClassVar[str] = "OptionCritic"

    def __init__(
        self,
        policy: str | type[OptionCriticPolicy],
        env: GymEnv | str,
        n_options: int = 4,
        learning_rate: float | Schedule = 7e-4,
        n_steps: int = 5,
        gamma: float = 0.99,
        gae_lambda: float = 1.0,
        ent_coef: float = 0.01,
        vf_coef: float = 0.5,
        termination_coef: float = 1.0,
        termination_reg: float = 0.01,
        deliberation_cost: float = 0.0,
        option_ent_coef: float = 0.01,
        max_grad_norm: float = 0.5,
        n_epochs: int = 1,
        batch_size: int | None = None,
        clip_range: float | Schedule | None = None,
        normalize_advantage: bool = False,
        exploration_initial_eps: float | None = None,
        exploration_final_eps: float | None = None,
        exploration_fraction: float = 0.1,
        n_envs: int = 1,
        env_kwargs: dict[str, Any] | None = None,
        vec_env_cls: type[VecEnv] | None = None,
        stats_window_size: int = 100,
        tensorboard_log: str | None = None,
        policy_kwargs: dict[str, Any] | None = None,
        verbose: int = 0,
        seed: int | None = None,
        device: th.device | str = "auto",
        _init_setup_model: bool = True,
    ) -> None:
        if isinstance(n_options, bool) or not isinstance(n_options, int | np.integer) or n_options < 1:
            raise ValueError(f"n_options must be an integer >= 1, got {n_options!r}")
        if isinstance(n_envs, bool) or not isinstance(n_envs, int) or n_envs < 1:
            raise ValueError(f"n_envs must be an integer >= 1, got {n_envs!r}")
        if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 1:
            raise ValueError(f"n_steps must be an integer >= 1, got {n_steps!r}")
        if isinstance(n_epochs, bool) or not isinstance(n_epochs, int) or n_epochs < 1:
            raise ValueError(f"n_epochs must be an integer >= 1, got {n_epochs!r}")
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"batch_size must be None or an integer >= 1, got {batch_size!r}")
        if policy_kwargs and "n_options" in policy_kwargs:
            raise ValueError("policy_kwargs must not set n_options: pass n_options to the algorithm")
        _check_number("gamma", gamma, 0.0, 1.0)
        _check_number("gae_lambda", gae_lambda, 0.0, 1.0)
        for name, value in (
            ("ent_coef", ent_coef),
            ("vf_coef", vf_coef),
            ("termination_coef", termination_coef),
            ("deliberation_cost", deliberation_cost),
            ("option_ent_coef", option_ent_coef),
            ("max_grad_norm", max_grad_norm),
        ):
            _check_number(name, value, 0.0)
        _check_number("termination_reg", termination_reg, -np.inf)
        _check_number("exploration_fraction", exploration_fraction, 0.0, 1.0)
        for name, eps in (
            ("exploration_initial_eps", exploration_initial_eps),
            ("exploration_final_eps", exploration_final_eps),
        ):
            if eps is not None:
                _check_number(name, eps, 0.0, 1.0)
        if isinstance(env, str) and (n_envs > 1 or env_kwargs or vec_env_cls is not None):
            env = make_vec_env(env, n_envs=n_envs, seed=seed, env_kwargs=env_kwargs, vec_env_cls=vec_env_cls)  # type: ignore[arg-type]
        if isinstance(env, gym.Env | VecEnv):  # before SB3's own checks, so the error names the space
            check_observation_space(env.observation_space)
            check_action_space(env.action_space)
        super().__init__(
            policy,  # type: ignore[arg-type]
            env,
            learning_rate=learning_rate,
            n_steps=n_steps,
            gamma=gamma,
            gae_lambda=gae_lambda,
            ent_coef=ent_coef,
            vf_coef=vf_coef,
            max_grad_norm=max_grad_norm,
            use_sde=False,
            sde_sample_freq=-1,
            stats_window_size=stats_window_size,
            tensorboard_log=tensorboard_log,
            policy_kwargs=copy_user_dicts(policy_kwargs),
            verbose=verbose,
            seed=seed,
            device=device,
            _init_setup_model=False,
        )
        if self.env is not None:
            check_action_space(self.action_space)
            check_observation_space(self.observation_space)
        self.n_options = int(n_options)
        self.termination_coef = float(termination_coef)
        self.termination_reg = float(termination_reg)
        self.deliberation_cost = float(deliberation_cost)
        self.option_ent_coef = float(option_ent_coef)
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.clip_range = clip_range
        self.normalize_advantage = normalize_advantage
        self.exploration_initial_eps = exploration_initial_eps
        self.exploration_final_eps = exploration_final_eps
        self.exploration_fraction = float(exploration_fraction)
        self.hrl_agent = self.agent_name  # saved in the checkpoint's data, checked by load()
        if _init_setup_model:
            self._setup_model()

    # ------------------------------------------------------------------------------------------------ model
    def _setup_model(self) -> None:
        self._setup_lr_schedule()
        self.set_random_seed(self.seed)
        self.policy = self.policy_class(  # type: ignore[assignment]
            self.observation_space, self.action_space, self.lr_schedule, n_options=self.n_options, **self.policy_kwargs
        )
        self.policy = self.policy.to(self.device)
        self.rollout_buffer = OptionRolloutBuffer(
            self.n_steps,
            self.observation_space,
            self.action_space,
            self.n_options,
            device=self.device,
            gamma=self.gamma,
            gae_lambda=self.gae_lambda,
            n_envs=self.n_envs,
        )
        self.clip_range_schedule: Schedule | None = None
        if self.clip_range is not None:
            if isinstance(self.clip_range, float | int):
                _check_number("clip_range", self.clip_range, 0.0, low_open=True)
            self.clip_range_schedule = FloatSchedule(self.clip_range)
        initial = self.policy.option_epsilon if self.exploration_initial_eps is None else self.exploration_initial_eps
        final = self.policy.option_epsilon if self.exploration_final_eps is None else self.exploration_final_eps
        self.exploration_schedule: Callable[[float], float] = LinearSchedule(initial, final, self.exploration_fraction)
        self.exploration_rate = float(initial)
        self._last_options: np.ndarray | None = None
        self._option_lengths = np.zeros(self.n_envs, dtype=np.int64)
        self._option_durations: deque[int] = deque(maxlen=max(100, 10 * self._stats_window_size))

    def _excluded_save_params(self) -> list[str]:
        return [*super()._excluded_save_params(), "_last_options", "_option_lengths", "_option_durations"]

    def _setup_learn(
        self,
        total_timesteps: int,
        callback: MaybeCallback = None,
        reset_num_timesteps: bool = True,
        tb_log_name: str = "run",
        progress_bar: bool = False,
    ) -> tuple[int, BaseCallback]:
        result = super()._setup_learn(total_timesteps, callback, reset_num_timesteps, tb_log_name, progress_bar)
        if reset_num_timesteps or self._last_options is None or len(self._last_options) != self.n_envs:
            self._last_options = np.zeros(self.n_envs, dtype=np.int64)
            self._last_episode_starts = np.ones(self.n_envs, dtype=bool)
            self._option_lengths = np.zeros(self.n_envs, dtype=np.int64)
        return result

    def _init_callback(self, callback: MaybeCallback, progress_bar: bool = False) -> BaseCallback:
        """SB3's callbacks, after a check that stops training at a non-finite observation or reward."""
        return super()._init_callback(with_finite_check(callback), progress_bar)

    # ------------------------------------------------------------------------------------------------ rollouts
    def _continuation_values(self, q: np.ndarray, beta: np.ndarray, v: np.ndarray, options: np.ndarray) -> np.ndarray:
        """``U(s', w) = (1 - beta_w(s')) Q(s', w) + beta_w(s') (V(s') - deliberation_cost)`` for each row."""
        rows = np.arange(len(options))
        b = beta[rows, options]
        return (1.0 - b) * q[rows, options] + b * (v - self.deliberation_cost)

    def _heads_numpy(self, obs: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        obs_tensor = obs if isinstance(obs, th.Tensor) else obs_as_tensor(obs, self.device)
        heads = self.policy.heads(obs_tensor)
        q = heads.q_values.cpu().numpy()
        if self.policy.option_selection == "epsilon_greedy":
            v = q.max(axis=1)  # V(s) = max_w Q(s, w), as option_values computes it
        else:
            v = self.policy.option_values(heads.q_values, heads.option_logits).cpu().numpy()
        logits = None if heads.option_logits is None else heads.option_logits.cpu().numpy()
        return heads, q, heads.terminations.cpu().numpy(), v, logits

    def collect_rollouts(  # type: ignore[override]
        self,
        env: VecEnv,
        callback: BaseCallback,
        rollout_buffer: OptionRolloutBuffer,
        n_rollout_steps: int,
    ) -> bool:
        """Run the options in ``env`` for ``n_rollout_steps`` steps per environment and fill ``rollout_buffer``."""
        assert self._last_obs is not None and self._last_options is not None, "No previous observation was provided"
        self.policy.set_training_mode(False)
        rollout_buffer.reset()
        callback.on_rollout_start()
        n_envs = env.num_envs
        rows = np.arange(n_envs)
        usage = np.zeros(self.n_options, dtype=np.int64)
        continuing_betas: list[np.ndarray] = []
        n_switches = 0
        self.exploration_rate = float(self.exploration_schedule(self._current_progress_remaining))
        n_steps = 0
        new_obs: Any = self._last_obs
        dones = self._last_episode_starts
        while n_steps < n_rollout_steps:
            with th.no_grad():
                heads, q, beta, v, option_logits = self._heads_numpy(self._last_obs)
                if n_steps > 0:
                    rollout_buffer.set_next(n_steps - 1, self._last_obs, self._last_episode_starts, q, beta, v)  # type: ignore[arg-type]
                starts = np.asarray(self._last_episode_starts, dtype=bool)
                prev = self._last_options
                beta_prev = beta[rows, prev]
                if (~starts).any():
                    continuing_betas.append(beta_prev[~starts])
                ends = starts | (np.random.random(n_envs) < beta_prev)
                n_switches += int((ends & ~starts).sum())
                chosen = self.policy.select_options_numpy(q, epsilon=self.exploration_rate, option_logits=option_logits)
                options = np.where(ends, chosen, prev).astype(np.int64)
                finished = ends & (self._option_lengths > 0)
                self._option_durations.extend(self._option_lengths[finished].tolist())
                self._option_lengths[ends] = 0
                self._option_lengths += 1
                usage += np.bincount(options, minlength=self.n_options)
                actions_t, log_probs_t = self.policy.sample_actions(heads, th.as_tensor(options, device=self.device))
            actions = actions_t.cpu().numpy()
            clipped_actions = actions
            if isinstance(self.action_space, spaces.Box):
                clipped_actions = np.clip(actions, self.action_space.low, self.action_space.high)
            new_obs, rewards, dones, infos = env.step(clipped_actions)
            self.num_timesteps += n_envs

            callback.update_locals(locals())
            if not callback.on_step():
                return False
            self._update_info_buffer(infos, dones)
            n_steps += 1

            rewards = rewards.astype(np.float32)
            for idx, done in enumerate(dones):
                if (
                    done
                    and infos[idx].get("terminal_observation") is not None
                    and infos[idx].get("TimeLimit.truncated", False)
                ):
                    terminal_obs = self.policy.obs_to_tensor(infos[idx]["terminal_observation"])[0]
                    with th.no_grad():
                        _, tq, tbeta, tv, _ = self._heads_numpy(terminal_obs)
                    rewards[idx] += self.gamma * float(self._continuation_values(tq, tbeta, tv, options[idx : idx + 1])[0])
            rollout_buffer.add(self._last_obs, actions, options, ends, rewards, log_probs_t.cpu().numpy(), q)  # type: ignore[arg-type]
            self._last_obs = new_obs  # type: ignore[assignment]
            self._last_episode_starts = dones
            self._last_options = options

        with th.no_grad():
            _, q, beta, v, _ = self._heads_numpy(new_obs)
        rollout_buffer.set_next(n_steps - 1, new_obs, np.asarray(dones), q, beta, v)
        rollout_buffer.compute_returns_and_advantage(self.termination_reg, self.deliberation_cost)
        self._record_option_metrics(usage, continuing_betas, n_switches, n_steps * n_envs)
        callback.update_locals(locals())
        callback.on_rollout_end()
        return True

    def _record_option_metrics(self, usage: np.ndarray, betas: list[np.ndarray], n_switches: int, n_samples: int) -> None:
        """Log option usage, mean duration and termination probability under ``options/``."""
        frequencies = usage / max(1, usage.sum())
        for option, frequency in enumerate(frequencies):
            self.logger.record(f"options/usage_{option}", float(frequency))
        self.logger.record("options/max_usage", float(frequencies.max()))
        if self._option_durations:
            self.logger.record("options/mean_duration", float(np.mean(self._option_durations)))
        if betas:
            self.logger.record("options/termination_prob", float(np.concatenate(betas).mean()))
        self.logger.record("options/switch_rate", n_switches / max(1, n_samples))
        self.logger.record("options/epsilon", self.exploration_rate)

    # ------------------------------------------------------------------------------------------------ train
    def train(self) -> None:
        """Update the critic, the intra-option policies and the terminations from the rollout buffer."""
        self.policy.set_training_mode(True)
        self._update_learning_rate(self.policy.optimizer)
        clip_range = (
            None if self.clip_range_schedule is None else float(self.clip_range_schedule(self._current_progress_remaining))
        )
        logs: dict[str, list[float]] = {}
        for _ in range(self.n_epochs):
            for batch in self.rollout_buffer.get(self.batch_size):
                heads = self.policy.heads(batch.observations)
                options = batch.options
                q_taken = heads.q_values.gather(1, options.view(-1, 1)).squeeze(1)
                dist = self.policy.option_distribution(heads.action_params, options)
                actions = batch.actions.long().flatten() if self.policy.discrete_actions else batch.actions
                log_prob = dist.log_prob(actions)
                advantages = batch.advantages
                if self.normalize_advantage and len(advantages) > 1:
                    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                next_beta = self.policy.terminations(batch.next_observations).gather(1, options.view(-1, 1)).squeeze(1)
                losses = option_critic_losses(
                    q_taken,
                    batch.returns,
                    log_prob,
                    advantages,
                    dist.entropy(),
                    next_beta,
                    batch.termination_advantages,
                    batch.termination_mask,
                    old_log_prob=batch.old_log_probs,
                    clip_range=clip_range,
                )
                loss = (
                    losses["policy_loss"]
                    + self.ent_coef * losses["entropy_loss"]
                    + self.vf_coef * losses["value_loss"]
                    + self.termination_coef * losses["termination_loss"]
                )
                if heads.option_logits is not None:  # the learned policy over options
                    option_losses = option_policy_losses(heads.option_logits, heads.q_values)
                    loss = (
                        loss
                        + option_losses["option_policy_loss"]
                        + self.option_ent_coef * option_losses["option_entropy_loss"]
                    )
                    losses = {**losses, **option_losses}
                self.policy.optimizer.zero_grad()
                loss.backward()
                th.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm)
                self.policy.optimizer.step()
                for key, value in losses.items():
                    logs.setdefault(key, []).append(float(value.detach()))
                logs.setdefault("loss", []).append(float(loss.detach()))
                if clip_range is not None:
                    with th.no_grad():
                        fraction = (th.abs(th.exp(log_prob - batch.old_log_probs) - 1) > clip_range).float().mean()
                    logs.setdefault("clip_fraction", []).append(float(fraction))
        self._n_updates += self.n_epochs
        for key, values in logs.items():
            self.logger.record(f"train/{key}", float(np.mean(values)))
        self.logger.record("train/explained_variance", self.rollout_buffer.explained_variance)
        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
        if self.policy.log_std is not None:
            self.logger.record("train/std", float(self.policy.log_std.detach().exp().mean()))
        if clip_range is not None:
            self.logger.record("train/clip_range", clip_range)

    def learn(  # type: ignore[override]
        self: SelfOptionCritic,
        total_timesteps: int,
        callback: MaybeCallback = None,
        log_interval: int = 1,
        tb_log_name: str = "OptionCritic",
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
    ) -> SelfOptionCritic:
        """Train for ``total_timesteps`` environment steps (SB3's ``learn``: callbacks, TensorBoard, progress bar)."""
        total_timesteps = check_total_timesteps(total_timesteps)
        return super().learn(
            total_timesteps=total_timesteps,
            callback=callback,
            log_interval=log_interval,
            tb_log_name=tb_log_name,
            reset_num_timesteps=reset_num_timesteps,
            progress_bar=progress_bar,
        )

    def predict(  # type: ignore[override]
        self,
        observation: np.ndarray | dict[str, np.ndarray],
        state: np.ndarray | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Act; ``state`` carries the current option of every environment (see :meth:`OptionCriticPolicy.predict`)."""
        return self.policy.predict(observation, state, episode_start, deterministic)

    # ------------------------------------------------------------------------------------------------ load
    @classmethod
    def load(  # type: ignore[override]
        cls: type[SelfOptionCritic],
        path: str | pathlib.Path,
        env: GymEnv | None = None,
        device: th.device | str = "auto",
        custom_objects: dict[str, Any] | None = None,
        print_system_info: bool = False,
        force_reset: bool = True,
        **kwargs: Any,
    ) -> SelfOptionCritic:
        """Load an :class:`OptionCritic` checkpoint (every head and the optimizer); refuse other algorithms' ones."""
        data = read_checkpoint_data(path, custom_objects)
        found = None if data is None else data.get("hrl_agent")
        if found != cls.agent_name:
            what = "not an SB3 checkpoint" if data is None else f"saved by {found or 'a plain SB3 algorithm'}"
            raise ValueError(f"path={str(path)!r} is not an {cls.agent_name} checkpoint ({what})")
        model = BaseAlgorithm.load.__func__(  # type: ignore[attr-defined]
            cls, path, env, device, custom_objects, print_system_info, force_reset, **kwargs
        )
        return model
