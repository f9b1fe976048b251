"""Shared set-up of the end-to-end tests: fake credentials, throwaway projects, plugins.

Every test here runs the local engine: an embedded moto server, the project's Pulumi
program under mocks, worker processes running the handlers. Engines are module-scoped
(one deploy per test module) to keep the suite fast on two cores.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from importlib import invalidate_caches
from pathlib import Path

import pytest

from eventpipe.aws_clients import fake_credentials_environment

REPO = Path(__file__).resolve().parents[2]
MINI = Path(__file__).resolve().parent / "fixtures" / "miniproject"


@pytest.fixture(scope="session", autouse=True)
def fake_aws() -> Iterator[None]:
    """No real credentials or profile may leak into the engine or its workers."""
    saved = dict(os.environ)
    os.environ.update(fake_credentials_environment(), AWS_DEFAULT_REGION="us-east-1")
    os.environ.pop("AWS_PROFILE", None)
    yield
    os.environ.clear()
    os.environ.update(saved)


def copy_project(
    source: Path, target: Path, extra_config: dict[str, str], stack: str = "dev"
) -> Path:
    """A copy of ``source`` whose stack file gets ``extra_config`` appended."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".eventpipe", "__pycache__"))
    stack_file = target / f"Pulumi.{stack}.yaml"
    lines = [f"  {key}: {value!r}" for key, value in extra_config.items()]
    stack_file.write_text(stack_file.read_text().rstrip("\n") + "\n" + "\n".join(lines) + "\n")
    return target


def install_plugins(site: Path, name: str, entry_points: dict[str, str]) -> None:
    """Make ``entry_points`` (name -> module) discoverable as an installed distribution:
    the ``.dist-info`` that ``pip install`` leaves, in a directory put on ``sys.path``."""
    dist_info = site / f"{name.replace('-', '_')}-0.0.1.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.0.1\n")
    body = "\n".join(f"{ep} = {module}" for ep, module in entry_points.items())
    (dist_info / "entry_points.txt").write_text(f"[eventpipe]\n{body}\n")
    sys.path.insert(0, str(site))
    invalidate_caches()


def uninstall_plugins(site: Path) -> None:
    if str(site) in sys.path:
        sys.path.remove(str(site))
    invalidate_caches()


REAL_PLUGINS = "orders,inventory,notifications,priority-orders"


def real_project(target: Path, stack: str, config: dict[str, object]) -> Path:
    """The repository's own program (``__main__.py``, ``Pulumi.yaml``) with a stack file
    written for the test: the program under test is exactly the one ``pulumi up`` runs."""
    import yaml

    target.mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, target / name)
    (target / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return target


class PluginEnv:
    """Set ``EVENTPIPE_PLUGINS`` and install throwaway distributions for one test module."""

    def __init__(self, allow: str):
        self.allow = allow
        self.sites: list[Path] = []
        self._saved = os.environ.get("EVENTPIPE_PLUGINS")

    def __enter__(self) -> PluginEnv:
        os.environ["EVENTPIPE_PLUGINS"] = self.allow
        return self

    def install(self, site: Path, name: str, entry_points: dict[str, str]) -> None:
        install_plugins(site, name, entry_points)
        self.sites.append(site)

    def __exit__(self, *exc: object) -> None:
        for site in self.sites:
            uninstall_plugins(site)
        if self._saved is None:
            os.environ.pop("EVENTPIPE_PLUGINS", None)
        else:
            os.environ["EVENTPIPE_PLUGINS"] = self._saved
