"""HIRO: data-efficient hierarchical RL (Nachum et al., NeurIPS 2018), with two SB3 off-policy learners.

A high-level policy sees the environment state (and, in goal-conditioned envs, the desired goal) and emits a
*relative* goal g every ``c`` steps in a chosen goal space (indices of the state). Between its decisions the goal is
carried along by ``h(s, g, s') = s + g - s'``. A goal-conditioned low-level policy acts on the environment and is
rewarded ``-||s + g - s'||`` (:class:`~hrl_wrappers.rewards.subgoal.SubgoalReward`). The high level is rewarded with
the scaled sum of environment rewards over its c steps, and its replay buffer
(:class:`~hrl_wrappers.sb3.off_policy_correction.OffPolicyCorrectionReplayBuffer`) relabels its goals at sample time
with the goal that makes the stored low-level actions most likely under the current low-level policy.

:class:`HIRO` is the public agent; its parts live beside it: :mod:`agents.hiro.layout` (how the env's observations and
actions map onto states, goals and actions), :mod:`agents.hiro.levels` (the two SB3 learners, their inputs and
outputs), :mod:`agents.hiro.learning` (the collection and training loop) and :mod:`agents.hiro.save_load` (checkpoints).
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.type_aliases import MaybeCallback
from stable_baselines3.common.utils import configure_logger, get_device
from stable_baselines3.common.vec_env import VecEnv

from agents.common.arguments import check_total_timesteps
from agents.hiro.layout import EnvLike, layout_from_env, make_env
from agents.hiro.learning import collect_and_train, setup_learn
from agents.hiro.levels import HIROLevelsMixin, check_arguments
from agents.hiro.levels import _no_reward_fn as _no_reward_fn  # pickled by this path in checkpoints saved before
from agents.hiro.save_load import load_agent, load_replay_buffers, save_agent, save_replay_buffers

__all__ = ["HIRO"]

SelfHIRO = TypeVar("SelfHIRO", bound="HIRO")


class HIRO(HIROLevelsMixin):
    """HIRO: a goal-emitting high level and a goal-conditioned low level, both SB3 off-policy learners.

    Paper: https://arxiv.org/abs/1805.08296. Reference code: ``tensorflow/models/research/efficient-hrl``.

    The *state* s is the Box observation, or for a Dict observation the concatenation of ``state_keys`` (by default
    ``achieved_goal`` then ``observation``, so that in Gymnasium-Robotics mazes indices 0 and 1 are the x-y position,
    which AntMaze keeps only in ``achieved_goal``). The high level sees s and the ``desired_goal_key`` entry; the
    low level sees s without ``low_level_hidden`` (e.g. ``[0, 1]``: blind to absolute x-y, as in the original)
    followed by its current relative goal. ``predict`` carries the goal, the step counter within the period and the
    last state in its ``state``.

    A period's last low-level transition bootstraps from the carried goal (``low_bootstrap_periods``, as the
    reference code does not cut the low level's discount there); environment time limits bootstrap, terminations
    do not.

    :param policy: SB3 policy of both levels (``"MlpPolicy"``).
    :param env: a Gymnasium id, an env factory, a ``gym.Env`` or a VecEnv (None only inside :meth:`load`).
    :param c: steps between high-level decisions (10 in the paper).
    :param goal_indices: indices of the state forming the goal space (default: the ``achieved_goal`` entries of a
        Dict observation, all dimensions of a Box one).
    :param goal_range: half-width of the relative-goal box, one number or one per goal dimension (default: the
        width of the state space on those dimensions, when it is bounded).
    :param algo: ``"TD3"`` (default) or ``"SAC"``, for both levels unless ``high_algo`` is given.
    :param high_algo: back end of the high level.
    :param state_keys: keys of a Dict observation concatenated into the state.
    :param desired_goal_key: key of a Dict observation given to the high level only (None: none).
    :param low_level_hidden: state indices the low level does not see.
    :param reward_scale: high-level reward = ``reward_scale`` x sum of env rewards over the period (0.1 in the paper).
    :param subgoal_reward_scale: multiplies the low-level reward ``-||s + g - s'||``.
    :param low_bootstrap_periods: True (default): the last transition of a period bootstraps from the carried goal
        ``h(s, g, s')``, so the low level learns to reach and hold a goal over an unbounded horizon (discount
        ``gamma``); the reference code does not cut the low level's discount at period ends either (it bootstraps
        from the next period's goal). False: a period's end is terminal for the low level, which then learns to
        approach its goal within what is left of a period it cannot see the end of (the behaviour before this
        option; slower on PointMaze, see BENCHMARKS.md).
    :param off_policy_correction: relabel high-level goals at sample time.
    :param high_hindsight: fraction of high-level samples whose desired goal is replaced by a goal achieved later in
        the same episode (HER's "future" strategy; needs a Dict observation with ``achieved_goal_key`` and an env
        ``compute_reward``); 0 (default, as in the paper) disables it.
    :param achieved_goal_key: key of the achieved goal in a Dict observation (for ``high_hindsight``).
    :param hindsight_success_distance: with ``high_hindsight``, an episode ends when the achieved goal is this close
        to the desired one (Gymnasium-Robotics mazes with ``continuing_task=False``: 0.45); None: no such ending.
    :param n_candidates: candidate goals of the correction (10 in the paper).
    :param correction_sigma: std of the sampled candidates, as a fraction of the goal half-range (0.5).
    :param high_noise: TD3 exploration std of the high level, as a fraction of the goal half-range.
    :param low_noise: TD3 exploration std of the low level, as a fraction of the action half-range.
    :param high_action_penalty: weight of an L2 penalty on the high-level TD3 actor's goals, scaled to [-1, 1]
        (:mod:`agents.hiro.action_penalty`, as in HER's DDPG); keeps the goals off the corners of the goal box.
        0 (default, as in the paper) disables it; TD3 high level only.
    :param learning_starts: environment steps of uniformly random goals and actions before training starts.
    :param buffer_size: low-level replay buffer size (transitions).
    :param high_buffer_size: high-level replay buffer size (default ``buffer_size // c``, at least 1000).
    :param batch_size: minibatch size of both levels (100 in the paper).
    :param gradient_steps: low-level gradient steps per environment step (per env).
    :param high_gradient_steps: high-level gradient steps per period (per env); 1 as in the paper, ``c`` gives the
        high level one update per environment step, as the low level gets (better within 100k steps on
        PointMaze_UMaze, see BENCHMARKS.md).
    :param policy_kwargs: ``policy_kwargs`` of both levels (``net_arch=[300, 300]`` in the paper).
    :param high_kwargs: extra SB3 arguments of the high level (``learning_rate``, ``gamma``, ...).
    :param low_kwargs: extra SB3 arguments of the low level.
    :param n_envs: number of environments when ``env`` is an id or a factory.
    :param env_kwargs: ``gym.make`` keyword arguments when ``env`` is an id.
    :param vec_env_cls: ``DummyVecEnv`` (default) or ``SubprocVecEnv``.
    :param tensorboard_log: tensorboard log folder.
    :param verbose: 0 quiet, 1 logs to stdout.
    :param seed: random seed.
    :param device: torch device of both levels.

    Example:
        >>> from agents import HIRO
        >>> model = HIRO("MlpPolicy", "Pendulum-v1", c=5, goal_indices=[0, 1], goal_range=0.5, learning_starts=50,
        ...              batch_size=16, policy_kwargs={"net_arch": [16]}, seed=0)
        >>> _ = model.learn(120)
        >>> action, state = model.predict([1.0, 0.0, 0.0])
        >>> action.shape, int(state[1][0])
        ((1,), 1)
    """

    agent_name: ClassVar[str] = "HIRO"

    high: OffPolicyAlgorithm
    low: OffPolicyAlgorithm
    env: VecEnv | None

    def __init__(
        self,
        policy: str = "MlpPolicy",
        env: EnvLike | None = None,
        c: int = 10,
        goal_indices: Sequence[int] | None = None,
        goal_range: float | Sequence[float] | None = None,
        algo: str = "TD3",
        high_algo: str | None = None,
        state_keys: Sequence[str] = ("achieved_goal", "observation"),
        desired_goal_key: str | None = "desired_goal",
        low_level_hidden: Sequence[int] | None = None,
        reward_scale: float = 0.1,
        subgoal_reward_scale: float = 1.0,
        low_bootstrap_periods: bool = True,
        off_policy_correction: bool = True,
        high_hindsight: float = 0.0,
        achieved_goal_key: str = "achieved_goal",
        hindsight_success_distance: float | None = None,
        n_candidates: int = 10,
        correction_sigma: float = 0.5,
        high_noise: float = 0.2,
        low_noise: float = 0.1,
        high_action_penalty: float = 0.0,
        learning_starts: int = 1000,
        buffer_size: int = 200_000,
        high_buffer_size: int | None = None,
        batch_size: int = 100,
        gradient_steps: int = 1,
        high_gradient_steps: int = 1,
        policy_kwargs: dict[str, Any] | None = None,
        high_kwargs: dict[str, Any] | None = None,
        low_kwargs: dict[str, Any] | None = None,
        n_envs: int = 1,
        env_kwargs: dict[str, Any] | None = None,
        vec_env_cls: type[VecEnv] | None = None,
        tensorboard_log: str | None = None,
        verbose: int = 0,
        seed: int | None = None,
        device: str = "auto",
        _layout: dict[str, Any] | None = None,
    ) -> None:
        check_arguments(
            c=c,
            n_envs=n_envs,
            algo=algo,
            high_algo=high_algo,
            reward_scale=reward_scale,
            correction_sigma=correction_sigma,
            n_candidates=n_candidates,
            high_hindsight=high_hindsight,
            gradient_steps=gradient_steps,
            high_gradient_steps=high_gradient_steps,
            high_noise=high_noise,
            low_noise=low_noise,
            high_action_penalty=high_action_penalty,
            batch_size=batch_size,
            learning_starts=learning_starts,
            buffer_size=buffer_size,
        )
        self.policy_name = policy
        self.config: dict[str, Any] = {
            "c": int(c),
            "algo": str(algo).upper(),
            "high_algo": str(high_algo if high_algo is not None else algo).upper(),
            "state_keys": [str(k) for k in state_keys],
            "desired_goal_key": desired_goal_key,
            "reward_scale": float(reward_scale),
            "subgoal_reward_scale": float(subgoal_reward_scale),
            "low_bootstrap_periods": bool(low_bootstrap_periods),
            "off_policy_correction": bool(off_policy_correction),
            "high_hindsight": float(high_hindsight),
            "achieved_goal_key": str(achieved_goal_key),
            "hindsight_success_distance": None if hindsight_success_distance is None else float(hindsight_success_distance),
            "n_candidates": int(n_candidates),
            "correction_sigma": float(correction_sigma),
            "high_noise": float(high_noise),
            "low_noise": float(low_noise),
            "high_action_penalty": float(high_action_penalty),
            "learning_starts": int(learning_starts),
            "buffer_size": int(buffer_size),
            "high_buffer_size": int(high_buffer_size) if high_buffer_size is not None else max(int(buffer_size) // c, 1000),
            "batch_size": int(batch_size),
            "gradient_steps": int(gradient_steps),
            "high_gradient_steps": int(high_gradient_steps),
            "policy_kwargs": dict(policy_kwargs or {}),
            "high_kwargs": dict(high_kwargs or {}),
            "low_kwargs": dict(low_kwargs or {}),
        }
        self.c = int(c)
        self.verbose = int(verbose)
        self.tensorboard_log = tensorboard_log
        self.seed = seed
        self.device = get_device(device)
        self.num_timesteps = 0
        self._total_timesteps = 0
        self._episode_num = 0
        self._logger: Logger | None = None
        self._custom_logger = False
        self._rng = np.random.default_rng(seed)
        self.env = None
        if env is not None:
            self.env = make_env(env, int(n_envs), env_kwargs, vec_env_cls, seed)
            layout = layout_from_env(self.env, self.config, goal_indices, goal_range, low_level_hidden)
        elif _layout is not None:
            layout = _layout
        else:
            raise ValueError("env must be given (a Gymnasium id, an env factory, a gym.Env or a VecEnv)")
        self._apply_layout(layout)
        self.n_envs = self.env.num_envs if self.env is not None else int(n_envs)
        self._setup_model()

    # ------------------------------------------------------------------------------------------------ SB3 API
    @property
    def logger(self) -> Logger:
        """The logger of the current (or last) ``learn`` call."""
        if self._logger is None:
            self._logger = configure_logger(self.verbose, None, "HIRO")
        return self._logger

    def set_logger(self, logger: Logger) -> None:
        """Log to ``logger`` (e.g. ``stable_baselines3.common.logger.configure(folder, ["csv"])``) in later ``learn`` calls."""
        self._logger = logger
        self._custom_logger = True

    def get_env(self) -> VecEnv | None:
        """The training VecEnv."""
        return self.env

    def set_env(self, env: EnvLike, n_envs: int = 1, env_kwargs: dict[str, Any] | None = None) -> None:
        """Attach a (new) environment with the same spaces as the one the agent was built for."""
        vec = make_env(env, n_envs, env_kwargs, None, self.seed)
        hidden = [i for i in range(self.state_dim) if i not in set(self.low_level_keep.tolist())]
        layout = layout_from_env(vec, self.config, self.layout["goal_indices"], self.layout["goal_high"], hidden)
        for key in ("state_dim", "desired_dim", "action_low", "action_high", "observation_kind"):
            if layout[key] != self.layout[key]:
                raise ValueError(
                    f"env does not match this agent: {key} is {layout[key]}, the agent expects {self.layout[key]}"
                )
        if vec.num_envs != self.n_envs:
            raise ValueError(f"env has {vec.num_envs} environments, the agent was built for n_envs={self.n_envs}")
        self.env = vec
        self._attach_correction()

    def predict(
        self,
        observation: Any,
        state: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Act on raw environment observation(s), carrying the current goal in ``state``.

        :param observation: one env observation or a batch (a Box array or a Dict of arrays).
        :param state: ``(goals, steps, last_states)`` returned by the previous call (None at the start).
        :param episode_start: True where an episode starts (a new goal is drawn there).
        :param deterministic: act without exploration.
        :return: the env action(s) and the new state ``(goals (n, k), steps in the period (n,), states (n, d))``.
        """
        observation, batched = self._batch(observation)
        states = self.states(observation)
        if not np.all(np.isfinite(states)):
            raise ValueError("observation contains NaN or infinite values")
        n = len(states)
        if state is None:
            goals = np.zeros((n, self.goal_dim), dtype=np.float32)
            steps = np.zeros(n, dtype=np.int64)
            last = states.copy()
        else:
            goals, steps, last = (np.array(x) for x in state)
            if goals.shape != (n, self.goal_dim) or steps.shape != (n,) or last.shape != states.shape:
                raise ValueError(f"state must be (goals ({n}, {self.goal_dim}), steps ({n},), states {states.shape})")
        if episode_start is not None:
            steps = np.where(np.asarray(episode_start, dtype=bool).reshape(-1), 0, steps)
        carried = self.subgoal_reward.transition(last, goals, states).astype(np.float32)
        new = steps % self.c == 0
        goals = carried
        if np.any(new):
            high_obs = self.high_observation(states, self._desired(observation, n))
            scaled = self._act(self.high, high_obs, deterministic, self.config["high_noise"])
            goals = np.where(new[:, None], self._goal_from_scaled(scaled), carried)
        scaled_action = self._act(self.low, self.low_observation(states, goals), deterministic, self.config["low_noise"])
        action = self._env_action(scaled_action)
        new_state = (goals, steps + 1, states)
        return (action if batched else action[0]), new_state

    # ------------------------------------------------------------------------------------------------ learn
    def learn(
        self: SelfHIRO,
        total_timesteps: int,
        callback: MaybeCallback = None,
        log_interval: int = 4,
        tb_log_name: str = "HIRO",
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
    ) -> SelfHIRO:
        """Train both levels for ``total_timesteps`` environment steps (all envs counted).

        :param total_timesteps: environment steps.
        :param callback: SB3 callback(s); they see this agent as ``model`` (``predict``, ``get_env``, ``logger``).
        :param log_interval: dump the logs every this many episodes.
        :param tb_log_name: tensorboard run name.
        :param reset_num_timesteps: restart the step counter (False: continue).
        :param progress_bar: show a progress bar.
        :return: this agent.
        """
        total_timesteps = check_total_timesteps(total_timesteps)
        cb = setup_learn(self, total_timesteps, callback, reset_num_timesteps, tb_log_name, progress_bar)
        collect_and_train(self, cb, log_interval)
        return self

    # ------------------------------------------------------------------------------------------------ saving
    def save(self, path: str | pathlib.Path, include_buffers: bool = False) -> None:
        """Save both levels (policies, optimizers, counters) in one zip; with their replay buffers if asked.

        :param path: file to write (``.zip`` is added if missing).
        :param include_buffers: also keep both replay buffers (large).
        """
        save_agent(self, path, include_buffers)

    def save_replay_buffer(self, path: str | pathlib.Path) -> None:
        """Pickle both levels' replay buffers into one file (as SB3's ``save_replay_buffer``; for checkpoints)."""
        save_replay_buffers(self, path)

    def load_replay_buffer(self, path: str | pathlib.Path) -> None:
        """Restore both replay buffers written by :meth:`save_replay_buffer`."""
        load_replay_buffers(self, path)

    @classmethod
    def load(
        cls: type[SelfHIRO],
        path: str | pathlib.Path,
        env: EnvLike | None = None,
        device: str = "auto",
        load_buffers: bool = True,
        n_envs: int = 1,
    ) -> SelfHIRO:
        """Load an agent written by :meth:`save`; its replay buffers too when they were saved and ``load_buffers``.

        :param path: the checkpoint.
        :param env: environment to keep training on or to evaluate in (optional).
        :param device: torch device.
        :param load_buffers: restore the saved replay buffers.
        :param n_envs: number of environments when ``env`` is an id.
        :return: the agent.
        """
        return load_agent(cls, path, env, device, load_buffers, n_envs)
