"""An L2 penalty on a TD3 actor's actions, against a saturated high level.

A TD3 actor ends in ``tanh`` and climbs its critic's gradient. Where that gradient keeps pointing outward (a sparse
reward leaves the critic flat and noisy), the actions drift to the corners of the box and stay there: HIRO's high
level on PointMaze_Medium put 95% of its goal coordinates on the edge of the goal box, so its subgoals were the four
diagonals only (``benchmarks/hiro/hiro_subgoals.py``, BENCHMARKS.md). HER's DDPG (Andrychowicz et al., 2017) adds
``action_l2 * mean(a^2)`` to the actor loss for this reason, with actions scaled to [-1, 1] (``action_l2 = 1`` there).

SB3's :class:`~stable_baselines3.TD3` computes its actor loss as ``-critic.q1_forward(obs, actor(obs)).mean()`` and
calls ``q1_forward`` nowhere else, so :func:`add_action_penalty` replaces that one method of the critic with
``Q1(s, a) - coef * mean_i(a_i^2)``: the actor loss gains exactly the penalty, and the critic's own loss, its target
and the saved weights are untouched. Actions there are the scaled ones SB3 stores (``[-1, 1]`` per dimension).
"""

from __future__ import annotations

from collections.abc import Callable

import torch as th
from stable_baselines3 import TD3
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

__all__ = ["PenalisedQ1", "add_action_penalty"]


class PenalisedQ1:
    """``q1(obs, a) - coef * mean(a^2, last dim)``, keeping the original ``q1_forward`` as ``q1``.

    Example:
        >>> import torch as th
        >>> q1 = lambda obs, a: obs.sum(dim=1, keepdim=True)
        >>> penalised = PenalisedQ1(q1, coef=0.5)
        >>> penalised(th.ones(1, 3), th.tensor([[1.0, -0.5]])).item()  # 3 - 0.5 * (1 + 0.25) / 2
        2.6875
    """

    def __init__(self, q1: Callable[[th.Tensor, th.Tensor], th.Tensor], coef: float) -> None:
        self.q1 = q1
        self.coef = float(coef)

    def __call__(self, obs: th.Tensor, actions: th.Tensor) -> th.Tensor:
        return self.q1(obs, actions) - self.coef * actions.pow(2).mean(dim=-1, keepdim=True)


def add_action_penalty(model: OffPolicyAlgorithm, coef: float) -> None:
    """Give ``model``'s TD3 actor loss the penalty ``coef * mean(a^2)`` (a no-op for ``coef == 0``).

    Applying it again replaces the earlier coefficient; it is not saved with the model (re-apply after ``load``).

    :param model: a TD3 model (SAC's actor loss does not go through ``q1_forward``).
    :param coef: the penalty's weight, >= 0, on actions scaled to [-1, 1].

    Example:
        >>> from stable_baselines3 import TD3
        >>> model = TD3("MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [8]}, learning_starts=10, seed=0)
        >>> add_action_penalty(model, 1.0)
        >>> _ = model.learn(40)
    """
    if not (coef >= 0.0 and coef < float("inf")):
        raise ValueError(f"coef (the action penalty) must be a finite number >= 0, got {coef}")
    if not isinstance(model, TD3):
        raise ValueError(
            f"model must be a TD3 model for an action penalty (SAC's actor loss differs), got {type(model).__name__}"
        )
    critic = model.critic
    current = critic.q1_forward
    original = current.q1 if isinstance(current, PenalisedQ1) else current
    if coef == 0.0:
        if isinstance(current, PenalisedQ1):
            del critic.q1_forward  # the instance attribute: back to the class's method
        return
    critic.q1_forward = PenalisedQ1(original, coef)  # type: ignore[method-assign]
