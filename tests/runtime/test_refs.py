"""``module:function`` references: imported by the runtime, located without running by
validation (``locate_ref``), so ``eventpipe consumers`` never loads a plugin's Pulumi code."""

from __future__ import annotations

import sys

import pytest

from eventpipe.runtime.refs import NotCallableError, RefFormatError, import_ref, locate_ref

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
