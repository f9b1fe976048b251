"""``eventpipe new NAME``: a consumer plugin that works before its author writes a line.

The scaffold is a complete distribution under ``consumers/NAME``: a pyproject with the
``eventpipe`` entry point, the plugin declaration, a handler, a pydantic detail model and
tests built on :mod:`eventpipe.testing`. It passes its own tests and validates as a
plugin as generated, so the author starts from green and changes one thing at a time.

Templates are Python strings (:mod:`eventpipe.scaffold.templates`) rather than data
files, so they ship in any install of eventpipe without package-data configuration.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from eventpipe.consumer import CONSUMER_NAME
from eventpipe.exceptions import EventpipeError
from eventpipe.scaffold.templates import FILES

MAX_NAME = 40


class ScaffoldError(EventpipeError, ValueError):
    """Raised when a consumer cannot be scaffolded under the given name or place."""


@dataclass(frozen=True)
class Names:
    """Every spelling of the new consumer's name the templates need."""

    consumer: str
    package: str
    distribution: str
    model: str
    source: str
    detail_type: str

    @classmethod
    def of(cls, name: str, source: str | None = None, detail_type: str | None = None) -> Names:
        package = name.replace("-", "_")
        words = [w for w in re.split(r"[-_]", name) if w]
        return cls(
            consumer=name,
            package=package,
            distribution=f"eventpipe-{name}",
            model=_model_name(detail_type) or "".join(w.capitalize() for w in words) + "Detail",
            source=source or f"example.{package}",
            detail_type=detail_type or "Example Happened",
        )


def _model_name(detail_type: str | None) -> str | None:
    """``Payment Refunded`` -> ``PaymentRefunded``: the model is named after the event it
    parses when the detail type makes a Python name (None otherwise)."""
    if not detail_type:
        return None
    words = re.findall(r"[A-Za-z0-9]+", detail_type)
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return name if name.isidentifier() and not keyword.iskeyword(name) else None


def check_name(name: str) -> None:
    """Refuse names AWS or Python would reject, with the rule and an example."""
    if not re.match(CONSUMER_NAME, name) or len(name) > MAX_NAME:
        raise ScaffoldError(
            f"{name!r} is not a valid consumer name: use 1-{MAX_NAME} lower-case letters, "
            "digits and inner hyphens, e.g. `order-audit` (it becomes part of every AWS "
            "name of the pipeline)"
        )
    package = name.replace("-", "_")
    if name[0].isdigit() or keyword.iskeyword(package):
        raise ScaffoldError(
            f"{name!r} cannot be a consumer name here: its Python package {package!r} would "
            "not be importable; start with a letter and avoid Python keywords"
        )


def render(names: Names) -> dict[str, str]:
    """Relative path -> file content for ``names``."""
    values = {
        "name": names.consumer,
        "package": names.package,
        "distribution": names.distribution,
        "model": names.model,
        "source": names.source,
        "detail_type": names.detail_type,
        # One isort block (eventpipe and the plugin's own package are both first-party
        # inside a project), ordered by module name as ruff orders it.
        "handler_imports": "\n".join(
            sorted(
                [
                    "from eventpipe.runtime import Event, PermanentError",
                    f"from {names.package}.models import {names.model}",
                ]
            )
        ),
    }
    files = {}
    for path, text in FILES.items():
        files[Template(path).substitute(values)] = Template(text).substitute(values)
    return files


def _installed_plugin(names: Names) -> bool:
    """Whether the importable package of that name is this very plugin, installed from
    another copy of the project (``make install`` there): installing this copy replaces
    it, so it is no clash."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        installed = distribution(names.distribution)
    except PackageNotFoundError:
        return False
    return any(
        ep.group == "eventpipe" and ep.value == f"{names.package}.plugin"
        for ep in installed.entry_points
    )


def scaffold(
    name: str,
    consumers_dir: Path,
    *,
    source: str | None = None,
    detail_type: str | None = None,
) -> list[Path]:
    """Write the plugin into ``consumers_dir/name``; returns the files written."""
    check_name(name)
    target = consumers_dir / name
    if target.exists():
        raise ScaffoldError(
            f"{target} already exists: choose another name, or remove the folder first"
        )
    names = Names.of(name, source, detail_type)
    if importlib.util.find_spec(names.package) is not None and not _installed_plugin(names):
        raise ScaffoldError(
            f"a Python package {names.package!r} is already importable here, so the new "
            "plugin's package would clash with it: choose another consumer name"
        )
    written = []
    for relative, content in render(names).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        written.append(path)
    return written
