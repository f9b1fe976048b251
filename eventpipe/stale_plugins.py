"""Plugins installed from a folder that no longer exists, and how they are removed.

``make install`` installs each folder of ``consumers/`` in editable mode: the
environment keeps a pointer to the folder, not a copy. Deleting the folder leaves the
pointer, and the plugin's entry point then names a module nothing provides, so loading
it fails. :func:`stale_plugins` finds such installs from the metadata pip records
(``direct_url.json``, PEP 610: https://packaging.python.org/en/latest/specifications/direct-url/),
and ``python -m eventpipe.stale_plugins`` (run by ``make install``) uninstalls them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

ENTRY_POINT_GROUP = "eventpipe"


@dataclass(frozen=True)
class StalePlugin:
    """An installed plugin distribution whose editable source folder is gone."""

    distribution: str
    folder: Path


def editable_folder(dist: metadata.Distribution) -> Path | None:
    """The folder ``dist`` was installed from in editable mode (None if it was not)."""
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not (data.get("dir_info") or {}).get("editable"):
        return None
    url = urlparse(str(data.get("url", "")))
    return Path(unquote(url.path)) if url.scheme == "file" else None


def stale_plugin(dist: metadata.Distribution | None) -> StalePlugin | None:
    """``dist`` as a :class:`StalePlugin` when its editable folder is gone, else None."""
    if dist is None:
        return None
    folder = editable_folder(dist)
    if folder is None or folder.exists():
        return None
    return StalePlugin(dist.metadata["Name"], folder)


def stale_plugins() -> list[StalePlugin]:
    """Every installed eventpipe plugin whose editable folder was deleted."""
    found: dict[str, StalePlugin] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        stale = stale_plugin(ep.dist)
        if stale is not None:
            found[stale.distribution] = stale
    return sorted(found.values(), key=lambda s: s.distribution)


def main() -> int:
    """Uninstall the stale plugins with pip; say what was removed."""
    stale = stale_plugins()
    if not stale:
        return 0
    for plugin in stale:
        print(f"uninstalling {plugin.distribution}: its folder {plugin.folder} is gone")
    command = [sys.executable, "-m", "pip", "uninstall", "-y", "-q"]
    return subprocess.call([*command, *(p.distribution for p in stale)])


if __name__ == "__main__":
    raise SystemExit(main())
