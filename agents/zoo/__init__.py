"""rl-baselines3-zoo (``rl_zoo3``) plugin: train, evaluate and tune DIAYN and PPOC with the zoo's own scripts.

``python -m agents.zoo train|enjoy ...`` registers the algorithms below into rl_zoo3 (its ``ALGOS`` and its Optuna
samplers) and then runs rl_zoo3's own entry point with the remaining arguments. ``train`` reads this package's
hyperparameter files (``agents/zoo/hyperparams/<algo>.yml``) unless ``--conf-file`` is given::

    python -m agents.zoo train --algo diayn --env hrl_wrappers/PointWorld-v0 -n 3000 -f logs
    python -m agents.zoo enjoy --algo diayn --env hrl_wrappers/PointWorld-v0 -f logs -n 300 --no-render
    python -m agents.zoo train --algo ppoc --env CartPole-v1 -n 500 -optimize --n-trials 2 --n-jobs 1

Registered algorithms (:data:`ALGORITHMS`): ``diayn`` (:data:`agents.DIAYN`, SAC back end by default: its
checkpoints load with the class of the back end they store), ``diayn_ppo`` (:class:`agents.DIAYNPPO`) and ``ppoc``
(:class:`agents.PPOC`). DIAYN's hyperparameter files wrap the environments with
:class:`hrl_wrappers.SkillWrapper` (``env_wrapper``), so that the zoo's evaluation environments carry the skill too.

Needs the ``zoo`` extra (``pip install hrl-wrappers[zoo]``: rl_zoo3 and Optuna).
"""

from __future__ import annotations

import pathlib
from typing import Any

from agents.diayn import DIAYN, DIAYNPPO
from agents.option_critic import PPOC

__all__ = ["ALGORITHMS", "HYPERPARAMS", "register", "sample_diayn_params", "sample_ppoc_params"]

#: the hyperparameter files shipped with the package (one ``<algo>.yml`` per algorithm)
HYPERPARAMS = pathlib.Path(__file__).resolve().parent / "hyperparams"
#: zoo name -> the class (or factory) rl_zoo3 builds and loads.
ALGORITHMS: dict[str, Any] = {"diayn": DIAYN, "diayn_ppo": DIAYNPPO, "ppoc": PPOC}


def sample_diayn_params(trial: Any, n_actions: int, n_envs: int, additional_args: dict[str, Any]) -> dict[str, Any]:
    """Optuna sampler of DIAYN (SAC back end): rl_zoo3's SAC space plus the discriminator's learning rate.

    :param trial: the Optuna trial.
    :param n_actions: the action dimension (rl_zoo3's sampler signature).
    :param n_envs: the number of environments.
    :param additional_args: rl_zoo3's extra sampler arguments.
    :return: keyword arguments of the agent.
    """
    from rl_zoo3.hyperparams_opt import sample_sac_params

    params = sample_sac_params(trial, n_actions, n_envs, additional_args)
    params["discriminator_lr"] = trial.suggest_float("discriminator_lr", 1e-5, 3e-3, log=True)
    return params


def sample_ppoc_params(trial: Any, n_actions: int, n_envs: int, additional_args: dict[str, Any]) -> dict[str, Any]:
    """Optuna sampler of PPOC: learning rate, rollout length, discount, entropy and the number of options.

    :param trial: the Optuna trial.
    :param n_actions: the action dimension (rl_zoo3's sampler signature).
    :param n_envs: the number of environments.
    :param additional_args: rl_zoo3's extra sampler arguments.
    :return: keyword arguments of :class:`agents.PPOC`.
    """
    n_steps = 2 ** trial.suggest_int("n_steps_pow", 5, 11)
    return {
        "learning_rate": trial.suggest_float("learning_rate", 1e-5, 3e-3, log=True),
        "n_steps": n_steps,
        "batch_size": min(64, n_steps * n_envs),
        "gamma": 1.0 - trial.suggest_float("one_minus_gamma", 1e-4, 0.03, log=True),
        "ent_coef": trial.suggest_float("ent_coef", 1e-8, 0.01, log=True),
        "n_options": trial.suggest_categorical("n_options", [2, 4, 8]),
    }


def _convert_diayn(sampled_params: dict[str, Any]) -> dict[str, Any]:
    from rl_zoo3.hyperparams_opt import convert_offpolicy_params

    return convert_offpolicy_params(sampled_params)


def _convert_ppoc(sampled_params: dict[str, Any]) -> dict[str, Any]:
    converted = dict(sampled_params)
    converted["n_steps"] = 2 ** converted.pop("n_steps_pow")
    converted["gamma"] = 1.0 - converted.pop("one_minus_gamma")
    converted["batch_size"] = min(64, converted["n_steps"])
    return converted


def register() -> None:
    """Adds :data:`ALGORITHMS` and their Optuna samplers to rl_zoo3 (in place: its scripts read the same dicts).

    :raises ImportError: with the install command when rl_zoo3 is not installed.
    """
    try:
        from rl_zoo3 import hyperparams_opt, utils
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError("agents.zoo needs rl_zoo3: pip install 'hrl-wrappers[zoo]' (or pip install rl_zoo3)") from error
    utils.ALGOS.update(ALGORITHMS)
    hyperparams_opt.HYPERPARAMS_SAMPLER.update(
        {"diayn": sample_diayn_params, "diayn_ppo": hyperparams_opt.sample_ppo_params, "ppoc": sample_ppoc_params}
    )
    hyperparams_opt.HYPERPARAMS_CONVERTER.update(
        {"diayn": _convert_diayn, "diayn_ppo": hyperparams_opt.convert_onpolicy_params, "ppoc": _convert_ppoc}
    )
