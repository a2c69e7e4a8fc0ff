"""Option-Critic (Bacon, Harb & Precup, 2017): SB3-style deep agents and the tabular Four Rooms learners."""

from agents.option_critic.losses import option_critic_losses, option_policy_losses
from agents.option_critic.option_critic import OptionCritic
from agents.option_critic.policies import OptionCriticPolicy
from agents.option_critic.ppoc import PPOC

MlpPolicy = OptionCriticPolicy

__all__ = ["PPOC", "MlpPolicy", "OptionCritic", "OptionCriticPolicy", "option_critic_losses", "option_policy_losses"]
