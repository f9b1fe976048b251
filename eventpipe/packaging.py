"""Building the zip archives Lambda runs: one per plugin package, one runtime layer.

A function archive holds the plugin's top-level import package and, when the plugin's
distribution requires third-party packages the layers do not provide, those packages
installed for Lambda's platform (manylinux wheels, the stack's Python version and
architecture). It never holds pulumi, pluggy, boto3 or tests. The eventpipe runtime ships
separately as a layer shared by every function.

Archives are deterministic (sorted entries, fixed timestamps and permissions) and are only
rewritten when their bytes change, so ``pulumi up`` shows no diff when nothing changed.
No pulumi import here: the CLI and the local engine use this module too.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from eventpipe.exceptions import EventpipeError
from eventpipe.extras import require

DEFAULT_BUILD_DIR = Path(__file__).resolve().parent.parent / "build"
"""Where function archives are built (``build/`` at the project root)."""

if TYPE_CHECKING:  # pragma: no cover
    from eventpipe.consumer import Consumer

PROVIDED = frozenset(
    {
        "eventpipe",
        "boto3",
        "botocore",
        "s3transfer",
        "jmespath",
        "urllib3",
        "python-dateutil",
        "six",
        "aws-lambda-powertools",
        "aws-xray-sdk",
        "wrapt",
        "pydantic",
        "pydantic-core",
        "typing-extensions",
        "annotated-types",
        "typing-inspection",
    }
)
"""Distributions the Lambda Python runtime (boto3), the Powertools layer (powertools with
its parser and tracer extras) or the eventpipe runtime layer already provide."""

EXCLUDED_DIRS = frozenset({"__pycache__", "tests", "test"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}


class PackagingError(EventpipeError):
    """Raised when a consumer's function archive cannot be built (package not found,
    requirements that have no Lambda-compatible wheel)."""


def normalize(name: str) -> str:
    """PEP 503 name: what makes ``Pydantic_Core`` and ``pydantic-core`` the same."""
    return re.sub(r"[-_.]+", "-", name).lower()


def package_files(package: str) -> list[tuple[Path, str]]:
    """(file on disk, path in the archive) of an importable top-level package or module."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise PackagingError(
            f"cannot find the import package {package!r}: install the plugin "
            "(`pip install -e consumers/<plugin>`) in the environment that runs pulumi"
        )
    if spec.submodule_search_locations:
        files: list[tuple[Path, str]] = []
        for location in spec.submodule_search_locations:
            root = Path(location)
            files += [(p, f"{package}/{p.relative_to(root).as_posix()}") for p in _walk(root)]
        return files
    if spec.origin and spec.origin.endswith(".py"):
        origin = Path(spec.origin)
        return [(origin, origin.name)]
    raise PackagingError(f"{package!r} is not a pure-Python package or module ({spec.origin})")


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED_DIRS)
        for filename in sorted(filenames):
            if not filename.endswith(EXCLUDED_SUFFIXES):
                yield Path(dirpath) / filename


def distribution_of(package: str) -> str | None:
    """The installed distribution that provides the import package ``package``."""
    names = metadata.packages_distributions().get(package) or []
    return names[0] if names else None


def third_party_requirements(
    distribution: str | None, *, python_version: str = "3.13", architecture: str = "arm64"
) -> list[str]:
    """The distribution's runtime requirements (markers evaluated for Lambda's Linux,
    Python version and machine, no extras), minus what the runtime and layers provide."""
    if distribution is None:
        return []
    require("deploy", "building a function archive (eventpipe.packaging)", only=["packaging"])
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    try:
        requires = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return []
    environment: dict[str, str] = {
        **{k: str(v) for k, v in default_environment().items()},
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "aarch64" if architecture == "arm64" else "x86_64",
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }
    kept = []
    for line in requires:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        if normalize(requirement.name) in PROVIDED:
            continue
        kept.append(str(requirement))
    return sorted(kept)


def install_requirements(
    requirements: list[str], cache_dir: Path, *, architecture: str, python_version: str
) -> Path:
    """Install ``requirements`` for Lambda's platform into a cache keyed by their hash."""
    key = hashlib.sha256(
        "\n".join([*requirements, architecture, python_version]).encode()
    ).hexdigest()[:16]
    target = cache_dir / key
    done = target / ".eventpipe-complete"
    if done.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
        "--target", str(target),
        "--platform", PLATFORMS[architecture],
        "--only-binary=:all:",
        "--python-version", python_version,
        "--implementation", "cp",
        *requirements,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingError(
            f"could not install {requirements} for Lambda ({PLATFORMS[architecture]}, "
            f"Python {python_version}): {result.stderr.strip()[-800:]}. Fix: depend on "
            "versions that publish manylinux wheels, or vendor pure-Python code in the plugin"
        )
    done.write_text("\n".join(requirements))
    return target


