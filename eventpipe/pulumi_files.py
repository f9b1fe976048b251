"""The one reader of Pulumi's project and stack files (``Pulumi.yaml``,
``Pulumi.<stack>.yaml``), and of the config a running program is given.

Every place eventpipe needs a stack's config comes here: the CLI (``eventpipe consumers
--stack S``), the local engine (which hands the program the flat config the Pulumi engine
would) and the program itself under ``pulumi up``. A YAML error names the file, the line
and the column; a key in a namespace that looks like a misspelt one is warned about,
because Pulumi accepts any namespace and would otherwise ignore it without a word.

The running program reads its values through ``pulumi.Config``, Pulumi's public API,
rather than Pulumi's own config store: that API returns whatever Pulumi handed the program
(the stack file, ``--config-file``, ESC environments, project-level defaults, secrets
decrypted), but it can only look keys up, never list them. Unknown keys (a typo that would
otherwise silently keep a default) are therefore found in the stack file itself, read
here as the CLI reads it; a program run without one (mocks, another config source) reads
its values all the same and skips that check.
"""

from __future__ import annotations

import difflib
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from eventpipe.exceptions import EventpipeError, EventpipeWarning

PROJECT_FILE = "Pulumi.yaml"
AWS_REGION_KEY = "aws:region"


class StackFileError(EventpipeError):
    """Raised when ``Pulumi.<stack>.yaml`` is not YAML eventpipe can read (a syntax
    error, or no ``config:`` mapping); the message names the file, line and column."""


def stack_file(project_dir: Path, stack: str) -> Path:
    """Where Pulumi keeps a stack's config: ``Pulumi.<stack>.yaml`` beside ``Pulumi.yaml``."""
    return project_dir / f"Pulumi.{stack}.yaml"


