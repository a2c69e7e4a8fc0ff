"""The intrinsic-reward protocol that every learned reward (DIAYN, DADS, ...) implements.

A reward model reads the skill (or goal) from the observation itself, so one model serves the replay buffer, the
rollout buffer, the env-side wrapper and the evaluators alike:

* ``reward(obs, next_obs) -> np.ndarray``: the intrinsic reward of a batch of transitions;
* ``update(obs, next_obs) -> dict``: one gradient step of the model on a batch; returns metrics;
* ``state_dict()`` / ``load_state_dict()`` (from ``torch.nn.Module``) and ``optimizer``.

A new method is one subclass of :class:`IntrinsicReward` implementing :meth:`~IntrinsicReward.reward_th` and
:meth:`~IntrinsicReward.loss_th`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from torch import nn

from hrl_wrappers.rewards.networks import get_device
from hrl_wrappers.skill_layout import SkillLayout

__all__ = ["IntrinsicReward", "TensorObs", "check_relabeling_arguments"]

TensorObs = torch.Tensor | Mapping[str, torch.Tensor]
ArrayObs = np.ndarray | Mapping[str, np.ndarray]


def _check_finite(x: TensorObs, argument: str) -> None:
    values = x.values() if isinstance(x, Mapping) else [x]
    for v in values:
        if v.is_floating_point() and not bool(torch.isfinite(v).all()):
            raise ValueError(f"{argument} contains NaN or infinite values; the reward model expects finite observations")


def _as_tensor(x: Any, device: torch.device) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.to(device)
    arr = np.asarray(x)
    if any(stride < 0 for stride in arr.strides):  # e.g. obs[::-1]: torch cannot view negative strides
        arr = arr.copy()
    return torch.as_tensor(arr, device=device)


class IntrinsicReward(nn.Module, ABC):
    """Base class of learned intrinsic rewards over skill-conditioned observations.

    :param layout: where the skill and the state sit in observations (from the :class:`SkillWrapper`).
    :param features: indices of the (flattened) environment observation that the model sees; all when ``None``.
    :param device: torch device, ``"auto"`` for CUDA when available.
    """

    #: Prefix of the metrics this model logs (``diayn/loss``, ...).
    log_prefix: str = "intrinsic"

    optimizer: torch.optim.Optimizer

    #: whether the model's forward pass differs between train and eval mode (running normalisers, dropout). When
    #: False, :meth:`training_mode` only turns gradients on: walking the module tree twice per step to switch modes
    #: that change nothing costs about 0.1 ms, a visible share of a learner step.
    mode_dependent: bool = True

    def __init__(
        self, layout: SkillLayout, features: Sequence[int] | None = None, device: torch.device | str = "auto"
    ) -> None:
        super().__init__()
        if not isinstance(layout, SkillLayout):
            raise TypeError(
                f"layout must be the SkillLayout of a SkillWrapper (env.get_wrapper_attr('skill_layout')), got "
                f"{type(layout).__name__}: or build the model with {type(self).__name__}.for_env(skill_wrapped_env)"
            )
        self.layout = layout
        self.features = layout.check_feature_indices(features, "features")
        self.feature_dim = layout.feature_dim(self.features)
        self.device = get_device(device)

    # --------------------------------------------------------------------------------------- to implement
    @abstractmethod
    def reward_th(self, obs: TensorObs, next_obs: TensorObs) -> torch.Tensor:
        """Intrinsic reward of a batch, shape ``(batch,)``, computed without gradients."""

    @abstractmethod
    def loss_th(self, obs: TensorObs, next_obs: TensorObs, with_metrics: bool = True) -> tuple[torch.Tensor, dict[str, float]]:
        """Training loss of the model on a batch, and metrics to log (an empty dict when ``with_metrics`` is False)."""

    # --------------------------------------------------------------------------------------- shared
    def make_optimizer(self, learning_rate: float, params: Any = None) -> torch.optim.Optimizer:
        """Adam over this model's parameters (or ``params``: tensors or parameter groups), fused where torch supports
        it for their device.

        The fused kernel takes the same Adam step as the default per-tensor loop, in one call instead of about ten
        small ops per parameter tensor: on CPU it makes a 256x256 model's optimizer step roughly twice as fast,
        which matters because the model steps once per learner gradient step.
        """
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, float | int) or not 0 < learning_rate < math.inf:
            raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
        params = list(self.parameters()) if params is None else list(params)
        try:
            return torch.optim.Adam(params, lr=learning_rate, fused=True)
        except (RuntimeError, ValueError):  # a device or dtype without a fused kernel
            return torch.optim.Adam(params, lr=learning_rate)

    @contextmanager
    def training_mode(self) -> Iterator[None]:
        """Gradients on and train mode (running normalisers update, dropout is active); back to eval mode after."""
        with torch.enable_grad():
            if not self.mode_dependent:
                yield
                return
            self.train()
            try:
                yield
            finally:
                self.eval()

    def _register_feature_scale(self, feature_scale: float | Sequence[float]) -> None:
        """Check ``feature_scale`` (finite, non-zero; a scalar or one value per feature), keep it as given in
        ``feature_scale_arg`` (for :meth:`config`) and as a buffer ``feature_scale`` broadcast to the features."""
        scale = np.broadcast_to(np.asarray(feature_scale, dtype=np.float32), (self.feature_dim,))
        if not np.all(np.isfinite(scale)) or np.any(scale == 0):
            raise ValueError(f"feature_scale must be finite and non-zero, got {feature_scale!r}")
        self.feature_scale_arg = feature_scale if isinstance(feature_scale, float | int) else [float(s) for s in feature_scale]
        self.register_buffer("feature_scale", torch.as_tensor(np.array(scale)))

    def state_features(self, obs: TensorObs) -> torch.Tensor:
        """The chosen features of the environment state inside ``obs``."""
        return self.layout.features(obs, self.features)

    def to_tensor(self, obs: ArrayObs | TensorObs, argument: str = "obs", check_finite: bool = True) -> TensorObs:
        """Move a numpy (or dict of numpy) batch to this model's device as float tensors.

        :param argument: the name a NaN or infinite value is reported under.
        :param check_finite: raise on NaN or infinite values (callers that check the result instead pass False).
        """
        if isinstance(obs, Mapping):
            out = {k: _as_tensor(v, self.device) for k, v in obs.items()}
        else:
            out = _as_tensor(obs, self.device)  # type: ignore[assignment]
        if check_finite:
            _check_finite(out, argument)
        return out

    def reward(self, obs: ArrayObs, next_obs: ArrayObs) -> np.ndarray:
        """Intrinsic reward of a batch of transitions ``(obs, next_obs)`` as a numpy array of shape ``(batch,)``."""
        with torch.no_grad():
            r = self.reward_th(self.to_tensor(obs, "obs"), self.to_tensor(next_obs, "next_obs"))
        return r.cpu().numpy()

    def _optimizer_step(self, loss: torch.Tensor, max_grad_norm: float | None) -> None:
        value = float(loss.detach())  # one scalar read: cheaper than checking every input of the batch
        if not math.isfinite(value):
            raise ValueError(
                f"{type(self).__name__}'s training loss is {value}; no gradient step was taken (NaN or infinite "
                "values in the batch, or a diverged model)"
            )
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        if max_grad_norm is not None:
            nn.utils.clip_grad_norm_(self.parameters(), max_grad_norm)
        self.optimizer.step()

    def update_th(
        self, obs: TensorObs, next_obs: TensorObs, max_grad_norm: float | None = None, with_metrics: bool = True
    ) -> dict[str, float]:
        """One optimizer step on a batch of tensors; returns the metrics (empty when ``with_metrics`` is False)."""
        with self.training_mode():
            loss, metrics = self.loss_th(obs, next_obs, with_metrics)
            self._optimizer_step(loss, max_grad_norm)
        return metrics

    def reward_and_update_th(
        self, obs: TensorObs, next_obs: TensorObs, max_grad_norm: float | None = None, with_metrics: bool = True
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """The reward of a batch under the current model, then one optimizer step on that same batch.

        The relabelling replay buffer calls this when the reward model is due an update, so the learner's batch
        trains the model too (as the original DIAYN code trains its discriminator on SAC's minibatch). This default
        runs :meth:`reward_th` then :meth:`update_th`; subclasses can share one forward pass between them.
        """
        reward = self.reward_th(obs, next_obs)
        return reward, self.update_th(obs, next_obs, max_grad_norm, with_metrics)

    def update(self, obs: ArrayObs | TensorObs, next_obs: ArrayObs | TensorObs) -> dict[str, float]:
        """One optimizer step on a batch (numpy or torch); returns the metrics."""
        return self.update_th(self.to_tensor(obs, "obs"), self.to_tensor(next_obs, "next_obs"))

    def config(self) -> dict[str, Any]:
        """Plain-data constructor arguments (without the layout), for saving and rebuilding."""
        return {"features": self.features}


def check_relabeling_arguments(
    owner: str, reward: Any, intrinsic_coef: Any, extrinsic_coef: Any, observation_space: spaces.Space | None
) -> None:
    """Refuse a relabelling buffer's arguments: ``reward`` not an :class:`IntrinsicReward` (or None), coefficients not
    finite numbers, or a reward model whose skill layout does not fit the buffer's observation space.

    :param owner: the buffer's class name, for the messages.
    :param reward: the reward model (None: attached later).
    :param intrinsic_coef: weight of the intrinsic reward.
    :param extrinsic_coef: weight of the environment reward.
    :param observation_space: the buffer's observation space.
    """
    for name, value in (("intrinsic_coef", intrinsic_coef), ("extrinsic_coef", extrinsic_coef)):
        if isinstance(value, bool) or not isinstance(value, float | int | np.floating | np.integer) or not np.isfinite(value):
            raise ValueError(f"{owner}: {name} must be a finite number, got {value!r}")
    if reward is None:
        return
    if not isinstance(reward, IntrinsicReward):
        raise TypeError(f"{owner}: reward must be an hrl_wrappers IntrinsicReward (or None), got {type(reward).__name__}")
    expected = reward.layout.observation_space
    if observation_space is None:
        return
    if isinstance(expected, spaces.Box) and isinstance(observation_space, spaces.Box):
        fits = expected.shape == observation_space.shape
    elif isinstance(expected, spaces.Dict) and isinstance(observation_space, spaces.Dict):
        fits = set(expected.spaces) == set(observation_space.spaces)
    else:
        fits = type(expected) is type(observation_space)
    if not fits:
        raise ValueError(
            f"{owner}: observation_space {observation_space} does not fit the reward model's skill layout, whose "
            f"observations are {expected}: store the skill-wrapped observations (the SkillWrapper's observation_space)"
        )
