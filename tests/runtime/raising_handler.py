"""A handler module that raises while it is imported, for the import-error tests."""

from __future__ import annotations

raise RuntimeError("boom at import")  # the line the error must name
