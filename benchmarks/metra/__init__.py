"""METRA and LSD benchmarks, written into ``docs/results/metra.md``: ``train_skills`` (one skill-discovery run of
METRA, LSD, DIAYN or DADS on the point world, HalfCheetah or the gear-30 ant, with its coverage and distances) and
``overhead_metra`` (METRA-SAC's and LSD-SAC's time per step against plain SAC), ``report_metra`` (the coverage and
distance tables of a folder of ``train_skills`` runs) and ``goal_reaching_ant`` (zero-shot goal reaching on the ant,
METRA beside DADS's planner) and ``choose_ant_skills`` (which run of the ant recipe is shipped, chosen on held-out
goals).
"""
