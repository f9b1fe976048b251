"""``eventpipe new``: the scaffold is a valid plugin that passes its own tests."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.resolve import resolve

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    (tmp_path / "consumers").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_new_scaffolds_a_plugin_that_passes_its_own_tests(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(
        app, ["new", "parcel-audit", "--source", "shop.parcels", "--detail-type", "Parcel Sent"]
    )
    assert result.exit_code == 0, result.output
    root = project / "consumers" / "parcel-audit"
    assert "pytest consumers/parcel-audit" in result.stdout  # relative: pasteable here

    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "eventpipe-parcel-audit"
    assert pyproject["project"]["entry-points"]["eventpipe"] == {
        "parcel-audit": "parcel_audit.plugin"
    }
    for module in ("plugin", "handler", "models"):
        assert (root / "src" / "parcel_audit" / f"{module}.py").exists()

    # Its own tests pass, in a fresh interpreter, before it is even installed.
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout

    # The edit the README invites (another pattern) keeps them green: they build their
    # events from the pattern.
    plugin_file = root / "src" / "parcel_audit" / "plugin.py"
    plugin_file.write_text(
        plugin_file.read_text()
        .replace('"source": ["shop.parcels"]', '"source": ["shop.parcels", "shop.returns"]')
        .replace('"detail-type": ["Parcel Sent"]', '"detail-type": ["Parcel Returned"]')
        .replace('detail_type="Parcel Sent"', 'detail_type="Parcel Returned"')
    )
    edited = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert "5 passed" in edited.stdout

    # And eventpipe accepts it as a plugin: every check of `pulumi up` passes.
    monkeypatch.syspath_prepend(str(root / "src"))
    plugin = importlib.import_module("parcel_audit.plugin")
    resolved = resolve(
        {}, stack="dev", extra_plugins=[("parcel-audit", plugin)], entry_points=False
    )
    [declared] = resolved.enabled
    assert declared.consumer.name == "parcel-audit"
    assert declared.consumer.pattern == {
        "source": ["shop.parcels", "shop.returns"],
        "detail-type": ["Parcel Returned"],
    }
    assert declared.consumer.handler == "parcel_audit.handler:process"
    assert declared.handler_func is not None
    for name in [m for m in sys.modules if m.startswith("parcel_audit")]:
        del sys.modules[name]


@pytest.mark.parametrize("name", ["lint-check", "audit-log"])  # sorts after / before eventpipe
def test_scaffold_is_lint_clean(project: Path, name: str) -> None:
    assert runner.invoke(app, ["new", name]).exit_code == 0
    root = project / "consumers" / name
    ruff = [sys.executable, "-m", "ruff"]
    # The project's own rules, with eventpipe first-party as it is inside the project.
    config = [
        "--config",
        str(REPO / "pyproject.toml"),
        "--config",
        "lint.isort.known-first-party = ['eventpipe']",
    ]
    for command in (["check"], ["format", "--check"]):
        run = subprocess.run(
            [*ruff, *command, *config, str(root)], capture_output=True, text=True, cwd=project
        )
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Order_Audit", "not a valid consumer name"),
        ("-audit", "not a valid consumer name"),
        ("a" * 41, "not a valid consumer name"),
        ("9lives", "Python package '9lives' would not be importable"),
        ("class", "Python package 'class' would not be importable"),
        ("json", "'json' is already importable"),
    ],
)
def test_invalid_names_are_refused_with_the_rule(project: Path, name: str, expected: str) -> None:
    result = runner.invoke(app, ["new", "--", name])
    assert result.exit_code == 1
    assert expected in result.stderr
    assert not (project / "consumers" / name).exists()


def test_existing_folder_is_not_overwritten(project: Path) -> None:
    (project / "consumers" / "taken").mkdir()
    (project / "consumers" / "taken" / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["new", "taken"])
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert (project / "consumers" / "taken" / "keep.txt").read_text() == "mine"


def test_new_output_fits_80_columns(project: Path) -> None:
    from tests.cli.terminal import TERMINAL_80, too_wide

    result = runner.invoke(app, ["new", "order-audit"], env=TERMINAL_80)
    assert result.exit_code == 0, result.output
    assert too_wide(result.stdout) == []
    assert "Created consumers/order-audit (" in result.stdout
