"""The "did you mean" every error message offers."""

from __future__ import annotations

from eventpipe.exceptions import suggest


def test_suggest() -> None:
    known = ["orders", "inventory", "mailer"]
    assert suggest("Orders", known) == "orders"  # case only
    assert suggest("invetory", known) == "inventory"
    assert suggest("zzz", known) is None
    assert suggest("x", []) is None
