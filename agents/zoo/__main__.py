"""``python -m agents.zoo train|enjoy [rl_zoo3 arguments]``: rl_zoo3's scripts with this library's algorithms.

See :mod:`agents.zoo`. ``train`` gets ``--conf-file agents/zoo/hyperparams/<algo>.yml`` (the shipped file) unless
the arguments give one.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from agents.zoo import ALGORITHMS, HYPERPARAMS, register

SCRIPTS = ("train", "enjoy")


def _algo(args: Sequence[str]) -> str | None:
    for index, arg in enumerate(args):
        if arg == "--algo" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--algo="):
            return arg.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None) -> None:
    """Registers the algorithms and runs rl_zoo3's ``train`` or ``enjoy`` with the other arguments.

    :param argv: the arguments (default ``sys.argv[1:]``): the script name first.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in SCRIPTS:
        raise SystemExit(f"usage: python -m agents.zoo {{{','.join(SCRIPTS)}}} [rl_zoo3 arguments]")
    register()
    script, rest = args[0], args[1:]
    algo = _algo(rest)
    if script == "train" and algo in ALGORITHMS and not {"-conf", "--conf-file"} & set(rest):
        rest += ["--conf-file", str(HYPERPARAMS / f"{algo}.yml")]
    sys.argv = [f"rl_zoo3 {script}", *rest]
    if script == "train":
        from rl_zoo3.train import train

        train()
    else:
        from rl_zoo3.enjoy import enjoy

        enjoy()


if __name__ == "__main__":
    main()
