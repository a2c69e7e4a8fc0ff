"""HIRO's learning loop: collection over periods of ``c`` steps, training both levels, and logging.

Each step asks the high level for a new relative goal where a period starts, the low level for an action, and stores
the low level's transition (rewarded by the subgoal reward); where a period ends (``c`` steps or the episode's end) it
stores one high-level transition with the period's low-level observations, actions and goal states for the off-policy
correction. After ``learning_starts`` steps the low level trains every step and the high level every ``c`` steps. Both
levels log through one logger, each under its own prefix.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback, CallbackList, ProgressBarCallback
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.type_aliases import MaybeCallback
from stable_baselines3.common.utils import configure_logger

from hrl_wrappers.sb3.non_finite import check_finite_reset, check_finite_step

if TYPE_CHECKING:
    from agents.hiro.hiro import HIRO

__all__ = ["collect_and_train", "setup_learn"]


class _PrefixedLogger:
    """Records an SB3 learner's ``train/...`` metrics under another prefix (the two levels would overwrite)."""

    def __init__(self, logger: Logger, prefix: str) -> None:
        self._logger = logger
        self._prefix = prefix

    def record(self, key: str, value: Any, exclude: Any = None) -> None:
        self._logger.record(key.replace("train/", self._prefix, 1), value, exclude)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._logger, name)


def setup_learn(
    agent: HIRO, total_timesteps: int, callback: MaybeCallback, reset_num_timesteps: bool, tb_log_name: str, progress_bar: bool
) -> BaseCallback:
    """Start a ``learn`` call: step counters, the logger (the levels' metrics under ``high/`` and ``low/``), callbacks.

    Arguments as :meth:`HIRO.learn <agents.hiro.hiro.HIRO.learn>`; the callbacks see ``agent`` as their ``model``.
    """
    if agent.env is None:
        raise ValueError("this HIRO has no env: pass env= to HIRO.load or call set_env first")
    if reset_num_timesteps:
        agent.num_timesteps = 0
        agent._episode_num = 0
    agent._total_timesteps = total_timesteps + agent.num_timesteps
    if not agent._custom_logger:
        agent._logger = configure_logger(agent.verbose, agent.tensorboard_log, tb_log_name, reset_num_timesteps)
    assert agent._logger is not None
    agent.high.set_logger(_PrefixedLogger(agent._logger, "high/"))  # type: ignore[arg-type]
    agent.low.set_logger(_PrefixedLogger(agent._logger, "low/"))  # type: ignore[arg-type]
    callbacks: list[BaseCallback] = []
    if isinstance(callback, list):
        callbacks = list(callback)
    elif isinstance(callback, BaseCallback):
        callbacks = [callback]
    elif callback is not None:
        raise TypeError(f"callback must be a BaseCallback, a list of them or None, got {type(callback).__name__}")
    if progress_bar:
        callbacks.append(ProgressBarCallback())
    cb = CallbackList(callbacks)
    cb.init_callback(agent)  # type: ignore[arg-type]
    return cb


