"""The ``eventpipe`` console script: the command line, or the extra it needs.

``pip install eventpipe`` installs the script (``[project.scripts]`` in pyproject.toml),
but the command line behind it needs the ``cli`` extra (typer, rich). Entering here
rather than in :mod:`eventpipe.cli` lets an install without it answer ``eventpipe`` with
one line naming the extra and exit 1, the CLI's code for every error eventpipe finds
(``eventpipe.cli.reporting``), instead of a traceback ending in ``ModuleNotFoundError``.
"""

from __future__ import annotations

import sys

from eventpipe.extras import MissingExtraError

EXIT_FAILED = 1
"""``eventpipe.cli.reporting.EXIT_FAILED``, which this module cannot import without typer."""


def main() -> None:
    """Run the ``eventpipe`` command line, or say which extra it needs."""
    try:
        from eventpipe.cli import main as run_cli
    except MissingExtraError as missing:
        print(f"error: {missing}", file=sys.stderr)
        raise SystemExit(EXIT_FAILED) from None
    run_cli()
