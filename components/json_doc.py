"""JSON documents (policies, redrive policies, event patterns) whose values may be Outputs.

``pulumi.Output.json_dumps`` first turns its argument into an Output with
``Output.from_input``, which wraps every leaf of every dict and list in an Output of its
own, each with its asyncio task: a policy of a few statements costs dozens of Outputs
for the two or three ARNs that are not known yet. :func:`json_dumps` waits on those few
Outputs only, with one ``Output.all``, and writes the document with ``json.dumps`` once
they resolve. The text is the same (``Output.json_dumps`` calls ``json.dumps`` with its
defaults too), and so are the dependencies, secrecy and unknowns: ``Output.all`` carries
its Outputs' resources and secrecy, and leaves the document unknown in a preview while
one of them is.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi


def json_dumps(document: Any) -> pulumi.Output[str]:
    """``document`` (dicts, lists, tuples and plain values, any of which may be an
    Output) as JSON text, once its Outputs resolve."""
    waiting: list[pulumi.Output[Any]] = []
    _collect(document, waiting)
    if not waiting:
        return pulumi.Output.from_input(json.dumps(document))

    def write(values: list[Any]) -> str:
        return json.dumps(_fill(document, iter(values)))

    return pulumi.Output.all(*waiting).apply(write)


def _collect(value: Any, waiting: list[pulumi.Output[Any]]) -> None:
    if isinstance(value, pulumi.Output):
        waiting.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, waiting)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, waiting)


def _fill(value: Any, resolved: Any) -> Any:
    """``value`` with each Output replaced by the next resolved value, in the order
    :func:`_collect` found them (``Output.all`` has unwrapped those values deeply)."""
    if isinstance(value, pulumi.Output):
        return next(resolved)
    if isinstance(value, dict):
        return {key: _fill(item, resolved) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_fill(item, resolved) for item in value]
    return value
