"""Floors run downhill: a module imports nothing from a floor above its own.

Each module is imported alone in a fresh interpreter and ``sys.modules`` is checked for
the floors above it (see docs/architecture.md). The ground floor ships inside the Lambda
runtime layer or is used by it, so Pulumi and pluggy must never load with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UPSTAIRS = ("eventpipe.cli", "eventpipe.local", "eventpipe.operate", "components")
GROUND = (
    "eventpipe.runtime",
    "eventpipe.contract",
    "eventpipe.consumer",
    "eventpipe.exceptions",
    "eventpipe.patterns",
    "eventpipe.publish",
    "eventpipe.stack_functions.breaker",
    "eventpipe.stack_functions.archiver",
)
DEPLOY_CONTRACT = (
    "eventpipe.function_env",
    "eventpipe.names",
    "eventpipe.pipes_paths",
    "eventpipe.plugin_resources",
    "eventpipe.config",
    "eventpipe.validation",
)
DISCOVERY = ("eventpipe.hookspecs", "eventpipe.plugins", "eventpipe.resolve")

FLOORS: list[tuple[str, tuple[str, ...]]] = [
    *[(m, ("pulumi", "pulumi_aws", "pluggy", "eventpipe.testing", *UPSTAIRS)) for m in GROUND],
    *[
        (m, ("pulumi", "pulumi_aws", "pluggy", "eventpipe.testing", *UPSTAIRS))
        for m in DEPLOY_CONTRACT
    ],
    *[(m, ("pulumi", "pulumi_aws", "eventpipe.testing", *UPSTAIRS)) for m in DISCOVERY],
    ("eventpipe.testing", ("pulumi", "pulumi_aws", "pluggy", *UPSTAIRS)),
    (
        "eventpipe.operate",
        ("pulumi", "pulumi_aws", "eventpipe.cli", "eventpipe.local", "components"),
    ),
]


def loaded_after_import(module: str) -> set[str]:
    script = f"import importlib, json, sys; importlib.import_module({module!r}); "
    script += "print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


@pytest.mark.parametrize(("module", "forbidden"), FLOORS, ids=[m for m, _ in FLOORS])
def test_a_floor_imports_nothing_above_it(module: str, forbidden: tuple[str, ...]) -> None:
    loaded = loaded_after_import(module)
    above = sorted(
        name for name in loaded for f in forbidden if name == f or name.startswith(f + ".")
    )
    assert above == [], f"{module} loads {above}"