def collect_and_train(agent: HIRO, cb: BaseCallback, log_interval: int | None) -> None:
    """Step ``agent``'s env and train both levels until the step target set by :func:`setup_learn`.

    Callbacks see this loop's locals (``new_obs``, ``rewards``, ``dones``, ``infos``, ...) as in SB3's collection.

    :param agent: the agent being trained.
    :param cb: the callbacks returned by :func:`setup_learn`.
    :param log_interval: dump the logs every this many episodes (None: only at the end).
    """
    env = agent.env
    assert env is not None
    n, c, cfg = agent.n_envs, agent.c, agent.config
    high_buffer, low_buffer = agent.high_buffer, agent.low_buffer
    a_dim = len(agent.action_low)
    obs = env.reset()
    check_finite_reset(obs, agent.num_timesteps)
    states = agent.states(obs)
    desired = agent._desired(obs, n)
    goals = np.zeros((n, agent.goal_dim), dtype=np.float32)
    goal_actions = np.zeros((n, agent.goal_dim), dtype=np.float32)
    period = np.zeros(n, dtype=np.int64)
    start_high_obs = np.zeros((n, agent.high_obs_dim), dtype=np.float32)
    seq_low_obs = np.zeros((n, c, agent.low_obs_dim), dtype=np.float32)
    seq_low_act = np.zeros((n, c, a_dim), dtype=np.float32)
    seq_goal_states = np.zeros((n, c + 1, agent.goal_dim), dtype=np.float32)
    reward_sum = np.zeros(n, dtype=np.float64)
    hindsight = cfg["high_hindsight"] > 0
    bootstrap_periods = cfg["low_bootstrap_periods"]
    ag_key = cfg["achieved_goal_key"]
    seq_achieved = np.zeros((n, c, int(np.prod(obs[ag_key].shape[1:])) if hindsight else 0), dtype=np.float32)
    successes: deque[float] = deque(maxlen=100)
    ep_returns: deque[float] = deque(maxlen=100)
    ep_return = np.zeros(n)
    subgoal_dist: deque[float] = deque(maxlen=1000)
    intrinsic: deque[float] = deque(maxlen=1000)
    start_time = time.time()
    start_steps = agent.num_timesteps
    iteration = 0
    cb.on_training_start(locals(), globals())
    while agent.num_timesteps < agent._total_timesteps:
        cb.on_rollout_start()  # as SB3 with train_freq=1: after the last step's training (periodic checkpoints)
        warmup = agent.num_timesteps < cfg["learning_starts"]
        new = period == 0
        if np.any(new):
            high_obs = agent.high_observation(states, desired)
            if warmup:
                scaled = agent._rng.uniform(-1.0, 1.0, size=(n, agent.goal_dim)).astype(np.float32)
            else:
                scaled = agent._act(agent.high, high_obs, False, cfg["high_noise"])
            goal_actions[new] = scaled[new]
            goals[new] = agent._goal_from_scaled(scaled[new])
            start_high_obs[new] = high_obs[new]
            seq_goal_states[new, 0] = agent.subgoal_reward.project(states[new])
            reward_sum[new] = 0.0
        low_in = states[:, agent.low_level_keep]
        low_obs = agent.low_observation(states, goals)
        if warmup:
            action = agent._rng.uniform(-1.0, 1.0, size=(n, a_dim)).astype(np.float32)
        else:
            action = agent._act(agent.low, low_obs, False, cfg["low_noise"])
        new_obs, rewards, dones, infos = env.step(agent._env_action(action))
        agent.num_timesteps += n
        check_finite_step(new_obs, rewards, dones, infos, agent.num_timesteps)  # before any buffer or network sees it
        iteration += 1
        next_states = agent.states(new_obs)
        next_desired = agent._desired(new_obs, n)
        truncated = np.array([bool(info.get("TimeLimit.truncated", False)) for info in infos])
        final_states, final_desired, final_achieved = _final_observations(
            agent, new_obs, next_states, next_desired, dones, infos, hindsight
        )
        r_int = agent.subgoal_reward.reward(states, goals, final_states)
        next_goals = agent.subgoal_reward.transition(states, goals, final_states).astype(np.float32)
        rows = np.arange(n)
        seq_low_obs[rows, period] = low_in
        seq_low_act[rows, period] = action
        seq_goal_states[rows, period + 1] = agent.subgoal_reward.project(final_states)
        if final_achieved is not None:
            seq_achieved[rows, period] = final_achieved
        reward_sum += rewards
        ep_return += rewards
        period += 1
        period_end = (period >= c) | dones
        # a period's end is terminal for the low level (it cannot see the step counter) unless it bootstraps
        # from the carried goal; time limits bootstrap either way
        low_done = dones if bootstrap_periods else period_end
        low_timeout = truncated if bootstrap_periods else truncated & ~(period >= c)
        low_buffer.add(
            low_obs,
            agent.low_observation(final_states, next_goals),
            action,
            r_int.astype(np.float32),
            low_done.astype(np.float32),
            [{"TimeLimit.truncated": bool(t)} for t in low_timeout],
        )
        intrinsic.extend(r_int.tolist())
        for i in np.flatnonzero(period_end):
            high_buffer.add(
                start_high_obs[i : i + 1],
                agent.high_observation(final_states[i : i + 1], final_desired[i : i + 1]),
                goal_actions[i : i + 1],
                np.array([cfg["reward_scale"] * reward_sum[i]], dtype=np.float32),
                np.array([float(dones[i])], dtype=np.float32),
                [{"TimeLimit.truncated": bool(truncated[i])}],
                low_observations=seq_low_obs[i : i + 1],
                low_actions=seq_low_act[i : i + 1],
                goal_states=seq_goal_states[i : i + 1],
                n_low_steps=period[i : i + 1],
                achieved_goals=seq_achieved[i : i + 1] if hindsight else None,
                episode_key=int(i),
            )
            subgoal_dist.append(float(np.linalg.norm(next_goals[i])))
            period[i] = 0
        goals = next_goals
        for i in np.flatnonzero(dones):
            success = infos[i].get("is_success", infos[i].get("success"))
            if success is not None:
                successes.append(float(success))
            ep_returns.append(float(ep_return[i]))
            ep_return[i] = 0.0
            agent._episode_num += 1
        states, desired = next_states, next_desired
        cb.update_locals(locals())
        if not cb.on_step():
            break
        cb.on_rollout_end()
        if not warmup:
            progress = 1.0 - agent.num_timesteps / max(agent._total_timesteps, 1)
            agent.low._current_progress_remaining = agent.high._current_progress_remaining = progress
            agent.low.train(gradient_steps=cfg["gradient_steps"] * n, batch_size=cfg["batch_size"])
            if iteration % c == 0 and high_buffer.size() > 0:
                agent.high.train(gradient_steps=cfg["high_gradient_steps"] * n, batch_size=cfg["batch_size"])
        if log_interval is not None and np.any(dones) and agent._episode_num % log_interval == 0:
            _dump_logs(agent, successes, ep_returns, subgoal_dist, intrinsic, start_time, start_steps)
    _dump_logs(agent, successes, ep_returns, subgoal_dist, intrinsic, start_time, start_steps)
    cb.on_training_end()


