"""Function and runtime-layer archives: what they hold, and that they are deterministic."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from eventpipe import packaging
from eventpipe.consumer import Consumer
from eventpipe.packaging import (
    PackagingError,
    build_function_archive,
    build_runtime_layer,
    third_party_requirements,
)

ORDERS = Consumer(name="order-processing", handler="orders.handler:process")


def _names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    packaging._BUILT.clear()


def test_function_archive_holds_the_plugin_package_only(tmp_path: Path) -> None:
    path = build_function_archive(ORDERS, tmp_path)
    names = _names(path)
    assert "orders/handler.py" in names and "orders/__init__.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if "/tests/" in f"/{n}"]
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"orders"}, "no pulumi, pluggy, boto3 or eventpipe in the function"


def test_archives_are_deterministic_and_not_rewritten(tmp_path: Path) -> None:
    first = build_function_archive(ORDERS, tmp_path)
    data, mtime = first.read_bytes(), first.stat().st_mtime_ns
    packaging._BUILT.clear()
    second = build_function_archive(ORDERS, tmp_path)
    assert second == first and second.read_bytes() == data
    assert second.stat().st_mtime_ns == mtime
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {packaging.ZIP_EPOCH}


def test_consumers_of_one_package_share_an_archive(tmp_path: Path) -> None:
    other = Consumer(name="order-audit", handler="orders.handler:process")
    assert build_function_archive(ORDERS, tmp_path) == build_function_archive(other, tmp_path)
    x86 = build_function_archive(ORDERS, tmp_path, architecture="x86_64")
    assert x86 != build_function_archive(ORDERS, tmp_path)


def test_runtime_layer_layout(tmp_path: Path) -> None:
    names = _names(build_runtime_layer(tmp_path))
    assert "python/eventpipe/__init__.py" in names
    assert "python/eventpipe/contract.py" in names
    assert all(n.startswith("python/eventpipe/") for n in names)
    assert not [n for n in names if "__pycache__" in n]
    modules = {n.removeprefix("python/eventpipe/") for n in names}
    for deploy_side in ("consumer.py", "plugins.py", "resolve.py", "packaging.py", "cli/"):
        assert not [m for m in modules if m.startswith(deploy_side)], deploy_side


def test_missing_package_is_a_clear_error(tmp_path: Path) -> None:
    ghost = Consumer(name="ghost", handler="no_such_plugin_pkg.handler:run")
    with pytest.raises(PackagingError, match="no_such_plugin_pkg"):
        build_function_archive(ghost, tmp_path)


def test_requirements_minus_what_layers_provide(monkeypatch: pytest.MonkeyPatch) -> None:
    requires = [
        "eventpipe", "boto3>=1.30", "pydantic>=2", "Aws_Lambda_Powertools[parser]",
        "requests>=2.31", "tzdata; sys_platform == 'win32'", "pytest; extra == 'test'",
        "orjson==3.10.0; python_version >= '3.8'", "tomli; python_version < '3.12'",
        "uvloop; platform_machine == 'x86_64'",
    ]  # fmt: skip
    monkeypatch.setattr(packaging.metadata, "requires", lambda dist: requires)
    assert third_party_requirements("some-plugin") == [
        "orjson==3.10.0; python_version >= \"3.8\"", "requests>=2.31",
    ]  # fmt: skip
    assert third_party_requirements(None) == []
    x86 = third_party_requirements("some-plugin", architecture="x86_64", python_version="3.11")
    assert [r.split(";")[0].split(">")[0].split("=")[0] for r in x86] == [
        "orjson", "requests", "tomli", "uvloop",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "plugin",
    [
        "eventpipe-orders",
        "eventpipe-inventory",
        "eventpipe-notifications",
        "eventpipe-priority-orders",
    ],
)
def test_an_example_plugins_function_gets_none_of_its_extras(plugin: str) -> None:
    """The installed example plugins declare pulumi-aws (their `deploy` extra), moto and
    pytest (`test`): none of it is installed into the function archive, and their Lambda
    side needs nothing Lambda lacks."""
    declared = packaging.metadata.requires(plugin) or []
    assert any("pulumi-aws" in r and "extra ==" in r for r in declared)
    assert third_party_requirements(plugin) == []


def test_requirements_are_installed_for_lambda_and_bundled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list[list[str]] = []

    def fake_pip(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        commands.append(command)
        target = Path(command[command.index("--target") + 1])
        (target / "requests").mkdir(parents=True)
        (target / "requests" / "__init__.py").write_text("VERSION = '2.32'\n")
        (target / "bin").mkdir()
        (target / "bin" / "normalizer").write_text("#!/bin/sh\n")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(packaging.subprocess, "run", fake_pip)
    monkeypatch.setattr(
        packaging, "third_party_requirements", lambda dist, **kw: ["requests>=2.31"]
    )
    path = build_function_archive(ORDERS, tmp_path, architecture="arm64", python_version="3.13")
    (command,) = commands
    assert command[command.index("--platform") + 1] == "manylinux2014_aarch64"
    assert command[command.index("--python-version") + 1] == "3.13"
    assert "--only-binary=:all:" in command and "--implementation" in command
    names = _names(path)
    assert "requests/__init__.py" in names and "orders/handler.py" in names
    assert not [n for n in names if n.startswith("bin/")]
    # cached by requirement hash: a second build does not call pip again
    packaging._BUILT.clear()
    build_function_archive(ORDERS, tmp_path, architecture="arm64", python_version="3.13")
    assert len(commands) == 1


def test_pip_failure_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        packaging.subprocess, "run",
        lambda command, **kw: subprocess.CompletedProcess(command, 1, "", "No matching dist"),
    )  # fmt: skip
    with pytest.raises(PackagingError, match="manylinux wheels"):
        packaging.install_requirements(
            ["native-only"], tmp_path, architecture="x86_64", python_version="3.13"
        )
