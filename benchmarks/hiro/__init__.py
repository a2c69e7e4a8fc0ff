"""HIRO benchmarks, written into ``docs/results/hiro.md``: ``hiro_pointmaze`` (HIRO against flat agents on PointMaze,
the round-robin training and report that ``hiro_antmaze`` runs on AntMaze), ``hiro_failures`` (where a checkpoint's
failed episodes end), ``hiro_subgoals`` (the subgoals a checkpoint's high level sets), ``antmaze_flips`` (how often
the ant lies upside down) and ``overhead_hiro`` (HIRO's time per step against flat TD3).
"""
