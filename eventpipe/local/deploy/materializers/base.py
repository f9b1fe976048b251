"""The registry of materializers: one function per Pulumi resource type token.

A materializer receives the resource's inputs as the Pulumi mock monitor passes them
(camelCase keys, numbers as floats, Outputs already resolved) and creates the resource in
the emulator through boto3. It returns the resource id and the outputs the real provider
would return (ARNs, URLs, names), so the program's wiring runs on the emulator's values.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventpipe.local.deploy.records import DeployState
from eventpipe.local.emulator.server import Emulator

Outputs = dict[str, Any]
Materializer = Callable[["Context", str, dict[str, Any]], tuple[str, Outputs]]

REGISTRY: dict[str, Materializer] = {}


def materializer(*tokens: str) -> Callable[[Materializer], Materializer]:
    """Register a function for one or more pulumi_aws type tokens."""

    def register(fn: Materializer) -> Materializer:
        for token in tokens:
            REGISTRY[token] = fn
        return fn

    return register


@dataclass
class Context:
    """What materializers share: the emulator, the deploy record and naming rules."""

    emulator: Emulator
    state: DeployState
    redeploy: bool = False
    """The emulator holds a previous deploy of the stack (``eventpipe dev`` applying a
    change): a resource found under its name is updated in place, as ``pulumi up`` would."""

    def client(self, service: str) -> Any:
        return self.emulator.client(service)

    @property
    def region(self) -> str:
        return self.state.region

    @property
    def account(self) -> str:
        return self.state.account

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def notice(self, text: str) -> None:
        self.state.notices.append(text)

    def scaled(self, seconds: float, floor: int = 0) -> int:
        """``seconds`` after the local time scale, in whole seconds, at least ``floor``."""
        return max(floor, math.ceil(seconds * self.state.time_scale))


def physical_name(name: str, inputs: dict[str, Any], key: str = "name", suffix: str = "") -> str:
    """The name AWS gets: explicit, ``<prefix>`` + random, or Pulumi's auto-name.

    Pulumi's provider auto-names a resource ``<logical name>-<7 hex>``; the mocks must do
    it themselves because the provider does not run.
    """
    explicit = inputs.get(key)
    if explicit:
        return str(explicit)
    prefix = inputs.get(f"{key}Prefix")
    stem = f"{prefix}{secrets.token_hex(4)}" if prefix else f"{name}-{secrets.token_hex(4)[:7]}"
    if suffix and not stem.endswith(suffix):
        stem += suffix
    return stem


def as_int(value: Any, default: int | None = None) -> int | None:
    """Mock inputs carry numbers as floats; AWS APIs want ints."""
    if value is None or value == "":
        return default
    return int(float(value))


def as_bool_str(value: Any) -> str:
    return "true" if value in (True, "true", "True") else "false"


def as_json(value: Any) -> str:
    """A policy or pattern input: already a JSON string, or an object to encode."""
    return value if isinstance(value, str) else json.dumps(value)


def tag_list(inputs: dict[str, Any]) -> list[dict[str, str]]:
    tags = inputs.get("tags") or {}
    return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]


def name_from_arn(value: str) -> str:
    """``arn:...:role/path/name`` or a plain name -> the name."""
    return value.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if value.startswith("arn:") else value
