"""``module:function`` references: imported by the runtime, located without running by
validation (``locate_ref``), so ``eventpipe consumers`` never loads a plugin's Pulumi code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from eventpipe.runtime.refs import (
    NotCallableError,
    RefFormatError,
    explain_import_failure,
    import_ref,
    locate_ref,
)

UNRUN = "tests.plugins.unrun_resources"


@pytest.fixture(autouse=True)
def _unrun_module_stays_unimported() -> None:
    sys.modules.pop(UNRUN, None)


def test_a_function_of_an_unimported_module_is_found_without_running_it() -> None:
    locate_ref(f"{UNRUN}:declare")
    assert UNRUN not in sys.modules


def test_a_name_bound_under_a_top_level_if_is_found() -> None:
    locate_ref(f"{UNRUN}:nested_name")
    assert UNRUN not in sys.modules


def test_a_name_the_module_does_not_bind_is_a_not_callable_error() -> None:
    with pytest.raises(NotCallableError, match=r"module 'tests\.plugins\.unrun_resources' has no"):
        locate_ref(f"{UNRUN}:missing")
    assert UNRUN not in sys.modules


@pytest.mark.parametrize(
    "ref", ["tests.plugins.nowhere:declare", "tests.nowhere.infra:declare", "nowhere_at_all:f"]
)
def test_a_missing_module_or_parent_package_is_module_not_found(ref: str) -> None:
    with pytest.raises(ModuleNotFoundError):
        locate_ref(ref)


@pytest.mark.parametrize("ref", ["no_colon", ":f", "module:"])
def test_a_reference_not_written_module_colon_function_is_refused(ref: str) -> None:
    with pytest.raises(RefFormatError):
        locate_ref(ref)


def test_a_star_import_module_passes_whatever_the_name() -> None:
    locate_ref("tests.plugins.star_resources:anything")


def test_an_imported_module_is_checked_as_import_ref_checks_it() -> None:
    import tests.plugins.handlers  # noqa: F401

    locate_ref("tests.plugins.handlers:noop")
    with pytest.raises(NotCallableError, match="not a function"):
        locate_ref("tests.plugins.handlers:NOT_CALLABLE")
    with pytest.raises(NotCallableError):
        import_ref("tests.plugins.handlers:NOT_CALLABLE")


def _explained(ref: str) -> tuple[str, str]:
    try:
        import_ref(ref)
    except Exception as exc:
        return explain_import_failure(ref, exc)
    raise AssertionError(f"{ref} imported")


def test_a_module_raising_at_import_is_named_with_its_file_and_line() -> None:
    message, fix = _explained("tests.runtime.raising_handler:process")
    source = Path(__file__).with_name("raising_handler.py")
    line = (
        source.read_text()
        .splitlines()
        .index('raise RuntimeError("boom at import")  # the line the error must name')
    )
    site = f"{source}:{line + 1}"
    assert f"raised at {site}: RuntimeError: boom at import" in message
    assert fix.startswith(f"fix the code at {site}")
    assert "install" not in fix  # the module is installed: installing is not the fix


def test_a_module_not_found_says_so_and_the_fix_is_spelling_or_install() -> None:
    message, fix = _explained("tests.runtime.nowhere:process")
    assert "'tests.runtime.nowhere' of 'tests.runtime.nowhere:process' is not found" in message
    assert "spelling" in fix and "make install" in fix


def test_a_missing_dependency_names_the_dependency_and_the_importing_line() -> None:
    message, fix = _explained("tests.runtime.broken_handler:process")
    source = Path(__file__).with_name("broken_handler.py")
    assert f"failed at {source}:" in message
    assert "eventpipe_missing_dependency_for_tests" in message
    assert "pyproject.toml" in fix


def test_a_module_lacking_the_function_points_at_the_name() -> None:
    message, fix = _explained("tests.runtime.handlers:nope")
    assert "has no attribute 'nope'" in message
    assert fix.startswith("define nope() in tests.runtime.handlers")


def test_a_syntax_error_names_its_file_and_line() -> None:
    error = SyntaxError("invalid syntax", ("plugin/handler.py", 7, 1, "def (:\n"))
    message, fix = explain_import_failure("plugin.handler:process", error)
    assert "raised at plugin/handler.py:7" in message
    assert fix.startswith("fix the code at plugin/handler.py:7")
