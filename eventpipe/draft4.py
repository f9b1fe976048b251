"""Convert the JSON Schema pydantic writes (draft 2020-12) to JSON Schema Draft 4.

EventBridge's schema registry stores a schema of type ``JSONSchemaDraft4`` as Draft 4
("Type: ``OpenApi3`` | ``JSONSchemaDraft4``", EventBridge Schemas API reference,
https://docs.aws.amazon.com/eventbridge/latest/schema-reference/v1-registries-name-registryname-schemas-name-schemaname.html),
while pydantic v2 emits draft 2020-12
(https://docs.pydantic.dev/latest/concepts/json_schema/). The dialects disagree on the
keywords pydantic uses, so a schema published unconverted is not valid for its declared
type, and Draft 4 tools (code bindings, validators) read it wrongly:

* ``exclusiveMinimum``/``exclusiveMaximum`` are numbers in 2020-12 but booleans beside
  ``minimum``/``maximum`` in Draft 4 (Draft 4 validation spec, section 5.1.2/5.1.3,
  https://json-schema.org/draft-04/json-schema-validation#rfc.section.5.1);
* ``$defs`` is ``definitions`` in Draft 4, and every ``$ref`` must point there;
* ``const`` (draft 6+) is a one-value ``enum``;
* ``prefixItems`` (2020-12) is the array form of ``items`` plus ``additionalItems``;
* boolean subschemas (draft 6+) are ``{}`` (true) and ``{"not": {}}`` (false), except
  under ``additionalProperties``/``additionalItems``, where Draft 4 takes booleans;
* ``dependentRequired`` (2019-09) is ``dependencies`` with arrays.

Keywords Draft 4 does not know and that change no validation (``discriminator``, an
OpenAPI annotation pydantic adds to tagged unions; ``examples``; ``deprecated``;
``readOnly``/``writeOnly``) are dropped so the result is plain Draft 4. This is a pure
function with no dependencies, so the deploy side and the tests share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DRAFT4 = "http://json-schema.org/draft-04/schema#"

_DROPPED = frozenset(
    {"discriminator", "examples", "deprecated", "readOnly", "writeOnly", "$schema", "$id"}
)
# Keywords whose value is one subschema, a list of subschemas, or a map of subschemas.
_ONE = frozenset({"not", "items", "additionalItems", "additionalProperties", "contains"})
_LIST = frozenset({"allOf", "anyOf", "oneOf"})
_MAP = frozenset({"properties", "patternProperties", "definitions", "$defs"})
_BOOLEAN_ALLOWED = frozenset({"additionalProperties", "additionalItems"})


def to_draft4(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A Draft 4 copy of a draft 2020-12 ``schema`` (the input is not changed).

    The result carries ``"$schema": DRAFT4`` and validates the same instances as the
    input for every keyword pydantic emits.
    """
    converted = _subschema(schema)
    converted["$schema"] = DRAFT4
    return converted


def _ref(ref: str) -> str:
    return ref.replace("#/$defs/", "#/definitions/", 1) if ref.startswith("#/$defs/") else ref


def _subschema(schema: Any, *, boolean_ok: bool = False) -> Any:
    if isinstance(schema, bool):
        if boolean_ok:
            return schema
        return {} if schema else {"not": {}}
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED:
            continue
        if key == "$ref":
            out[key] = _ref(value)
        elif key == "const":
            out["enum"] = [value]
        elif key in _MAP:
            target = "definitions" if key == "$defs" else key
            merged = out.setdefault(target, {})
            merged.update({name: _subschema(sub) for name, sub in value.items()})
        elif key in _LIST:
            out[key] = [_subschema(sub) for sub in value]
        elif key == "prefixItems":
            out["items"] = [_subschema(sub) for sub in value]
        elif key == "items" and "prefixItems" in schema:
            # 2020-12: ``items`` after ``prefixItems`` governs the remaining elements.
            out["additionalItems"] = _subschema(value, boolean_ok=True)
        elif key in _ONE:
            out[key] = _subschema(value, boolean_ok=key in _BOOLEAN_ALLOWED)
        elif key == "dependentRequired":
            deps = out.setdefault("dependencies", {})
            deps.update({name: list(names) for name, names in value.items()})
        elif key == "dependentSchemas":
            deps = out.setdefault("dependencies", {})
            deps.update({name: _subschema(sub) for name, sub in value.items()})
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):
            continue  # handled below, together with minimum/maximum
        else:
            out[key] = value
    _bound(schema, out, "exclusiveMinimum", "minimum", lower=True)
    _bound(schema, out, "exclusiveMaximum", "maximum", lower=False)
    return out


def _bound(
    source: Mapping[str, Any], out: dict[str, Any], exclusive: str, inclusive: str, *, lower: bool
) -> None:
    """Draft 4 has one bound per side, with a boolean saying whether it is exclusive.

    When a 2020-12 schema gives both forms, the stricter one wins (for a lower bound the
    larger value; on a tie the exclusive one).
    """
    value = source.get(exclusive)
    if isinstance(value, bool):  # already Draft 4 style
        out[exclusive] = value
        return
    if not isinstance(value, int | float):
        return
    current = source.get(inclusive)
    if isinstance(current, int | float) and not isinstance(current, bool):
        stricter_inclusive = current > value if lower else current < value
        if stricter_inclusive:
            return
    out[inclusive] = value
    out[exclusive] = True