def _tree(root: Path) -> list[tuple[Path, str]]:
    """Installed requirements (console scripts in ``bin/`` are useless in Lambda)."""
    entries = [(p, p.relative_to(root).as_posix()) for p in _walk(root)]
    return [
        (p, name)
        for p, name in entries
        if name != ".eventpipe-complete" and not name.startswith("bin/")
    ]


def write_zip(entries: Iterable[tuple[Path, str]], destination: Path) -> Path:
    """Write a deterministic zip; leave ``destination`` untouched if its bytes are equal."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source, arcname in sorted(entries, key=lambda item: item[1]):
            info = zipfile.ZipInfo(arcname, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes())
    data = buffer.getvalue()
    if destination.exists() and destination.read_bytes() == data:
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    # A partial file of this writer's own, renamed over the archive in one step: two
    # processes building the same archive (two deploys, two test workers) never write
    # into one file, and a reader sees the old archive or the new one, never half of one.
    handle, partial_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as partial_file:
            partial_file.write(data)
        os.chmod(partial, 0o644)
        partial.replace(destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return destination


_BUILT: dict[tuple[str, str | None, str, str, str], Path] = {}


def build_function_archive(
    consumer: Consumer,
    out_dir: Path,
    *,
    architecture: str = "arm64",
    python_version: str = "3.13",
    distribution: str | None = None,
) -> Path:
    """Build (or reuse) the function zip of ``consumer``; return its path.

    Consumers of one plugin share one archive (same package, same requirements); within a
    process it is built once.
    """
    package = consumer.top_level_package
    key = (package, distribution, architecture, python_version, str(out_dir))
    if key in _BUILT and _BUILT[key].exists():
        return _BUILT[key]
    entries = package_files(package)
    requirements = third_party_requirements(
        distribution or distribution_of(package),
        python_version=python_version,
        architecture=architecture,
    )
    if requirements:
        deps = install_requirements(
            requirements,
            out_dir / "pip-cache",
            architecture=architecture,
            python_version=python_version,
        )
        entries += _tree(deps)
    python = python_version.replace(".", "")
    path = write_zip(entries, out_dir / "functions" / f"{package}-py{python}-{architecture}.zip")
    _BUILT[key] = path
    return path


RUNTIME_FILES = ("__init__.py", "contract.py")
RUNTIME_DIRS = ("runtime",)


def build_runtime_layer(out_dir: Path) -> Path:
    """Zip the eventpipe runtime as a layer (``python/eventpipe/...``); return its path.

    Only the modules the Lambda side imports: the lazy package root, the contract (env
    names) and ``eventpipe.runtime``. The plugin API, CLI and Pulumi code stay out.
    """
    root = Path(__file__).resolve().parent
    entries = [(root / name, f"python/eventpipe/{name}") for name in RUNTIME_FILES]
    for directory in RUNTIME_DIRS:
        base = root / directory
        if base.is_dir():
            entries += [
                (p, f"python/eventpipe/{directory}/{p.relative_to(base).as_posix()}")
                for p in _walk(base)
            ]
    return write_zip(entries, out_dir / "layers" / "eventpipe-runtime.zip")


STACK_FUNCTION_FILES = ("__init__.py", "contract.py")
STACK_FUNCTION_DIRS = ("stack_functions",)


def build_stack_functions_archive(out_dir: Path) -> Path:
    """Zip the stack-level functions (breaker, archiver) as one function archive.

    They need only boto3 (in the Lambda Python runtime) and the ground floor, so the
    archive holds ``eventpipe/__init__.py``, ``eventpipe/contract.py`` and
    ``eventpipe/stack_functions/``; no layer.
    """
    root = Path(__file__).resolve().parent
    entries = [(root / name, f"eventpipe/{name}") for name in STACK_FUNCTION_FILES]
    for directory in STACK_FUNCTION_DIRS:
        base = root / directory
        entries += [
            (p, f"eventpipe/{directory}/{p.relative_to(base).as_posix()}") for p in _walk(base)
        ]
    return write_zip(entries, out_dir / "stack-functions.zip")
