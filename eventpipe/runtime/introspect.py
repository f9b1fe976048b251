"""Read a handler's signature: what to parse each record into, and how to call it.

Supported forms (first parameter, then an optional second one receiving
:class:`~eventpipe.runtime.models.RecordInfo`)::

    def h(event: Event[OrderCreated]) -> None      # envelope, detail parsed into the model
    def h(event: Event) / def h(event)             # envelope, detail a dict
    def h(detail: OrderCreated)                     # the detail itself (rule-fed)
    def h(body: Payload) / def h(body)              # direct queue: model, dict (JSON) or str
    def h(event: Event[OrderCreated], record: RecordInfo)

Nothing here calls the handler: the deploy side uses :func:`detail_model` to publish a
JSON Schema of what a consumer accepts.
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from eventpipe.runtime.models import Event, RecordInfo

Kind = Literal["event", "detail", "body"]


@dataclass(frozen=True)
class HandlerShape:
    """How a handler wants its record.

    ``kind``: ``event`` (an :class:`Event`), ``detail`` (the event's detail) or ``body``
    (a direct-queue message body). ``target`` is the type the detail or body is parsed
    into (``None``: dict for JSON, and for bodies str when not JSON).
    """

    kind: Kind
    target: Any
    wants_record: bool
    event_model: type[Event[Any]] | None
    """The concrete ``Event[...]`` model to validate envelopes with (event/detail kinds)."""


def _hints(func: Any) -> dict[str, Any]:
    """Resolved annotations; unresolvable ones (TYPE_CHECKING imports) count as absent."""
    target = func
    if not (inspect.isfunction(target) or inspect.ismethod(target) or isinstance(func, type)):
        target = type(func).__call__  # a callable object: its __call__ holds the hints
    try:
        return typing.get_type_hints(target)
    except Exception:
        return {}


def _parameters(func: Any) -> list[inspect.Parameter]:
    sig = inspect.signature(func)
    return [
        p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def _is_event(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Event)


def _event_arg(annotation: type[Event[Any]]) -> Any:
    """``X`` of ``Event[X]``; ``None`` for a bare ``Event``."""
    meta = getattr(annotation, "__pydantic_generic_metadata__", None) or {}
    args = meta.get("args") or ()
    return args[0] if args else None


def _plain(annotation: Any) -> Any:
    """``None`` for 'no useful annotation' (missing, Any, object)."""
    if annotation in (inspect.Parameter.empty, Any, object, None):
        return None
    return annotation


def shape_of(func: Any, source: Literal["rule", "queue", "topic"]) -> HandlerShape:
    """The :class:`HandlerShape` of ``func`` for a consumer fed by ``source``.

    A ``"topic"`` consumer is served like a ``"queue"`` one: its handler receives the
    published SNS message as the body.

    Raises ``TypeError`` with the fix when the signature cannot be served.
    """
    params = _parameters(func)
    name = getattr(func, "__qualname__", repr(func))
    if not params:
        raise TypeError(
            f"handler {name} takes no positional parameter: declare one for the event "
            "(e.g. 'def handler(event: Event[MyDetail])')"
        )
    required = [p for p in params[2:] if p.default is inspect.Parameter.empty]
    if required:
        raise TypeError(
            f"handler {name} has required parameters {[p.name for p in required]} beyond "
            "(event, record): the runtime passes at most two arguments"
        )
    hints = _hints(func)
    first = _plain(hints.get(params[0].name, params[0].annotation))
    if isinstance(first, str):  # an annotation get_type_hints could not resolve
        first = None
    wants_record = len(params) >= 2
    if first is RecordInfo:
        raise TypeError(f"handler {name}: the first parameter receives the event, not RecordInfo")

    if _is_event(first):
        arg = _event_arg(first)
        return HandlerShape("event", _plain(arg), wants_record, first)
    if source == "rule":
        if first is None:
            return HandlerShape("event", None, wants_record, Event)
        return HandlerShape("detail", first, wants_record, Event[first])  # type: ignore[valid-type]
    return HandlerShape("body", first, wants_record, None)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if annotation is None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if members and all(isinstance(a, type) and issubclass(a, BaseModel) for a in members):
            from pydantic import RootModel  # deploy side only: keep it off the cold start

            names = "Or".join(a.__name__ for a in members)
            return type(names, (RootModel[annotation],), {"__module__": __name__})  # type: ignore[valid-type]
    return None


def detail_model(func: Any) -> type[BaseModel] | None:
    """The pydantic model the handler declares for its detail (or body), else ``None``.

    ``Event[OrderCreated]`` and ``OrderCreated`` give ``OrderCreated``; a union of models
    (``Event[OrderCreated | OrderUpdated]``) gives a ``RootModel`` of the union, whose
    ``model_json_schema()`` is the ``anyOf`` of both. Reads annotations only: the
    function is never called.
    """
    params = _parameters(func)
    if not params:
        return None
    hints = _hints(func)
    first = _plain(hints.get(params[0].name, params[0].annotation))
    if isinstance(first, str):
        return None
    if _is_event(first):
        first = _plain(_event_arg(first))
    return _model_of(first)
