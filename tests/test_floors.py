"""What the import-linter contract cannot see: what a process actually loads.

The floors themselves (who may import whom, no circles, no Pulumi or pluggy where they
do not belong) are import-linter contracts in ``pyproject.toml``, run by ``make lint``;
grimp reads every import statement, those inside functions included. Two things remain
that only a real process shows:

* modules whose imports are lazy by design must stay lazy: the package root resolves its
  names with ``importlib`` (PEP 562), and the test kit and the runtime import Pulumi,
  moto or pluggy only inside the functions that need them;
* ``eventpipe consumers`` loads plugin modules by entry point and checks each
  ``resources`` reference: neither may drag in ``pulumi_aws``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAZY_AT_IMPORT: list[tuple[str, tuple[str, ...]]] = [
    ("eventpipe", ("pluggy", "pulumi", "pulumi_aws", "pydantic", "boto3")),
    ("eventpipe.runtime", ("pluggy", "pulumi", "pulumi_aws", "moto", "typer", "rich")),
    ("eventpipe.testing", ("pluggy", "pulumi", "pulumi_aws", "moto", "pytest")),
    ("eventpipe.resolve", ("pulumi", "pulumi_aws", "moto")),
]


def _loaded(script: str, tmp_path: Path) -> tuple[int, set[str]]:
    """Run ``script`` in a fresh interpreter; its exit code and the modules it loaded."""
    out = tmp_path / "modules.json"
    wrapped = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: open({str(out)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
        + script
    )
    done = subprocess.run([sys.executable, "-c", wrapped], cwd=ROOT, capture_output=True, text=True)
    assert out.exists(), done.stderr
    return done.returncode, set(json.loads(out.read_text()))


def _under(loaded: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded for p in packages if m == p or m.startswith(p + "."))


@pytest.mark.parametrize(
    ("module", "forbidden"), LAZY_AT_IMPORT, ids=[m for m, _ in LAZY_AT_IMPORT]
)
def test_importing_a_lazy_module_loads_none_of_its_optional_dependencies(
    module: str, forbidden: tuple[str, ...], tmp_path: Path
) -> None:
    code, loaded = _loaded(f"import importlib; importlib.import_module({module!r})", tmp_path)
    assert code == 0
    assert module in loaded
    assert _under(loaded, forbidden) == [], f"import {module} loads them"


def test_eventpipe_consumers_never_loads_pulumi_aws(tmp_path: Path) -> None:
    """The installed example plugins name ``resources`` modules that import pulumi_aws
    (``orders.infra``); ``eventpipe consumers`` validates those references without
    running them."""
    script = (
        "import sys\n"
        "from eventpipe.cli import main\n"
        "sys.argv = ['eventpipe', 'consumers', '--json']\n"
        "main()\n"
    )
    code, loaded = _loaded(script, tmp_path)
    assert code == 0
    assert "orders.plugin" in loaded  # the plugins were really loaded and validated
    assert "eventpipe.validation" in loaded
    assert _under(loaded, ("pulumi_aws", "pulumi", "components", "moto")) == []


def test_resolving_a_stack_file_never_loads_pulumi_aws(tmp_path: Path) -> None:
    script = (
        "from pathlib import Path\n"
        "from eventpipe.resolve import resolve_from_file\n"
        "resolved = resolve_from_file(Path('.'), 'dev')\n"
        "assert any(isinstance(c.consumer.resources, str) for c in resolved.consumers)\n"
    )
    code, loaded = _loaded(script, tmp_path)
    assert code == 0
    assert _under(loaded, ("pulumi_aws", "pulumi", "components")) == []
