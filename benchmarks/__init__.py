"""Benchmark scripts, grouped by method: each prints a table, writes plots under ``benchmarks/results/<run>/`` and
rewrites its section of the method's results page ``docs/results/<folder>.md``.

Run one as ``python -m benchmarks.<folder>.<script>``; the folders are ``diayn``, ``dads``, ``hiro``,
``option_critic``, ``macro`` (skills as macro-actions) and ``runs`` (sweeps, kill/resume, throughput). Shared by all:
:mod:`benchmarks.report` (the section writer and :func:`~benchmarks.report.page_link`) and
:mod:`benchmarks.compare_curves` (success curves of several runs in one plot and one section).
"""
