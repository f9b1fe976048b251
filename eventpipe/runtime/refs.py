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


def locate_ref(ref: str) -> None:
    """Check ``module:function`` without running the module: it exists and binds the name.

    For validation, which must not run a plugin's ``resources`` module: that module
    declares Pulumi resources and imports ``pulumi_aws`` (seconds of import time, and
    ``eventpipe consumers`` has no business loading it).

    * The module is looked up with :func:`importlib.util.find_spec`, which imports its
      parent packages (their ``__init__``) but not the module itself.
    * A module already imported is checked as :func:`import_ref` checks it: the name is
      there and callable.
    * Otherwise its source is parsed, not run: the name must be bound at the top level
      (``def``, ``class``, an assignment or an import, also under a top-level ``if`` or
      ``try``). Whether it is callable cannot be told without running the module; the
      Pulumi program checks that when it loads the reference.
    * A module whose source cannot be read (compiled, or a loader without
      ``get_source``), or that can bind names invisibly (``from x import *``, a module
      ``__getattr__``), passes: the Pulumi program reports a missing function when it
      imports the module.

    Raises :class:`RefFormatError`, :class:`ModuleNotFoundError` (also for a missing
    parent package), whatever importing a parent package raised, :class:`SyntaxError`
    for a module that does not parse, or :class:`NotCallableError`.
    """
    import sys
    from importlib.util import find_spec

    module_name, sep, attr = ref.partition(":")
    if not sep or not module_name or not attr:
        raise RefFormatError(f"{ref!r} is not 'module:function' (e.g. 'orders.handler:process')")
    if module_name in sys.modules:
        import_ref(ref)
        return
    spec = find_spec(module_name)
    if spec is None:
        raise ModuleNotFoundError(f"No module named {module_name!r}", name=module_name)
    get_source = getattr(spec.loader, "get_source", None)
    if get_source is None:
        return
    try:
        source = get_source(module_name)
    except ImportError:
        return
    if source is None:
        return
    import ast

    tree = ast.parse(source, filename=spec.origin or module_name)
    bound = _top_level_names(tree.body)
    if bound is None or attr in bound:
        return
    raise NotCallableError(f"module {module_name!r} has no attribute {attr!r}")


def _top_level_names(body: list[Any]) -> set[str] | None:
    """Names a module body binds at its top level; ``None`` when it may bind others
    invisibly (a star import or a module ``__getattr__``)."""
    import ast

    names: set[str] = set()
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == "__getattr__":
                return None
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".", 1)[0])
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        nested: list[list[Any]] = []
        if isinstance(node, ast.If | ast.For | ast.While | ast.With):
            nested = [node.body, node.orelse] if not isinstance(node, ast.With) else [node.body]
        elif isinstance(node, ast.Try):
            nested = [node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)]
        for block in nested:
            inner = _top_level_names(block)
            if inner is None:
                return None
            names |= inner
    return names


def failure_site(exc: BaseException) -> str | None:
    """``path:line`` where ``exc`` was raised: the innermost frame of its traceback, or
    the file and line a :class:`SyntaxError` names; ``None`` when neither is known."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}" if exc.lineno else exc.filename
    import traceback

    # importlib's own frames say nothing to the user: the last frame outside it is the
    # plugin's (or its dependency's) line that raised.
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "importlib" not in f.filename and "<frozen" not in f.filename
    ]
    if not frames:
        return None
    return f"{frames[-1].filename}:{frames[-1].lineno}"


def explain_import_failure(ref: str, exc: BaseException) -> tuple[str, str]:
    """``(message, fix)`` for a failed :func:`import_ref` / :func:`locate_ref` of ``ref``.

    The fix depends on the cause, which the exception tells apart:

    * not written ``module:function``: the reference is wrong;
    * the module (or a parent package) is not found: a typo, or the plugin not installed;
    * the module lacks the function: the name after ``:`` is wrong;
    * the module raised while it was imported (a missing dependency is a
      ``ModuleNotFoundError`` naming another module): the file and line that raised.
    """
    module_name = ref.partition(":")[0]
    if isinstance(exc, RefFormatError):
        return str(exc), "write it as 'module:function', e.g. 'orders.handler:process'"
    if isinstance(exc, NotCallableError):
        attr = ref.partition(":")[2]
        return (
            f"{exc}",
            f"define {attr}() in {module_name}, or point the reference at the function that exists",
        )
    missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
    if missing and (module_name == missing or module_name.startswith(missing + ".")):
        return (
            f"module {module_name!r} of {ref!r} is not found ({missing!r} is not importable)",
            f"check the spelling of {module_name!r}; if it is right, install the plugin "
            "that contains it (`make install`)",
        )
    site = failure_site(exc)
    where = f" at {site}" if site else ""
    if missing:
        return (
            f"importing {module_name!r} of {ref!r} failed{where}: it imports {missing!r}, "
            "which is not installed",
            f"add {missing!r} to the plugin's dependencies in its pyproject.toml, then "
            "`make install`",
        )
    return (
        f"importing {module_name!r} of {ref!r} raised{where}: {type(exc).__name__}: {exc}",
        f"fix the code at {site}: the module runs when it is imported"
        if site
        else "fix the module: it runs when it is imported",
    )