def _final_observations(
    agent: HIRO,
    new_obs: Any,
    next_states: np.ndarray,
    next_desired: np.ndarray,
    dones: np.ndarray,
    infos: list[dict[str, Any]],
    hindsight: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """States, desired goals and achieved goals after a step, the terminal observation where an episode ended."""
    n = len(dones)
    states, desired = next_states.copy(), next_desired.copy()
    ag_key = agent.config["achieved_goal_key"]
    achieved = np.asarray(new_obs[ag_key], dtype=np.float32).reshape(n, -1).copy() if hindsight else None
    for i in np.flatnonzero(dones):
        terminal = infos[i].get("terminal_observation")
        if terminal is None:
            continue
        if isinstance(terminal, dict):
            batch: Any = {k: np.asarray(v)[None] for k, v in terminal.items()}
        else:
            batch = np.asarray(terminal)[None]
        states[i] = agent.states(batch)[0]
        desired[i] = agent._desired(batch, 1)[0]
        if achieved is not None:
            achieved[i] = np.asarray(terminal[ag_key], dtype=np.float32).reshape(-1)
    return states, desired, achieved


def _dump_logs(
    agent: HIRO,
    successes: deque[float],
    ep_returns: deque[float],
    subgoal_dist: deque[float],
    intrinsic: deque[float],
    start_time: float,
    start_steps: int,
) -> None:
    """Record the episodes' returns and successes, the subgoal distances and rewards, and the correction's winners."""
    log = agent.logger
    elapsed = max(time.time() - start_time, 1e-8)
    log.record("time/episodes", agent._episode_num, exclude="tensorboard")
    log.record("time/fps", int((agent.num_timesteps - start_steps) / elapsed))
    log.record("time/total_timesteps", agent.num_timesteps, exclude="tensorboard")
    if ep_returns:
        log.record("rollout/ep_rew_mean", float(np.mean(ep_returns)))
    if successes:
        log.record("hiro/success_rate", float(np.mean(successes)))
    if subgoal_dist:
        log.record("hiro/subgoal_distance", float(np.mean(subgoal_dist)))
    if intrinsic:
        log.record("hiro/intrinsic_reward", float(np.mean(intrinsic)))
    for kind, fraction in agent.high_buffer.pop_winner_fractions().items():
        if np.isfinite(fraction):
            log.record(f"hiro/correction_{kind}", fraction)
    log.dump(step=agent.num_timesteps)
