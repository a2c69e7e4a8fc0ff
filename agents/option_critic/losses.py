"""The Option-Critic losses: critic, intra-option policy, entropy and termination terms, and those of a learned
policy over options.

Pure functions of batched tensors, shared by :class:`~agents.option_critic.option_critic.OptionCritic` and
:class:`~agents.option_critic.ppoc.PPOC` (whose clipped surrogate is the ``clip_range`` branch).
"""

from __future__ import annotations

import torch as th
from torch.nn import functional as F

__all__ = ["option_critic_losses", "option_policy_losses"]


def option_critic_losses(
    q_taken: th.Tensor,
    returns: th.Tensor,
    log_prob: th.Tensor,
    advantages: th.Tensor,
    entropy: th.Tensor,
    next_termination: th.Tensor,
    termination_advantages: th.Tensor,
    termination_mask: th.Tensor,
    old_log_prob: th.Tensor | None = None,
    clip_range: float | None = None,
) -> dict[str, th.Tensor]:
    """The option-critic losses of one batch (each a mean over the batch).

    * ``value_loss``: ``(G - Q(s, w))^2`` with ``G`` the critic targets;
    * ``policy_loss``: ``-log pi_w(a|s) A`` (``clip_range``: PPO's clipped surrogate on ``pi_w / pi_w_old``);
    * ``entropy_loss``: ``-H(pi_w(.|s))``;
    * ``termination_loss``: ``beta_w(s') (Q(s', w) - V(s') + xi) (1 - done)``, whose gradient descent lowers
      ``beta_w(s')`` where continuing ``w`` is worth more than ``V(s') - xi`` and raises it elsewhere.

    Example:
        >>> one = th.ones(1)
        >>> losses = option_critic_losses(one, 3 * one, th.zeros(1), one, one, 0.5 * one, -one, one)
        >>> {k: float(v) for k, v in losses.items()}
        {'value_loss': 4.0, 'policy_loss': -0.0, 'entropy_loss': -1.0, 'termination_loss': -0.5}
    """
    value_loss = F.mse_loss(q_taken, returns)
    if clip_range is None:
        policy_loss = -(log_prob * advantages).mean()
    else:
        assert old_log_prob is not None, "the clipped surrogate needs old_log_prob"
        ratio = th.exp(log_prob - old_log_prob)
        policy_loss = -th.min(advantages * ratio, advantages * th.clamp(ratio, 1 - clip_range, 1 + clip_range)).mean()
    entropy_loss = -entropy.mean()
    termination_loss = (next_termination * termination_advantages * termination_mask).mean()
    return {
        "value_loss": value_loss,
        "policy_loss": policy_loss,
        "entropy_loss": entropy_loss,
        "termination_loss": termination_loss,
    }


def option_policy_losses(option_logits: th.Tensor, q_values: th.Tensor) -> dict[str, th.Tensor]:
    """The losses of a learned policy over options ``pi_Omega(w | s)`` (each a mean over the batch).

    * ``option_policy_loss``: ``-sum_w pi_Omega(w|s) (Q(s, w) - V(s))`` with ``V(s) = sum_w pi_Omega(w|s) Q(s, w)`` and
      ``Q`` held fixed; its gradient is the policy gradient ``-sum_w pi_Omega(w|s) grad log pi_Omega(w|s) (Q - V)``
      over every option (PPOC's policy over options, with the option advantage as the signal);
    * ``option_entropy_loss``: ``-H(pi_Omega(.|s))``.

    Example:
        >>> losses = option_policy_losses(th.zeros(1, 2), th.tensor([[1.0, 3.0]]))
        >>> {k: round(float(v), 4) for k, v in losses.items()}
        {'option_policy_loss': -0.0, 'option_entropy_loss': -0.6931}
    """
    log_probs = th.log_softmax(option_logits, dim=-1)
    probs = log_probs.exp()
    q = q_values.detach()
    value = (probs.detach() * q).sum(-1, keepdim=True)
    return {
        "option_policy_loss": -(probs * (q - value)).sum(-1).mean(),
        "option_entropy_loss": (probs * log_probs).sum(-1).mean(),
    }
