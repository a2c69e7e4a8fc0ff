"""HIRO's off-policy correction: a high-level replay buffer that relabels goals at sample time.

A high-level transition ``(s_t, g_t, R, s_{t+c})`` was collected while an *older* low-level policy pursued g_t; the
current low level might not take the stored actions under g_t at all. At every sample, this buffer replaces g_t by
the candidate goal under which the *current* low-level policy is most likely to have produced the stored low-level
actions (Nachum et al., 2018, Sec. 3.3 and App. C.3):

* candidates (``n_candidates`` = 10 by default): the original g_t, ``s_{t+c} - s_t``, and ``n_candidates - 2``
  Gaussian samples centred on ``s_{t+c} - s_t`` with std ``sigma_scale`` x half the goal range; all clipped to the
  goal range;
* each candidate g~ is rolled through the c steps with ``h(s, g, s') = s + g - s'``, i.e.
  ``g~_i = g~ + s_t - s_{t+i}``;
* score ``log p = -1/2 sum_i ||a_i - mu_lo(o_i, g~_i)||^2`` with actions in the policy's [-1, 1] scale (the
  reference divides the squared error by the squared action half-range: the same thing); the best candidate wins.

The buffer stores, beside SB3's fields, the low-level observations (without goal) and the low-level actions of the c
steps, the goal-space states ``s_t .. s_{t+c}`` and how many low-level steps the transition spans (fewer than c
at the end of an episode). The low-level policy is attached as a function, :meth:`attach`; neither it nor
``goal_reward_fn`` is pickled with the buffer.

Optionally (``hindsight_ratio`` > 0, goal-conditioned environments), the buffer also relabels the *desired goal*
inside the high-level observations, as SB3's ``HerReplayBuffer`` does with the "future" strategy: for that fraction
of a batch, the desired goal becomes an achieved goal reached later in the same episode (a low-level step of this
or a later high-level transition), the reward becomes ``reward_scale`` x the sum of ``goal_reward_fn(achieved,
goal)`` over the transition's low-level steps (up to the first success when ``success_distance`` is set, where the
transition then ends), and ``done`` follows. This needs the achieved goals of every low-level step (``add(...,
achieved_goals=...)``) and which environment each transition came from (``episode_key``).

The actions of this buffer are the high-level *scaled* actions in [-1, 1] (as SB3 stores them); ``goal_low`` and
``goal_high`` map them to goals. ``correction=False`` turns the relabelling off.

Example:
    >>> import numpy as np
    >>> from gymnasium import spaces
    >>> box = lambda n: spaces.Box(-1.0, 1.0, (n,), dtype=np.float32)
    >>> buf = OffPolicyCorrectionReplayBuffer(10, box(3), box(1), c=2, low_obs_dim=1, low_action_dim=1,
    ...                                       goal_low=[-1.0], goal_high=[1.0], device="cpu")
    >>> buf.attach(lambda obs, goal: obs[:, :1] + goal)  # a low level acting "observation + goal"
    >>> buf.add(np.zeros((1, 3)), np.zeros((1, 3)), np.array([[0.9]]), np.zeros(1), np.zeros(1), [{}],
    ...         low_observations=np.zeros((1, 2, 1)), low_actions=np.full((1, 2, 1), -0.5),
    ...         goal_states=np.array([[[0.0], [0.0], [-0.5]]]), n_low_steps=np.array([2]))
    >>> goals, winner = buf.correct_goals(np.array([0]), np.array([0]))
    >>> int(winner[0]), float(goals[0, 0])  # s_(t+c) - s_t = -0.5 explains the stored actions exactly
    (1, -0.5)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.type_aliases import ReplayBufferSamples
from stable_baselines3.common.vec_env import VecNormalize

__all__ = ["LowLevelActionFn", "OffPolicyCorrectionReplayBuffer"]

#: ``fn(low_obs (N, d), goals (N, k)) -> deterministic low-level actions (N, a)`` in the policy's [-1, 1] scale.
LowLevelActionFn = Callable[[np.ndarray, np.ndarray], np.ndarray]

#: names of the three kinds of winning candidate, in the order of :attr:`OffPolicyCorrectionReplayBuffer.winner_counts`.
CANDIDATE_KINDS = ("original", "diff", "sampled")


class OffPolicyCorrectionReplayBuffer(ReplayBuffer):
    """SB3 ReplayBuffer of high-level transitions whose goals (actions) are relabelled on sample; see the module doc.

    Takes SB3's replay-buffer arguments plus:

    :param c: the high level's period (low-level steps per high-level transition).
    :param low_obs_dim: size of the low-level observation *without* the goal.
    :param low_action_dim: size of the low-level action.
    :param goal_low: lower bounds of the goal space.
    :param goal_high: upper bounds of the goal space.
    :param n_candidates: number of candidate goals (10 in the paper: original, difference, 8 samples).
    :param sigma_scale: std of the Gaussian candidates as a fraction of half the goal range (0.5 in the paper).
    :param correction: relabel on sample (False: return the stored goals).
    :param low_level_action_fn: the low-level policy, see :meth:`attach`.
    :param seed: seed of the candidate sampler.
    :param hindsight_ratio: fraction of each batch whose desired goal is relabelled (0: none).
    :param desired_goal_slice: ``(start, stop)`` of the desired goal inside the high-level observation.
    :param goal_reward_fn: vectorised ``fn(achieved (N, d), desired (N, d)) -> rewards (N,)`` of the environment.
    :param reward_scale: multiplies the summed relabelled rewards (as the agent scales the stored ones).
    :param success_distance: episodes end when ``||achieved - desired|| <= success_distance`` (None: they do not).
    """

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        device: torch.device | str = "auto",
        n_envs: int = 1,
        optimize_memory_usage: bool = False,
        handle_timeout_termination: bool = True,
        *,
        c: int = 10,
        low_obs_dim: int = 1,
        low_action_dim: int = 1,
        goal_low: Sequence[float] | np.ndarray = (-1.0,),
        goal_high: Sequence[float] | np.ndarray = (1.0,),
        n_candidates: int = 10,
        sigma_scale: float = 0.5,
        correction: bool = True,
        low_level_action_fn: LowLevelActionFn | None = None,
        seed: int | None = None,
        hindsight_ratio: float = 0.0,
        desired_goal_slice: tuple[int, int] | None = None,
        goal_reward_fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
        reward_scale: float = 1.0,
        success_distance: float | None = None,
    ) -> None:
        if optimize_memory_usage:
            raise ValueError("optimize_memory_usage must be False for OffPolicyCorrectionReplayBuffer")
        super().__init__(
            buffer_size,
            observation_space,
            action_space,
            device=device,
            n_envs=n_envs,
            optimize_memory_usage=False,
            handle_timeout_termination=handle_timeout_termination,
        )
        if int(c) < 1:
            raise ValueError(f"c must be >= 1, got {c}")
        if int(n_candidates) < 2:
            raise ValueError(f"n_candidates must be >= 2 (the original goal and s_(t+c) - s_t), got {n_candidates}")
        self.c = int(c)
        self.goal_low = np.asarray(goal_low, dtype=np.float32).reshape(-1)
        self.goal_high = np.asarray(goal_high, dtype=np.float32).reshape(-1)
        self.goal_dim = len(self.goal_low)
        if self.goal_high.shape != self.goal_low.shape or not np.all(self.goal_high > self.goal_low):
            raise ValueError(f"goal_high must be above goal_low elementwise, got {self.goal_low} and {self.goal_high}")
        if self.action_dim != self.goal_dim:
            raise ValueError(f"action_space has {self.action_dim} dimensions but the goal range has {self.goal_dim}")
        self.low_obs_dim = int(low_obs_dim)
        self.low_action_dim = int(low_action_dim)
        self.n_candidates = int(n_candidates)
        self.sigma_scale = float(sigma_scale)
        self.correction = bool(correction)
        self.low_level_action_fn = low_level_action_fn
        self.rng = np.random.default_rng(seed)
        shape = (self.buffer_size, self.n_envs)
        self.low_observations = np.zeros((*shape, self.c, self.low_obs_dim), dtype=np.float32)
        self.low_actions = np.zeros((*shape, self.c, self.low_action_dim), dtype=np.float32)
        self.goal_states = np.zeros((*shape, self.c + 1, self.goal_dim), dtype=np.float32)
        self.n_low_steps = np.zeros(shape, dtype=np.int64)
        #: how often each kind of candidate (original, diff, sampled) won since the counts were last reset.
        self.winner_counts = np.zeros(3, dtype=np.int64)
        if not 0.0 <= float(hindsight_ratio) <= 1.0:
            raise ValueError(f"hindsight_ratio must be in [0, 1], got {hindsight_ratio}")
        self.hindsight_ratio = float(hindsight_ratio)
        self.desired_goal_slice = desired_goal_slice
        self.goal_reward_fn = goal_reward_fn
        self.reward_scale = float(reward_scale)
        self.success_distance = success_distance
        self.achieved_goals: np.ndarray | None = None
        if self.hindsight_ratio > 0:
            if desired_goal_slice is None or goal_reward_fn is None:
                raise ValueError("hindsight_ratio > 0 needs desired_goal_slice and goal_reward_fn")
            ag_dim = int(desired_goal_slice[1] - desired_goal_slice[0])
            self.achieved_goals = np.zeros((*shape, self.c, ag_dim), dtype=np.float32)
        # episode bookkeeping for "future" goals: episode id and index within it of every stored transition
        self.episode_ids = np.full(shape, -1, dtype=np.int64)
        self.episode_steps = np.zeros(shape, dtype=np.int64)
        self.episodes: dict[int, list[int]] = {}
        self._open_episodes: dict[int, int] = {}
        self._next_episode_id = 0

    # ------------------------------------------------------------------------------------------------ goals
    def goal_to_action(self, goal: np.ndarray) -> np.ndarray:
        """Goal (in goal units) -> the policy's [-1, 1] action scale."""
        return 2.0 * (goal - self.goal_low) / (self.goal_high - self.goal_low) - 1.0

    def action_to_goal(self, action: np.ndarray) -> np.ndarray:
        """The policy's [-1, 1] action scale -> goal units."""
        return self.goal_low + 0.5 * (np.asarray(action) + 1.0) * (self.goal_high - self.goal_low)

    def attach(self, low_level_action_fn: LowLevelActionFn | None) -> None:
        """(Re-)attach the low-level policy: ``fn(low_obs (N, d), goals (N, k)) -> actions (N, a)`` in [-1, 1]."""
        self.low_level_action_fn = low_level_action_fn

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["low_level_action_fn"] = None  # a live policy: re-attached by the agent on load
        state["goal_reward_fn"] = None  # may hold the environment: re-attached likewise
        return state

    # ------------------------------------------------------------------------------------------------ storage
    def add(  # type: ignore[override]
        self,
        obs: np.ndarray,
        next_obs: np.ndarray,
        action: np.ndarray,
        reward: np.ndarray,
        done: np.ndarray,
        infos: list[dict[str, Any]],
        *,
        low_observations: np.ndarray,
        low_actions: np.ndarray,
        goal_states: np.ndarray,
        n_low_steps: np.ndarray,
        achieved_goals: np.ndarray | None = None,
        episode_key: int = 0,
    ) -> None:
        """Store one high-level transition per env, with its c low-level steps.

        :param low_observations: ``(n_envs, c, low_obs_dim)`` low-level observations without goal (padding past
            ``n_low_steps`` is ignored).
        :param low_actions: ``(n_envs, c, low_action_dim)`` low-level actions in the policy's [-1, 1] scale.
        :param goal_states: ``(n_envs, c + 1, goal_dim)`` goal dimensions of ``s_t .. s_{t+c}`` (entry ``n_low_steps``
            is the last state).
        :param n_low_steps: ``(n_envs,)`` number of low-level steps, 1..c.
        :param achieved_goals: ``(n_envs, c, goal_dim_env)`` achieved goals after each low-level step (hindsight only).
        :param episode_key: which environment the transition comes from (transitions of several envs interleave;
            with ``n_envs == 1`` buffers, pass the env index). The episode ends with a ``done`` transition.
        """
        steps = np.asarray(n_low_steps, dtype=np.int64).reshape(self.n_envs)
        if np.any(steps < 1) or np.any(steps > self.c):
            raise ValueError(f"n_low_steps must be in 1..c={self.c}, got {steps}")
        self.low_observations[self.pos] = np.asarray(low_observations).reshape(self.n_envs, self.c, self.low_obs_dim)
        self.low_actions[self.pos] = np.asarray(low_actions).reshape(self.n_envs, self.c, self.low_action_dim)
        self.goal_states[self.pos] = np.asarray(goal_states).reshape(self.n_envs, self.c + 1, self.goal_dim)
        self.n_low_steps[self.pos] = steps
        if self.achieved_goals is not None:
            if achieved_goals is None:
                raise ValueError("achieved_goals must be given when hindsight_ratio > 0")
            self.achieved_goals[self.pos] = np.asarray(achieved_goals).reshape(self.achieved_goals.shape[1:])
        if self.n_envs == 1:
            self._track_episode(int(episode_key), bool(np.asarray(done).reshape(-1)[0]))
        super().add(obs, next_obs, action, reward, done, infos)

    def _track_episode(self, key: int, done: bool) -> None:
        old = int(self.episode_ids[self.pos, 0])
        if old >= 0 and old in self.episodes and old not in self._open_episodes.values():
            # the oldest transition of a finished episode is overwritten: forget the episode
            self.episodes.pop(old, None)
        if key not in self._open_episodes:
            self._open_episodes[key] = self._next_episode_id
            self.episodes[self._next_episode_id] = []
            self._next_episode_id += 1
        episode = self._open_episodes[key]
        self.episode_ids[self.pos, 0] = episode
        self.episode_steps[self.pos, 0] = len(self.episodes[episode])
        self.episodes[episode].append(self.pos)
        if done:
            del self._open_episodes[key]

    # ------------------------------------------------------------------------------------------------ correction
    def candidate_goals(self, batch_inds: np.ndarray, env_indices: np.ndarray) -> np.ndarray:
        """``(batch, n_candidates, goal_dim)`` candidates in goal units: original, ``s_{t+c} - s_t``, samples."""
        original = self.action_to_goal(self.actions[batch_inds, env_indices])
        states = self.goal_states[batch_inds, env_indices]  # (B, c + 1, k)
        last = states[np.arange(len(batch_inds)), self.n_low_steps[batch_inds, env_indices]]
        diff = last - states[:, 0]
        half_range = 0.5 * (self.goal_high - self.goal_low)
        noise = self.rng.normal(size=(len(batch_inds), self.n_candidates - 2, self.goal_dim)) * self.sigma_scale * half_range
        candidates = np.concatenate([original[:, None], diff[:, None], diff[:, None] + noise], axis=1)
        return np.clip(candidates, self.goal_low, self.goal_high).astype(np.float32)

    def candidate_log_probs(self, batch_inds: np.ndarray, env_indices: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """``-1/2 sum_i ||a_i - mu(o_i, g~_i)||^2`` of each candidate, ``(batch, n_candidates)``."""
        if self.low_level_action_fn is None:
            raise RuntimeError(
                "OffPolicyCorrectionReplayBuffer has no low-level policy: call buffer.attach(fn) (needed after "
                "load_replay_buffer), or pass correction=False"
            )
        n_batch, n_cand = candidates.shape[:2]
        states = self.goal_states[batch_inds, env_indices]  # (B, c + 1, k)
        # g~_i = g~ + s_t - s_{t+i}: h applied i times (it telescopes)
        goals = candidates[:, :, None, :] + (states[:, None, :1, :] - states[:, None, : self.c, :])  # (B, K, c, k)
        low_obs = np.broadcast_to(
            self.low_observations[batch_inds, env_indices][:, None], (n_batch, n_cand, self.c, self.low_obs_dim)
        )
        mu = self.low_level_action_fn(
            low_obs.reshape(-1, self.low_obs_dim).astype(np.float32), goals.reshape(-1, self.goal_dim).astype(np.float32)
        )
        mu = np.asarray(mu, dtype=np.float32).reshape(n_batch, n_cand, self.c, self.low_action_dim)
        actions = self.low_actions[batch_inds, env_indices][:, None]  # (B, 1, c, a)
        valid = np.arange(self.c)[None, :] < self.n_low_steps[batch_inds, env_indices][:, None]  # (B, c)
        squared = ((actions - mu) ** 2).sum(axis=-1) * valid[:, None, :]
        return -0.5 * squared.sum(axis=-1)

    def correct_goals(self, batch_inds: np.ndarray, env_indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The best candidate goal of each sampled transition (goal units) and the index of the winner."""
        candidates = self.candidate_goals(batch_inds, env_indices)
        log_probs = self.candidate_log_probs(batch_inds, env_indices, candidates)
        winner = np.argmax(log_probs, axis=1)
        kinds = np.minimum(winner, 2)
        self.winner_counts += np.bincount(kinds, minlength=3)
        return candidates[np.arange(len(winner)), winner], winner

    # ------------------------------------------------------------------------------------------------ hindsight
    def future_goals(self, batch_inds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """An achieved goal from a later low-level step of the same episode, per index; and where one was found."""
        assert self.achieved_goals is not None
        goals = np.zeros((len(batch_inds), self.achieved_goals.shape[-1]), dtype=np.float32)
        found = np.zeros(len(batch_inds), dtype=bool)
        for row, pos in enumerate(batch_inds):
            positions = self.episodes.get(int(self.episode_ids[pos, 0]))
            if not positions:
                continue
            step = int(self.episode_steps[pos, 0])
            target = positions[int(self.rng.integers(step, len(positions)))]
            if self.episode_ids[target, 0] != self.episode_ids[pos, 0]:
                continue  # overwritten since
            j = int(self.rng.integers(0, self.n_low_steps[target, 0]))
            goals[row] = self.achieved_goals[target, 0, j]
            found[row] = True
        return goals, found

    def hindsight_rewards(self, batch_inds: np.ndarray, goals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(rewards, dones)`` of transitions ``batch_inds`` if the desired goal had been ``goals``."""
        assert self.achieved_goals is not None and self.goal_reward_fn is not None
        achieved = self.achieved_goals[batch_inds, 0]  # (B, c, d)
        n_batch, c, dim = achieved.shape
        per_step = np.asarray(
            self.goal_reward_fn(achieved.reshape(-1, dim), np.repeat(goals, c, axis=0)), dtype=np.float64
        ).reshape(n_batch, c)
        valid = np.arange(c)[None, :] < self.n_low_steps[batch_inds, 0][:, None]
        dones = np.zeros(n_batch, dtype=bool)
        if self.success_distance is not None:
            hit = (np.linalg.norm(achieved - goals[:, None, :], axis=-1) <= self.success_distance) & valid
            dones = hit.any(axis=1)
            first = np.where(dones, hit.argmax(axis=1), c)
            valid &= np.arange(c)[None, :] <= first[:, None]
        return self.reward_scale * (per_step * valid).sum(axis=1), dones

    def _hindsight(self, samples: ReplayBufferSamples, batch_inds: np.ndarray) -> ReplayBufferSamples:
        chosen = np.flatnonzero(self.rng.random(len(batch_inds)) < self.hindsight_ratio)
        if len(chosen) == 0:
            return samples
        goals, found = self.future_goals(batch_inds[chosen])
        chosen, goals = chosen[found], goals[found]
        if len(chosen) == 0:
            return samples
        rewards, dones = self.hindsight_rewards(batch_inds[chosen], goals)
        assert self.desired_goal_slice is not None
        lo, hi = self.desired_goal_slice
        obs, next_obs = samples.observations.clone(), samples.next_observations.clone()
        goals_t = self.to_torch(goals)
        index = self.to_torch(chosen).long()
        obs[index, lo:hi] = goals_t
        next_obs[index, lo:hi] = goals_t
        new_rewards, new_dones = samples.rewards.clone(), samples.dones.clone()
        new_rewards[index, 0] = self.to_torch(rewards.astype(np.float32))
        if self.success_distance is not None:
            # success under the new goal ends the episode; the stored termination was success under the old goal
            new_dones[index, 0] = self.to_torch(dones.astype(np.float32))
        return samples._replace(observations=obs, next_observations=next_obs, rewards=new_rewards, dones=new_dones)

    def _get_samples(self, batch_inds: np.ndarray, env: VecNormalize | None = None) -> ReplayBufferSamples:
        env_indices = np.random.randint(0, high=self.n_envs, size=(len(batch_inds),))
        samples = self._samples_at(batch_inds, env_indices, env)
        if self.hindsight_ratio > 0:
            if self.n_envs != 1:
                raise ValueError("hindsight relabelling needs a buffer with n_envs=1 (add each env's transitions in turn)")
            samples = self._hindsight(samples, batch_inds)
        if not self.correction:
            return samples
        goals, _ = self.correct_goals(batch_inds, env_indices)
        actions = self.to_torch(self.goal_to_action(goals).astype(np.float32))
        return samples._replace(actions=actions)

    def _samples_at(self, batch_inds: np.ndarray, env_indices: np.ndarray, env: VecNormalize | None) -> ReplayBufferSamples:
        # SB3's ReplayBuffer._get_samples, with the env indices chosen by the caller (the correction needs them)
        next_obs = self._normalize_obs(self.next_observations[batch_inds, env_indices, :], env)
        data = (
            self._normalize_obs(self.observations[batch_inds, env_indices, :], env),
            self.actions[batch_inds, env_indices, :],
            next_obs,
            (self.dones[batch_inds, env_indices] * (1 - self.timeouts[batch_inds, env_indices])).reshape(-1, 1),
            self._normalize_reward(self.rewards[batch_inds, env_indices].reshape(-1, 1), env),
        )
        return ReplayBufferSamples(*tuple(map(self.to_torch, data)))

    def pop_winner_fractions(self) -> dict[str, float]:
        """Fractions of sampled transitions whose winner was each kind of candidate since the last call; resets."""
        total = int(self.winner_counts.sum())
        out = {
            kind: (float(n) / total if total else float("nan"))
            for kind, n in zip(CANDIDATE_KINDS, self.winner_counts, strict=True)
        }
        self.winner_counts[:] = 0
        return out
