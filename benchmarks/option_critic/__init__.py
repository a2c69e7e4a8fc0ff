"""Option-Critic benchmarks, written into ``docs/results/option_critic.md``: ``option_critic_cartpole`` (PPOC beside
PPO on CartPole-v1), ``option_critic_pendulum`` (PPOC beside PPO on Pendulum-v1), ``option_critic_fourrooms`` (the
tabular Option-Critic of Bacon et al. on Four Rooms), ``option_critic_doorways`` (where each Four Rooms option ends)
and ``overhead_option_critic`` (Option-Critic's time per step against A2C and PPO).
"""
