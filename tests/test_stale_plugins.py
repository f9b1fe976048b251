"""A plugin installed (editable) from a folder the user then deleted: found, named with
its fix by every command that loads plugins, and uninstalled by ``make install``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from importlib import invalidate_caches
from pathlib import Path

import pytest

from eventpipe.plugins import discover
from eventpipe.stale_plugins import stale_plugins


@pytest.fixture
def deleted_plugin(tmp_path: Path) -> Iterator[Path]:
    """What `pip install -e consumers/refunds` leaves once the folder is deleted: the
    distribution's metadata (PEP 610 ``direct_url.json``, editable) and its entry point."""
    site, folder = tmp_path / "site", tmp_path / "consumers" / "refunds"
    dist_info = site / "eventpipe_refunds_gone-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: eventpipe-refunds-gone\nVersion: 0.1.0\n"
    )
    (dist_info / "entry_points.txt").write_text("[eventpipe]\nrefunds-gone = refunds_gone.plugin\n")
    (dist_info / "direct_url.json").write_text(
        json.dumps({"url": folder.as_uri(), "dir_info": {"editable": True}})
    )
    sys.path.insert(0, str(site))
    invalidate_caches()
    yield folder
    sys.path.remove(str(site))
    invalidate_caches()


def test_a_plugin_whose_folder_is_gone_is_found(deleted_plugin: Path) -> None:
    found = [s for s in stale_plugins() if s.distribution == "eventpipe-refunds-gone"]
    assert [s.folder for s in found] == [deleted_plugin]


def test_loading_it_names_the_folder_and_the_one_command_that_fixes_it(
    deleted_plugin: Path,
) -> None:
    loaded = discover(env={"EVENTPIPE_PLUGINS": "refunds-gone"})
    [problem] = loaded.problems
    text = str(problem)
    assert f"eventpipe-refunds-gone is installed from {deleted_plugin}" in text
    assert "which no longer exists" in text and "`make install`" in text


def test_an_existing_editable_folder_is_not_stale(deleted_plugin: Path) -> None:
    deleted_plugin.mkdir(parents=True)
    assert "eventpipe-refunds-gone" not in {s.distribution for s in stale_plugins()}
