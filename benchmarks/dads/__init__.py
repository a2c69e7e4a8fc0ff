"""DADS benchmarks, written into ``docs/results/dads.md``: ``dads_point`` (skills and zero-shot planning on the point
world), ``train_dads_ant`` (an Ant-v5 run with checkpoints) and ``eval_dads_ant`` (its curve, skills and zero-shot
navigation), ``compare_dads_ant`` (several Ant runs' curves side by side), ``dads_ant_flips`` (how often the ant lies
upside down) and ``overhead_dads`` (DADS-SAC's time per step against plain SAC).
"""
