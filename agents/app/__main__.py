"""``python -m agents.app``: the ``hrl`` command line (see :mod:`agents.app.main`)."""

from agents.app.main import main

if __name__ == "__main__":
    raise SystemExit(main())
