"""Which extra of the eventpipe distribution each optional part needs, and the error that
names it.

``pip install eventpipe`` installs the core: what a producer (``Publisher``), a plugin's
declarations (the plugin API) and the Lambda runtime import. The parts above it need the
libraries of an extra (``pyproject.toml``, ``[project.optional-dependencies]``; which
floor needs which: docs/architecture.md, "Floors and extras"):

========  ==================================  ==========================================
extra     brings                              for
========  ==================================  ==========================================
deploy    pulumi, pulumi-aws, packaging       the Pulumi program and its components, the
                                              function archives, ``run_resources``
local     deploy's, moto[server], watchfiles  ``eventpipe.local`` (``eventpipe dev``,
                                              ``eventpipe demo``), ``invoke_consumer``
cli       typer, rich                         the ``eventpipe`` command
========  ==================================  ==========================================

Each part calls :func:`require` before it imports its extra's libraries, so a missing
extra fails with :class:`MissingExtraError` naming the extra to install, never with a
bare ``ModuleNotFoundError`` from deep inside. :func:`require` looks the libraries up
(``importlib.util.find_spec``) without importing them, so the check costs a part whose
extra is installed under a millisecond (benchmarks/README.md, "Installed sizes"), not the
half second importing pulumi takes here (the local engine's worker processes, the CLI).

Example::

    from eventpipe.extras import require

    require("local", "the local engine (eventpipe dev, eventpipe demo)")
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eventpipe.exceptions import EventpipeError


@dataclass(frozen=True)
class Extra:
    """One extra: its name and the libraries it brings, each as (import name,
    distribution). ``tests/test_extras.py`` keeps them equal to ``pyproject.toml``'s."""

    name: str
    libraries: tuple[tuple[str, str], ...]

    @property
    def install(self) -> str:
        """The command that installs it (quoted: brackets are a glob in most shells)."""
        return f"pip install 'eventpipe[{self.name}]'"


_DEPLOY = (("pulumi", "pulumi"), ("pulumi_aws", "pulumi-aws"), ("packaging", "packaging"))

EXTRAS: Mapping[str, Extra] = {
    "deploy": Extra("deploy", _DEPLOY),
    # moto's server runs on Flask; `eventpipe dev` watches files with watchfiles; the local
    # engine deploys the Pulumi program, so it
    # needs every library of `deploy` as well (pyproject: local = eventpipe[deploy], ...).
    "local": Extra(
        "local",
        (
            ("moto", "moto"),
            ("flask", "Flask"),
            ("flask_cors", "flask-cors"),
            ("watchfiles", "watchfiles"),
            *_DEPLOY,
        ),
    ),
    "cli": Extra("cli", (("typer", "typer"), ("rich", "rich"))),
}
"""Every extra a part of eventpipe can require, by name."""


class MissingExtraError(EventpipeError, ModuleNotFoundError):
    """Raised when a part of eventpipe is imported or run without the extra it needs.

    A ``ModuleNotFoundError`` (``name`` is the first missing library's import name), so
    code that falls back on ``ImportError`` still does; an
    :class:`~eventpipe.exceptions.EventpipeError`, so the CLI prints its message alone.
    """

    def __init__(self, extra: Extra, feature: str, missing: list[tuple[str, str]]):
        self.extra = extra.name
        self.feature = feature
        self.missing = [distribution for _, distribution in missing]
        super().__init__(
            f"{feature} needs eventpipe's {extra.name!r} extra, which is not installed "
            f"here (missing: {', '.join(self.missing)}). Fix: {extra.install}",
            name=missing[0][0],
        )


def installed(module: str) -> bool:
    """Whether the top-level ``module`` can be imported, found without importing it.

    ``None`` in ``sys.modules`` is Python's mark of a module that must not be imported
    (the import system raises ``ModuleNotFoundError`` for it), so it counts as missing.
    """
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(extra: str, feature: str, *, only: Iterable[str] = ()) -> None:
    """Raise :class:`MissingExtraError` unless the libraries of ``extra`` are installed.

    ``feature`` says what needs them, as the message's subject ("the eventpipe command").
    ``only`` narrows the check to those import names of the extra, for a part that uses
    a few of its libraries (``invoke_consumer`` needs moto, not Flask).
    """
    wanted = EXTRAS[extra]
    names = set(only)
    unknown = names - {module for module, _ in wanted.libraries}
    if unknown:
        raise ValueError(f"extra {extra!r} brings no {sorted(unknown)}")
    missing = [
        (module, distribution)
        for module, distribution in wanted.libraries
        if (not names or module in names) and not installed(module)
    ]
    if missing:
        raise MissingExtraError(wanted, feature, missing)
