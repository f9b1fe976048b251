"""Errors raised while turning plugins and stack config into pipelines.

All of them are detected before any resource is declared and reported together, so one
``pulumi preview`` shows every problem at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plugin declaration or the stack config.

    ``plugin`` is the entry point name (or ``"stack config"``), ``consumer`` the consumer
    name when known, ``field`` the declaration field or config key, ``fix`` what to do.
    """

    plugin: str
    consumer: str | None
    field: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = self.plugin if self.plugin == "stack config" else f"plugin {self.plugin!r}"
        if self.consumer:
            where += f", consumer {self.consumer!r}"
        where += f", field {self.field!r}"
        text = f"{where}: {self.message}"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class EventpipeError(Exception):
    """Base class of every error eventpipe raises on purpose."""


class ConfigurationError(EventpipeError):
    """Raised when plugin declarations or stack config are invalid; holds every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"eventpipe found {len(self.problems)} problem(s):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class InvalidConsumerError(EventpipeError, ValueError):
    """Raised when a ``Consumer`` is built with values AWS would reject.

    Carries the consumer's name (when it had one) and each field error, so discovery can
    report them as problems of the plugin that declared it.
    """

    def __init__(self, consumer: str | None, errors: list[tuple[str, str]]):
        self.consumer = consumer
        self.errors = errors
        detail = "; ".join(f"{field}: {msg}" for field, msg in errors)
        super().__init__(f"invalid consumer {consumer or '(unnamed)'}: {detail}")


class EventpipeWarning(UserWarning):
    """Issued for a stack config that works but is probably not what was meant (a key in
    a namespace that looks like a misspelt ``eventpipe:``); the CLI prints it as
    ``warning: ...`` on stderr."""


class EventpipeDeprecationWarning(EventpipeWarning, DeprecationWarning):
    """Issued when a plugin or a stack uses a name eventpipe has renamed; the old name
    still works. A :class:`DeprecationWarning` (test runs show it) and an
    :class:`EventpipeWarning` (the CLI prints it)."""


def suggest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name`` (difflib's ratio >= 0.6), for "did you mean";
    a case-only difference always counts."""
    import difflib

    candidates = list(known)
    for candidate in candidates:
        if candidate.lower() == name.lower():
            return candidate
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None
