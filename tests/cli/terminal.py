"""Rendering as an 80-column terminal would, for CliRunner tests.

CliRunner's stdout is not a terminal, so rich would render piped output (no wrapping,
no colour). ``TTY_COMPATIBLE=1`` makes rich treat it as a terminal of ``COLUMNS``
columns; ``NO_COLOR`` keeps colour codes out so widths can be measured (bold and dim
remain and are stripped by :func:`plain_lines`).
"""

from __future__ import annotations

import re

TERMINAL_80 = {"COLUMNS": "80", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}
PIPED = {"COLUMNS": "80", "TTY_COMPATIBLE": "0"}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain_lines(text: str) -> list[str]:
    """``text``'s lines without ANSI escape codes."""
    return ANSI.sub("", text).splitlines()


def too_wide(text: str, width: int = 80) -> list[str]:
    """The lines of ``text`` wider than ``width`` columns (none is the expectation)."""
    return [line for line in plain_lines(text) if len(line) > width]


def broken_words(narrow: str, wide: str, *, ordered: bool = True) -> list[str]:
    """Words of ``narrow`` that ``wide`` (the same output, unwrapped) does not have: a
    line broken inside a word shows as two fragments where one word was. Empty when
    every line of ``narrow`` ends between words. ``ordered``: the words must also come
    in the same order (prose; not for tables, whose wrapped cells interleave)."""
    narrow_words = " ".join(plain_lines(narrow)).split()
    wide_words = " ".join(plain_lines(wide)).split()
    extra = [w for w in narrow_words if w not in set(wide_words)]
    if extra or not ordered or narrow_words == wide_words:
        return extra
    return [f"word sequence differs: {narrow_words} != {wide_words}"]


def flat(text: str) -> str:
    """``text`` as one line, runs of whitespace (line ends too) as one space: what a
    message says, however a terminal's width wrapped it."""
    return " ".join(" ".join(plain_lines(text)).split())
