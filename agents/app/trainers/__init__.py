"""The registry of ``hrl train`` algorithms: :data:`TRAINERS`, one :class:`~agents.app.core.Trainer` per algorithm.

Each algorithm's options, training and evaluation live in its own module of this package (``diayn``, ``dads``,
``metra``, ``hiro``, ``option_critic``); a new algorithm is one new module and one entry here.
"""

from __future__ import annotations

from agents.app.core import Trainer, _agent_loader
from agents.app.trainers.dads import _add_dads_arguments, _train_dads
from agents.app.trainers.diayn import _add_diayn_arguments, _train_diayn
from agents.app.trainers.hiro import _add_hiro_arguments, _load_hiro, _train_hiro
from agents.app.trainers.metra import _add_metra_arguments, _load_metra, _train_metra
from agents.app.trainers.option_critic import _add_option_critic_arguments, _load_option_critic, _train_option_critic

__all__ = ["TRAINERS"]

#: ``hrl train <name>``: one entry per algorithm.
TRAINERS: dict[str, Trainer] = {
    "diayn": Trainer(
        help="DIAYN: Diversity is All You Need (Eysenbach et al., 2019) on SB3's SAC or PPO",
        add_arguments=_add_diayn_arguments,
        train=_train_diayn,
        load=_agent_loader("DIAYN"),
        resumable=True,
    ),
    "dads": Trainer(
        help="DADS: Dynamics-Aware Discovery of Skills (Sharma et al., 2020) on SB3's SAC or PPO; plan with `hrl plan`",
        add_arguments=_add_dads_arguments,
        train=_train_dads,
        load=_agent_loader("DADS"),
        resumable=True,
    ),
    "metra": Trainer(
        help="METRA (Park et al., 2024) and LSD (--constraint spectral): skills in a learned distance-preserving space, "
        "on SB3's SAC",
        add_arguments=_add_metra_arguments,
        train=_train_metra,
        load=_load_metra,
        resumable=True,
    ),
    "hiro": Trainer(
        help="HIRO: goal-conditioned two-level hierarchy with off-policy correction (Nachum et al., 2018)",
        add_arguments=_add_hiro_arguments,
        train=_train_hiro,
        load=_load_hiro,
        resumable=True,
    ),
    "option-critic": Trainer(
        help="Option-Critic (Bacon et al., 2017): options with learned terminations, A2OC or PPOC updates",
        add_arguments=_add_option_critic_arguments,
        train=_train_option_critic,
        load=_load_option_critic,
        resumable=True,
    ),
}
