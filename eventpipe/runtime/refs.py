"""The one ``module:function`` loader: handlers, ``resources`` hooks, anything named so.

Lives in the runtime (which may import nothing above it) with no imports beyond the
standard library, so the Lambda cold start, validation and the deploy side share it
without pulling each other in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


class RefFormatError(ValueError):
    """Raised when a reference is not written ``module:function``."""


class NotCallableError(ImportError):
    """Raised when the module imports but has no callable under the given name."""


def import_ref(ref: str) -> Callable[..., Any]:
    """Import ``module:attribute`` and check it is callable.

    Raises :class:`RefFormatError`, whatever importing the module raised, or
    :class:`NotCallableError`, each saying what failed.
    """
    module_name, sep, attr = ref.partition(":")
    if not sep or not module_name or not attr:
        raise RefFormatError(f"{ref!r} is not 'module:function' (e.g. 'orders.handler:process')")
    module = importlib.import_module(module_name)
    try:
        target = getattr(module, attr)
    except AttributeError:
        raise NotCallableError(f"module {module_name!r} has no attribute {attr!r}") from None
    if not callable(target):
        raise NotCallableError(f"{ref!r} is a {type(target).__name__}, not a function")
    return target  # type: ignore[no-any-return]
