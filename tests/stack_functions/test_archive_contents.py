"""The stack functions' archive: only the ground floor they need, and it runs alone."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from eventpipe.packaging import build_stack_functions_archive


def test_the_archive_holds_only_the_stack_functions_and_their_floor(tmp_path: Path) -> None:
    archive = build_stack_functions_archive(tmp_path)
    names = zipfile.ZipFile(archive).namelist()
    assert "eventpipe/__init__.py" in names and "eventpipe/contract.py" in names
    assert "eventpipe/stack_functions/breaker.py" in names
    assert "eventpipe/stack_functions/archiver.py" in names
    assert all(
        n in ("eventpipe/__init__.py", "eventpipe/contract.py")
        or n.startswith("eventpipe/stack_functions/")
        for n in names
    ), names
    assert not [n for n in names if n.endswith(".pyc")]


def test_the_handlers_import_from_the_archive_alone(tmp_path: Path) -> None:
    archive = build_stack_functions_archive(tmp_path)
    root = tmp_path / "unzipped"
    zipfile.ZipFile(archive).extractall(root)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import eventpipe.stack_functions.breaker as b, eventpipe.stack_functions.archiver as a; "
        "assert b.__file__.startswith(sys.argv[1]) and a.__file__.startswith(sys.argv[1]); "
        "assert 'pulumi' not in sys.modules and 'pydantic' not in sys.modules"
    )
    subprocess.run([sys.executable, "-I", "-c", script, str(root)], check=True)


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = build_stack_functions_archive(tmp_path / "a").read_bytes()
    assert build_stack_functions_archive(tmp_path / "b").read_bytes() == first
