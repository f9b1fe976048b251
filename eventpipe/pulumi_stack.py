"""The stack the running Pulumi program deploys: its config, its name, its consumers.

The one module below the Pulumi program that imports Pulumi's SDK: :mod:`eventpipe.resolve`
stays Pulumi-free, so ``eventpipe consumers``, the operator commands and the test kit
resolve a stack without loading Pulumi. ``__main__.py`` calls :func:`resolve_from_pulumi`.

The program reads its values through ``pulumi.Config``, Pulumi's public API, rather than
Pulumi's own config store: that API returns whatever Pulumi handed the program (the stack
file, ``--config-file``, ESC environments, project-level defaults, secrets decrypted), but
it can only look keys up, never list them. Unknown keys (a typo that would otherwise
silently keep a default) are therefore found in the stack file itself, read by
:mod:`eventpipe.pulumi_files` as the CLI reads it; a program run without one (mocks,
another config source) reads its values all the same and skips that check.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eventpipe.config import NAMESPACE, SETTING_KEYS
from eventpipe.extras import require
from eventpipe.pulumi_files import load_stack_yaml, misspelt_namespace_keys, stack_file
from eventpipe.resolve import Resolved, resolve

_FEATURE = "reading the running Pulumi program's stack (eventpipe.pulumi_stack)"


def read_pulumi_config(program_dir: Path | None = None) -> tuple[dict[str, Any], str | None]:
    """The ``eventpipe:`` values and ``aws:region`` of the running Pulumi program.

    Values come through ``pulumi.Config`` (objects JSON-encoded by Pulumi are decoded, so
    both sources look the same to ``parse_settings``). Keys of the stack file's
    ``eventpipe:`` namespace that are no setting are added as given, so ``parse_settings``
    reports them as unknown with the closest valid key. The stack file is looked for in
    the project root Pulumi reports (``pulumi.get_root_directory()``), then in
    ``program_dir`` (the program's own directory: under mocks Pulumi names no project
    root); misspelt namespaces in it are logged as warnings.
    """
    require("deploy", _FEATURE, only=["pulumi"])
    import pulumi

    config = pulumi.Config(NAMESPACE)
    values = {key: _decode(raw) for key in SETTING_KEYS if (raw := config.get(key)) is not None}
    region = pulumi.Config("aws").get("region")
    # Under mocks Pulumi's root directory is a placeholder, so the first place that holds
    # the stack file wins.
    places = [Path(p) for p in (pulumi.get_root_directory(), program_dir) if p]
    found = (stack_file(place, pulumi.get_stack()) for place in places)
    path = next((f for f in found if f.is_file()), None)
    if path is not None:
        keys = [str(k) for k in load_stack_yaml(path)]
        for message in misspelt_namespace_keys(keys, pulumi.get_project(), NAMESPACE):
            pulumi.log.warn(f"{path}: {message}")
        prefix = f"{NAMESPACE}:"
        for key in keys:
            name = key.removeprefix(prefix)
            if key.startswith(prefix) and name not in SETTING_KEYS:
                values[name] = None
    return values, region


def _decode(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def resolve_from_pulumi(program_dir: Path | None = None, **kwargs: Any) -> Resolved:
    """Resolve the stack the running Pulumi program (or its mocks) is deploying.

    ``program_dir`` is the program's own directory, where its stack file is looked for
    when Pulumi names no project root (under mocks): see :func:`read_pulumi_config`.
    """
    require("deploy", _FEATURE, only=["pulumi"])
    import pulumi

    values, region = read_pulumi_config(program_dir)
    kwargs.setdefault("target", deploy_target())
    return resolve(values, stack=pulumi.get_stack(), region=region, **kwargs)


def deploy_target() -> str | None:
    """``"local"`` when the local engine runs the program (its mocks name the Pulumi
    organization :data:`eventpipe.contract.LOCAL_ORGANIZATION`), ``"aws"`` under the
    Pulumi engine (which always names an organization), None under unit-test mocks that
    name none (nothing deploys)."""
    import pulumi

    from eventpipe.contract import LOCAL_ORGANIZATION

    try:
        organization = pulumi.get_organization()
    except Exception:  # a runtime that names no organization
        return None
    if not organization:
        return None
    return "local" if organization == LOCAL_ORGANIZATION else "aws"
