"""The example plugins and the ``eventpipe new`` scaffold declare what they import, each
side where it runs, and nothing else.

A plugin has three sides (consumers/README.md, "Layout"):

* the Lambda side (``handler.py``, ``models.py``, ...): its imports are the
  distribution's ``dependencies``, which ``eventpipe.packaging`` installs into the
  function archive (less what Lambda and the layers provide);
* the Pulumi side (``plugin.py``, ``infra.py``): ``plugin.py`` imports eventpipe alone;
  what ``infra.py`` imports (pulumi_aws) is the ``deploy`` extra, so no function ships
  it;
* ``tests/``: the ``test`` extra, which may also name the plugin's own ``deploy`` extra
  (``run_resources`` runs ``infra.py``) and moto (``invoke_consumer`` runs the handler
  in it), both used through ``eventpipe.testing``.

Imports under ``if TYPE_CHECKING:`` (the boto3 stubs) are for the type checker and need
no install.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import pytest

from eventpipe.scaffold import Names, render

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = sorted(p.parent for p in (ROOT / "consumers").glob("*/pyproject.toml"))
PULUMI_SIDE = {"plugin.py", "infra.py"}
THROUGH_THE_TEST_KIT = {"moto"}
"""Needed by eventpipe.testing's ConsumerInvoker (invoke_consumer), not imported by name."""


def _name(requirement: str) -> str:
    bare = re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def _runtime_imports(source: str) -> set[str]:
    """Top-level modules ``source`` imports, except under ``if TYPE_CHECKING:``."""
    tree = ast.parse(source)
    type_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for statement in branch.body
        for node in ast.walk(statement)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@functools.cache
def _providers() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())


def _distributions(modules: Iterable[str], own: set[str]) -> set[str]:
    """Distributions providing ``modules`` (this environment's), less the standard
    library and the plugin's own packages."""
    provided = _providers()
    names = set()
    for module in modules:
        if module in sys.stdlib_module_names or module in own or module == "__future__":
            continue
        assert module in provided, f"{module} is imported but no installed distribution has it"
        names |= {_name(d) for d in provided[module]}
    return names


def _declared_by_side(project: dict, own: str) -> dict[str, set[str]]:
    extras = project.get("optional-dependencies", {})
    return {
        "lambda": {_name(r) for r in project["dependencies"]},
        "pulumi": {_name(r) for r in extras.get("deploy", [])},
        "tests": {_name(r) for r in extras.get("test", [])} - {_name(own)},
    }


def _check(files: dict[str, str], pyproject: str) -> None:
    """``files``: path (from the plugin's root) -> source."""
    project = tomllib.loads(pyproject)["project"]
    own = {path.split("/")[1] for path in files if path.startswith("src/")}
    imported: dict[str, set[str]] = {"lambda": set(), "pulumi": set(), "tests": set()}
    for path, source in files.items():
        if not path.endswith(".py"):
            continue
        side = (
            "tests"
            if path.startswith("tests/")
            else "pulumi"
            if Path(path).name in PULUMI_SIDE
            else "lambda"
        )
        imported[side] |= _distributions(_runtime_imports(source), own)
    declared = _declared_by_side(project, project["name"])

    # Each side finds what it imports among what it installs...
    assert imported["lambda"] <= declared["lambda"]
    assert imported["pulumi"] <= declared["lambda"] | declared["pulumi"]
    assert imported["tests"] <= declared["lambda"] | declared["pulumi"] | declared["tests"]
    # ...and declares nothing it does not import.
    assert declared["lambda"] <= imported["lambda"] | imported["pulumi"]
    assert declared["pulumi"] <= imported["pulumi"]
    assert declared["tests"] <= imported["tests"] | THROUGH_THE_TEST_KIT
    # The function archive is built from `dependencies`: no Pulumi in it.
    assert declared["lambda"].isdisjoint({"pulumi", "pulumi-aws", "moto", "pytest"})


def _tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in root.rglob("*.py")
        if "__pycache__" not in path.parts
    }


@pytest.mark.parametrize("plugin", PLUGINS, ids=[p.name for p in PLUGINS])
def test_an_example_plugin_declares_what_each_side_imports(plugin: Path) -> None:
    _check(_tree(plugin), (plugin / "pyproject.toml").read_text())


def test_the_scaffold_declares_what_each_side_imports() -> None:
    files = render(Names.of("parcel-audit"))
    _check(files, files["pyproject.toml"])


def test_a_plugin_importing_an_undeclared_library_is_caught() -> None:
    """The check itself: a handler that starts importing requests fails it."""
    files = render(Names.of("parcel-audit"))
    files["src/parcel_audit/handler.py"] += "\nimport requests\n"
    with pytest.raises(AssertionError):
        _check(files, files["pyproject.toml"])


def test_a_plugin_declaring_pulumi_for_its_lambda_side_is_caught() -> None:
    files = render(Names.of("parcel-audit"))
    pyproject = files["pyproject.toml"].replace(
        'dependencies = ["eventpipe", "pydantic>=2.7,<3"]',
        'dependencies = ["eventpipe", "pydantic>=2.7,<3", "pulumi-aws>=7.0,<8"]',
    )
    assert pyproject != files["pyproject.toml"]
    with pytest.raises(AssertionError):
        _check(files, pyproject)
