"""Skills as macro-actions, written into ``docs/results/macro.md``: ``macro_waypoints`` (a learner over frozen DIAYN
skills against flat SAC and PPO on sparse waypoints in the point world) and ``overhead_macro``
(``MacroActionWrapper``'s time per step against a bare loop).
"""
