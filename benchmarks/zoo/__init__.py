"""The skill zoo's files: ``make_skill_set`` trains a registered skill set with its recipe and exports its policy
into the package data (``hrl_wrappers/skill_zoo/data/``); the sets are described in ``docs/skill_zoo.md``.
"""
