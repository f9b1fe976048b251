"""The extras table (``eventpipe/extras.py``) against ``pyproject.toml``, and the error a
missing extra raises.

Each extra's libraries are listed twice: as requirements in ``pyproject.toml`` (what pip
installs) and as import names in :data:`eventpipe.extras.EXTRAS` (what :func:`require`
looks for). The first tests keep the two equal, so a dependency added to an extra is
checked for, and a checked library is one the extra installs.

A library is made missing the way Python itself marks a module that must not be
imported: ``None`` in ``sys.modules`` (``import`` then raises ``ModuleNotFoundError``).
``tests/test_core_install.py`` checks the same errors where the libraries are really
absent, in a virtualenv with the core alone.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from eventpipe.exceptions import EventpipeError
from eventpipe.extras import EXTRAS, MissingExtraError, installed, require

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SELF = re.compile(r"^eventpipe\[(?P<extras>[^\]]+)\]$")


def _name(requirement: str) -> str:
    """PEP 503 name of a requirement string (``moto[server]>=5`` -> ``moto``)."""
    bare = re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def _expanded(extra: str) -> list[str]:
    """The extra's requirements, with ``eventpipe[other]`` replaced by other's."""
    requirements = []
    for requirement in PYPROJECT["optional-dependencies"][extra]:
        nested = SELF.match(requirement)
        if nested:
            for other in nested.group("extras").split(","):
                requirements += _expanded(other.strip())
        else:
            requirements.append(requirement)
    return requirements


def _required_by(requirements: list[str]) -> set[str]:
    """Names of ``requirements`` and of what each requires with the extras it names
    (``moto[server]`` -> Flask), read from the installed distributions' metadata."""
    names = set()
    for requirement in requirements:
        name = _name(requirement)
        names.add(name)
        asked = re.search(r"\[([^\]]+)\]", requirement)
        for extra in asked.group(1).split(",") if asked else []:
            for line in metadata.requires(name) or []:
                if re.search(rf"extra == ['\"]{extra.strip()}['\"]", line):
                    names.add(_name(line))
    return names


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_every_requirement_of_an_extra_is_checked_for(extra: str) -> None:
    checked = {_name(distribution) for _, distribution in EXTRAS[extra].libraries}
    assert {_name(r) for r in _expanded(extra)} <= checked


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_every_library_checked_for_is_installed_by_its_extra(extra: str) -> None:
    installs = _required_by(_expanded(extra))
    checked = {_name(distribution) for _, distribution in EXTRAS[extra].libraries}
    assert checked <= installs


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_each_import_name_belongs_to_its_distribution(extra: str) -> None:
    provided = metadata.packages_distributions()
    for module, distribution in EXTRAS[extra].libraries:
        assert _name(distribution) in {_name(d) for d in provided[module]}, module


def test_all_is_every_extra_and_the_core_holds_none_of_their_libraries() -> None:
    every = {_name(r) for extra in EXTRAS for r in _expanded(extra)}
    assert {_name(r) for r in _expanded("all")} == every
    core = {_name(r) for r in PYPROJECT["dependencies"]}
    assert core == {"boto3", "aws-lambda-powertools", "pluggy", "pydantic", "pyyaml"}
    assert core.isdisjoint(every)


def test_the_project_installs_every_extra() -> None:
    """``make install`` (so ``make test``) runs with every extra, and says so."""
    assert "-e '.[all,dev]'" in (ROOT / "Makefile").read_text()
    for extra in EXTRAS:
        require(extra, "this test")


def test_a_missing_library_names_the_extra_and_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)
    with pytest.raises(MissingExtraError) as raised:
        require("cli", "the eventpipe command")
    error = raised.value
    assert str(error) == (
        "the eventpipe command needs eventpipe's 'cli' extra, which is not installed here "
        "(missing: rich). Fix: pip install 'eventpipe[cli]'"
    )
    assert (error.extra, error.missing, error.name) == ("cli", ["rich"], "rich")
    assert isinstance(error, ModuleNotFoundError)  # `except ImportError` still works
    assert isinstance(error, EventpipeError)  # the CLI prints its message alone


def test_only_narrows_the_check_to_the_libraries_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "flask", None)
    require("local", "invoke_consumer", only=["moto"])  # Flask is not needed there
    with pytest.raises(MissingExtraError, match=r"missing: Flask\)"):
        require("local", "the local engine")


def test_only_refuses_a_library_the_extra_does_not_bring() -> None:
    with pytest.raises(ValueError, match="brings no"):
        require("cli", "x", only=["moto"])


def test_installed_finds_without_importing() -> None:
    assert installed("json")
    assert not installed("eventpipe_no_such_library")
    assert "eventpipe_no_such_library" not in sys.modules


def test_eventpipe_dev_without_the_local_extra_says_which_to_install() -> None:
    """The CLI is installed, the local engine's moto is not: one line, exit 1."""
    script = (
        "import sys\n"
        "sys.modules['moto'] = None\n"
        "from eventpipe.cli import main\n"
        "sys.argv = ['eventpipe', 'dev']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: the local engine (eventpipe.local: eventpipe dev, eventpipe demo) needs "
        "eventpipe's 'local' extra, which is not installed here (missing: moto). "
        "Fix: pip install 'eventpipe[local]'"
    )
