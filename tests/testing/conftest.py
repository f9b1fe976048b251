"""The test kit's tests run under the runtime tests' fixtures (fake AWS, fresh state)."""

from __future__ import annotations

from tests.runtime.conftest import _aws_env, invoke_consumer  # noqa: F401
