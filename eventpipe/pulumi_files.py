"""The one reader of Pulumi's project and stack files (``Pulumi.yaml``,
``Pulumi.<stack>.yaml``).

Every place eventpipe reads a stack file comes here: the CLI (``eventpipe consumers
--stack S``), the local engine (which hands the program the flat config the Pulumi engine
would, :func:`program_config`) and the running program itself, which finds the keys of
its stack file that are no setting (:mod:`eventpipe.pulumi_stack`, which reads the values
through ``pulumi.Config``). A YAML error names the file, the line and the column; a key
in a namespace that looks like a misspelt one is warned about, because Pulumi accepts any
namespace and would otherwise ignore it without a word.

Pulumi-free (YAML only), so the CLI and the deploy contract read stack files without
loading Pulumi.
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
