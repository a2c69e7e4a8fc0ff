"""DIAYN benchmarks, written into ``docs/results/diayn.md``: ``diayn_point`` (8 skills on the point world, several
seeds), ``train_diayn_halfcheetah`` (a HalfCheetah-v5 run with checkpoints) and ``eval_diayn_halfcheetah`` (its
skills, checkpoint by checkpoint), and ``overhead_diayn`` (DIAYN-SAC's time per step against plain SAC).
"""
