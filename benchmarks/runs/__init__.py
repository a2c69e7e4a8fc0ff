"""Benchmarks of the run machinery, written into ``docs/results/runs.md``: ``sweep_diayn_point`` (a Ray Tune sweep of
DIAYN on the point world), ``kill_resume`` (a run killed with SIGKILL, then resumed from its last checkpoint),
``throughput_n_envs`` (DIAYN-PPO with 2 environments against 1) and ``seeded_runs`` (two DIAYN runs with the same
seed, bit-identical).
"""
