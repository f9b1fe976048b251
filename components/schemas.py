"""Publishing a consumer's event contract as a JSON Schema in EventBridge's registry.

A handler that declares a pydantic detail model (``def process(event: Event[OrderCreated])``)
tells producers exactly what it accepts; the registry is where they look for it. The
runtime owns how a model is read off a handler (``eventpipe.runtime.introspect``); this
module only adapts it and converts the model to the Draft 4 dialect EventBridge stores.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from eventpipe.consumer import Consumer
from eventpipe.draft4 import DRAFT4, to_draft4

__all__ = ["DRAFT4", "detail_model", "event_schema", "schema_name"]


def detail_model(handler: Callable[..., Any] | None) -> type[BaseModel] | None:
    """The pydantic model a handler declares for ``detail``, or None.

    Tolerates a runtime without the introspection helper (nothing is published then)
    rather than failing a deploy over documentation.
    """
    if handler is None:
        return None
    try:
        from eventpipe.runtime.introspect import detail_model as introspect
    except ImportError:
        return None
    model = introspect(handler)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model
    return None


def _string_values(pattern: dict[str, Any], key: str) -> list[str]:
    values = pattern.get(key)
    if isinstance(values, list):
        return [v for v in values if isinstance(v, str)]
    return []


def event_schema(consumer: Consumer, model: type[BaseModel]) -> str:
    """Draft 4 JSON Schema of the whole EventBridge event the consumer's rule accepts.

    pydantic writes draft 2020-12; the registry declares the schema ``JSONSchemaDraft4``,
    so the assembled schema goes through :func:`eventpipe.draft4.to_draft4`.
    """
    detail = model.model_json_schema()
    definitions = detail.pop("$defs", {})
    if set(detail) == {"$ref"}:  # a recursive model: pydantic puts it in $defs itself
        detail_ref = detail["$ref"]
    else:
        definitions[model.__name__] = detail
        detail_ref = f"#/$defs/{model.__name__}"
    properties: dict[str, Any] = {
        "detail": {"$ref": detail_ref},
        "source": {"type": "string"},
        "detail-type": {"type": "string"},
    }
    pattern = consumer.pattern or {}
    for key in ("source", "detail-type"):
        values = _string_values(pattern, key)
        if values:
            properties[key]["enum"] = values
    schema = {
        "title": f"{consumer.name}: {model.__name__}",
        "type": "object",
        "required": ["detail-type", "source", "detail"],
        "properties": properties,
        "$defs": definitions,
    }
    return json.dumps(to_draft4(schema), sort_keys=True)


def schema_name(consumer: Consumer, model: type[BaseModel]) -> str:
    return f"{consumer.name}@{model.__name__}"[:385]
