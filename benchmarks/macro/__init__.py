"""Skills as macro-actions, written into ``docs/results/macro.md``: ``macro_waypoints`` (a learner over frozen DIAYN
skills against flat SAC and PPO on sparse waypoints in the point world), ``zoo_tasks`` (a controller over the shipped
skill sets of the zoo against flat SAC and PPO on the sparse cheetah hurdles and ant waypoints) and ``overhead_macro``
(``MacroActionWrapper``'s time per step against a bare loop).
"""
