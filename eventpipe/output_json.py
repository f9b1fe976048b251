"""How the stack output's typed entries (:mod:`eventpipe.stack_output`) become JSON and
are read back: camelCase keys, required fields checked, optional ones defaulted.

Pulumi-free and pluggy-free, like the types it serves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from eventpipe.exceptions import EventpipeError


class StackOutputError(EventpipeError):
    """Raised when a stack output lacks a key this eventpipe needs (or is no output)."""


def json_key(field_name: str) -> str:
    """The JSON key of a field: ``event_source_mapping_uuid`` -> ``eventSourceMappingUuid``."""
    head, *rest = field_name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def to_json(entry: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A dataclass entry as JSON: camelCase keys, nested entries as objects, tuples as lists."""
    data: dict[str, Any] = {}
    for item in dataclasses.fields(entry):
        if item.name in leave_out:
            continue
        value = getattr(entry, item.name)
        if dataclasses.is_dataclass(value):
            value = to_json(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        data[json_key(item.name)] = value
    return data


def read_fields(
    cls: type, data: Mapping[str, Any], *, where: str, origin: str, taken: Iterable[str] = ()
) -> dict[str, Any]:
    """The plain fields of ``cls`` from ``data``: required ones must be there and non-empty,
    optional ones missing from an older output take their default. ``taken`` fields are
    read by the caller."""
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        if item.name in taken:
            continue
        key = json_key(item.name)
        required = (
            item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        )
        if not required:
            if key in data:
                values[item.name] = data[key]
            continue
        value = data.get(key)
        if value in (None, ""):
            raise StackOutputError(
                f"{origin}: the eventpipe output has no {where}{key!r}; it was written by an "
                "incompatible eventpipe version: run `pulumi up` again with this version"
            )
        values[item.name] = value
    return values


def mapping(value: Any, where: str, origin: str) -> Mapping[str, Any]:
    """``value`` when it is a JSON object; an error naming ``where`` otherwise."""
    if not isinstance(value, Mapping):
        raise StackOutputError(f"{origin}: {where} of the eventpipe output is not an object")
    return value