def load_stack_yaml(path: Path) -> dict[str, Any]:
    """The ``config:`` mapping of a Pulumi stack file, or a :class:`StackFileError`
    naming the file, the line and the column of a YAML syntax error (no traceback)."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        what = str(exc.problem or exc.context)
        start = exc.context_mark
        if exc.context and start is not None and start is not mark:
            # e.g. an unclosed `{`: where it opened is what the reader needs
            what += (
                f" ({exc.context}, which began at line {start.line + 1}, column {start.column + 1})"
            )
        raise StackFileError(
            f"{path}: {where}: YAML syntax error: {what}. Fix the YAML there (a stack "
            "file is `config:` then indented `eventpipe:key: value` lines; quote values "
            "holding `:` or `{`)"
        ) from None
    except yaml.YAMLError as exc:
        raise StackFileError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StackFileError(
            f"{path}: the file holds a {type(data).__name__}, not a mapping. Fix: start it "
            "with `config:` and indent the `eventpipe:key: value` lines under it"
        )
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(
            f"{path}: `config:` holds a {type(config).__name__}, not a mapping. Fix: "
            "indent `eventpipe:key: value` lines under `config:`"
        )
    return config


def project_name(project_dir: Path) -> str | None:
    """The ``name`` of the project's ``Pulumi.yaml`` (its config namespace), if readable."""
    try:
        data = yaml.safe_load((project_dir / PROJECT_FILE).read_text())
    except (OSError, yaml.YAMLError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return str(name) if name else None


NAMESPACE_LOOKALIKE = 0.8
"""How close (difflib ratio) a config namespace must be to ``eventpipe`` to be taken for
a misspelling of it: ``eventpip``, ``eventpipes`` and ``event-pipe`` are (0.94-0.95),
``eventbridge`` (0.7) and ``events`` (0.67) are not."""


def misspelt_namespace_keys(
    keys: Iterable[str], project: str | None = None, namespace: str = "eventpipe"
) -> list[str]:
    """A warning for each ``namespace:key`` whose namespace looks like a misspelt
    ``eventpipe`` (``eventpip:``, ``event-pipe:``, ``eventpipes:``): Pulumi accepts any
    namespace, so such a key would otherwise be ignored without a word. The project's
    own namespace (its ``Pulumi.yaml`` name, e.g. ``eventpipe-shop``) is never one."""
    messages = []
    for key in keys:
        given, colon, rest = key.partition(":")
        if not colon or given in (namespace, project):
            continue
        folded = given.lower().replace("-", "").replace("_", "")
        if folded == namespace or difflib.get_close_matches(
            folded, [namespace], n=1, cutoff=NAMESPACE_LOOKALIKE
        ):
            messages.append(
                f"config key {key!r}: the namespace {given!r} looks like a misspelt "
                f"{namespace!r}, so eventpipe ignores this key. Fix: write "
                f"'{namespace}:{rest}'"
            )
    return messages


def warn_misspelt_namespaces(keys: Iterable[str], where: str, project: str | None) -> None:
    """Issue :func:`misspelt_namespace_keys`' warnings as :class:`EventpipeWarning` s
    (the CLI prints them as ``warning: ...``)."""
    for message in misspelt_namespace_keys(keys, project):
        warnings.warn(EventpipeWarning(f"{where}: {message}"), stacklevel=3)


def read_namespace(
    project_dir: Path, stack: str, namespace: str
) -> tuple[dict[str, Any], str | None]:
    """The ``namespace:`` values (keys without the namespace) and ``aws:region`` of
    ``Pulumi.<stack>.yaml``; a misspelt namespace is warned about."""
    path = stack_file(project_dir, stack)
    if not path.exists():
        raise FileNotFoundError(
            f"no stack file {path}: create it with `pulumi stack init {stack}` "
            f"or copy Pulumi.dev.yaml"
        )
    config = load_stack_yaml(path)
    warn_misspelt_namespaces((str(k) for k in config), str(path), project_name(project_dir))
    prefix = f"{namespace}:"
    values = {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}
    return values, config.get(AWS_REGION_KEY)


@dataclass(frozen=True)
class ProgramConfig:
    """What the Pulumi engine hands a program for one stack: its project, and every config
    key flat (``namespace:key``) with objects and lists JSON-encoded."""

    project: str
    stack: str
    config: dict[str, str]


class SecretConfigError(StackFileError):
    """Raised when a stack file holds a Pulumi secret, which only the Pulumi CLI decrypts."""


def program_config(project_dir: Path, stack: str) -> ProgramConfig:
    """The config the Pulumi engine gives ``project_dir``'s program for ``stack``.

    Keys without a namespace get the project's, objects and lists are JSON-encoded, as
    the Pulumi engine does, so ``pulumi.Config().get_object`` works unchanged. A secret
    (``{secure: ...}``) is a :class:`SecretConfigError`: only the Pulumi CLI decrypts it.
    """
    project_file = project_dir / PROJECT_FILE
    if not project_file.exists():
        raise FileNotFoundError(f"no {PROJECT_FILE} in {project_dir}: pass --project-dir")
    project = project_name(project_dir) or project_dir.name
    path = stack_file(project_dir, stack)
    if not path.exists():
        raise FileNotFoundError(
            f"no stack file {path}: create it or pick another stack with --stack"
        )
    raw = load_stack_yaml(path)  # a syntax error names the line and column
    warn_misspelt_namespaces((str(k) for k in raw), str(path), project)
    config: dict[str, str] = {}
    for key, value in raw.items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise SecretConfigError(
                f"{path}: {key} is a Pulumi secret; local mode cannot decrypt it. "
                "Give it a plain value in a local-only stack file"
            )
        config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return ProgramConfig(project, stack, config)


def read_running_program(
    namespace: str, known_keys: Iterable[str], program_dir: Path | None = None
) -> tuple[dict[str, Any], str | None, list[str]]:
    """The running program's ``namespace:`` values and ``aws:region``, and the keys of its
    stack file's namespace that ``known_keys`` lacks (see the module docstring).

    Values come from ``pulumi.Config`` (JSON-encoded objects decoded); the stack file is
    looked for in the project root Pulumi reports (``pulumi.get_root_directory()``), then
    in ``program_dir``. Misspelt namespaces in that file are logged as warnings.
    """
    import pulumi

    known = list(known_keys)
    config = pulumi.Config(namespace)
    values = {key: _decode(raw) for key in known if (raw := config.get(key)) is not None}
    region = pulumi.Config("aws").get("region")
    unknown: list[str] = []
    # Under mocks Pulumi's root directory is a placeholder, so the first place that holds
    # the stack file wins.
    places = [Path(p) for p in (pulumi.get_root_directory(), program_dir) if p]
    found = [stack_file(place, pulumi.get_stack()) for place in places]
    path = next((f for f in found if f.is_file()), None)
    if path is not None:
        keys = [str(k) for k in load_stack_yaml(path)]
        for message in misspelt_namespace_keys(keys, pulumi.get_project(), namespace):
            pulumi.log.warn(f"{path}: {message}")
        prefix = f"{namespace}:"
        unknown = [
            k.removeprefix(prefix)
            for k in keys
            if k.startswith(prefix) and k.removeprefix(prefix) not in known
        ]
    return values, region, unknown


def _decode(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw
