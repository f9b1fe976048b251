"""EventBridge event patterns: PutRule's grammar and AWS's matching, in our own code.

Why our own: no Python library answers like AWS. moto's ``EventPattern`` matches 106 of
117 event/pattern pairs recorded on AWS (it misses fields inside arrays of objects and
``exists`` on empty arrays, and matches unknown operators as true); the PyPI
``event-ruler`` package wraps another engine, not AWS's. AWS's engine is open source,
aws/event-ruler (https://github.com/aws/event-ruler, ``src/main/software/amazon/event/
ruler/``); the rules here follow it, and the EventBridge user guide where the two
disagree, and each module cites what it follows. ``tests/patterns/corpus/`` holds
event-ruler's own test cases, which the package passes.

* :mod:`~eventpipe.patterns.grammar`: the structure of a pattern and :func:`pattern_problems`;
* :mod:`~eventpipe.patterns.operators`: one check per comparison operator;
* :mod:`~eventpipe.patterns.flatten`: dot-joined field names, sub-rules, array membership;
* :mod:`~eventpipe.patterns.values`: one test per pattern value on one event value;
* :mod:`~eventpipe.patterns.byte_machine` and :mod:`~eventpipe.patterns.complexity`: the
  wildcard limit ("Rule is too complex"), ported from event-ruler's evaluator;
* :mod:`~eventpipe.patterns.matching`: the compiled matcher, :func:`matches`;
* :mod:`~eventpipe.patterns.explain`: why a pattern does not match an event (the field
  that failed), :func:`explain`, built from the matcher's own pieces;
* :mod:`~eventpipe.patterns.sns_filter`: SNS subscription filter policies on message
  attributes, on the same engine, with SNS's own differences (its docstring).

``eventpipe match``, the plugin test kit and the local engine (through
``eventpipe/local/emulator/shims/event_patterns.py``) all call :func:`matches`;
``eventpipe trace`` calls :func:`explain`, and
:func:`~eventpipe.patterns.sns_filter.explain_policy` for topic-fed consumers.
"""

from __future__ import annotations

from eventpipe.patterns.explain import Explanation, Mismatch, explain
from eventpipe.patterns.grammar import (
    MAX_PATTERN_CHARS,
    RESERVED_IN_OR,
    InvalidPatternError,
    pattern_problems,
    to_json,
    validate_pattern,
)
from eventpipe.patterns.matching import compile_pattern, matches
from eventpipe.patterns.operators import (
    ANYTHING_BUT_OPERATORS,
    NUMERIC_LIMIT,
    NUMERIC_OPERATORS,
    OPERATORS,
)

__all__ = [
    "ANYTHING_BUT_OPERATORS",
    "MAX_PATTERN_CHARS",
    "NUMERIC_LIMIT",
    "NUMERIC_OPERATORS",
    "OPERATORS",
    "RESERVED_IN_OR",
    "Explanation",
    "InvalidPatternError",
    "Mismatch",
    "compile_pattern",
    "explain",
    "matches",
    "pattern_problems",
    "to_json",
    "validate_pattern",
]
