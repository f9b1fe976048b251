"""A plugin built and installed outside the repo gets its whole pipeline.

The test writes a throwaway plugin distribution (pyproject + hookimpl module + handler)
in a temp dir, builds a wheel from it with pip (no network, no build isolation), installs
the wheel into another temp dir with ``pip install --target`` and puts that dir on
``sys.path``: exactly what a ``pip install`` of a third-party wheel leaves behind. No
file of this repository names the plugin; eventpipe must find it through the
``eventpipe`` entry point group alone.
"""

from __future__ import annotations

import importlib
import json
import runpy
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import settings as pulumi_settings

from eventpipe.aws_clients import fake_credentials_environment
from eventpipe.plugins import discover
from eventpipe.resolve import resolve
from eventpipe.testing.pulumi_mocks import AwsMocks, policy
from tests.components.helpers import run_to_completion

PROJECT = Path(__file__).resolve().parents[1]

DIST = "eventpipe-dropin-audit"
PACKAGE = "dropin_audit"
ENTRY_POINT = "dropin-audit"
CONSUMER = "dropin-audit"
ONLY_THIS_PLUGIN = {"EVENTPIPE_PLUGINS": ENTRY_POINT}

FILES = {
    "pyproject.toml": f"""
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{DIST}"
        version = "0.0.1"
        dependencies = ["eventpipe"]

        [project.entry-points.eventpipe]
        {ENTRY_POINT} = "{PACKAGE}.plugin"

        [tool.setuptools.packages.find]
        where = ["src"]
        """,
    f"src/{PACKAGE}/__init__.py": '"""A plugin no file in the repository knows about."""\n',
    f"src/{PACKAGE}/plugin.py": f"""
        import eventpipe

        @eventpipe.hookimpl
        def eventpipe_consumers():
            return [
                eventpipe.Consumer(
                    name="{CONSUMER}",
                    pattern={{"source": ["ecommerce.audit"], "detail-type": ["Audit Logged"]}},
                    handler="{PACKAGE}.handler:handle",
                    timeout=10,
                )
            ]
        """,
    f"src/{PACKAGE}/handler.py": """
        SEEN = []

        def handle(event, info):
            SEEN.append(event.detail)
        """,
}


def _pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check", *args],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The throwaway plugin, built into a wheel outside the repository."""
    project = tmp_path_factory.mktemp("dropin-src")
    for name, text in FILES.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    out = tmp_path_factory.mktemp("dropin-wheel")
    # An absolute path: pip would look a bare name up on the package index.
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(out), str(project))
    [built] = out.glob("*.whl")
    return built


@pytest.fixture
def installed(wheel: Path, tmp_path: Path) -> Iterator[Path]:
    """The wheel installed into a private site dir on sys.path; removed without a trace."""
    site = tmp_path / "site"
    _pip("install", "--no-deps", "--no-index", "--target", str(site), str(wheel))
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    try:
        yield site
    finally:
        sys.path.remove(str(site))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        leaked = [ep for ep in metadata.entry_points(group="eventpipe") if ep.name == ENTRY_POINT]
        assert not leaked, "the drop-in plugin is still visible after the test"


def test_not_visible_before_install() -> None:
    assert ENTRY_POINT not in {ep.name for ep in metadata.entry_points(group="eventpipe")}


def test_discovered_through_the_entry_point_group(installed: Path) -> None:
    loaded = discover(env=ONLY_THIS_PLUGIN)
    assert loaded.problems == []
    [info] = loaded.plugins
    assert (info.name, info.distribution, info.version) == (ENTRY_POINT, DIST, "0.0.1")
    assert info.module == f"{PACKAGE}.plugin"
    assert Path(sys.modules[f"{PACKAGE}.plugin"].__file__ or "").is_relative_to(installed)


def test_resolved_and_validated_like_any_plugin(installed: Path) -> None:
    resolved = resolve({}, stack="dev", env=ONLY_THIS_PLUGIN)
    [declared] = resolved.enabled
    assert (declared.plugin, declared.distribution) == (ENTRY_POINT, DIST)
    assert declared.consumer.name == CONSUMER
    assert declared.handler_func is not None
    assert declared.handler_func.__module__ == f"{PACKAGE}.handler"


@pytest.fixture
def mocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsMocks]:
    """The components' AWS mocks on a fresh ``dev`` stack; only the drop-in plugin loads."""
    for key, value in fake_credentials_environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("EVENTPIPE_PLUGINS", ENTRY_POINT)
    monkeypatch.delenv("EVENTPIPE_DISABLE_PLUGINS", raising=False)
    pulumi_settings.ROOT.set(None)
    pulumi.runtime.set_all_config({"aws:region": "us-east-1"})
    aws_mocks = AwsMocks()
    pulumi.runtime.set_mocks(aws_mocks, project="eventpipe", stack="dev", preview=False)
    try:
        yield aws_mocks
    finally:
        pulumi_settings.ROOT.set(None)
        pulumi.runtime.set_all_config({})


PIPELINE = {
    "aws:cloudwatch/eventRule:EventRule": ["rule"],
    "aws:cloudwatch/eventTarget:EventTarget": ["target"],
    "aws:sqs/queue:Queue": ["queue", "dlq"],
    "aws:sqs/queuePolicy:QueuePolicy": ["queue-policy", "dlq-policy"],
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": ["dlq-redrive-allow"],
    "aws:iam/role:Role": ["role"],
    "aws:iam/rolePolicy:RolePolicy": ["policy"],
    "aws:cloudwatch/logGroup:LogGroup": ["logs"],
    "aws:lambda/function:Function": ["function"],
    "aws:lambda/eventSourceMapping:EventSourceMapping": ["esm"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["alarm"],
}
"""Every resource of one consumer's pipeline, by type and logical-name suffix."""


def test_program_builds_the_whole_pipeline(installed: Path, mocks: AwsMocks) -> None:
    """``__main__.py``, exactly as ``pulumi up`` runs it, finds and builds the plugin."""

    def program() -> Any:
        if str(PROJECT) not in sys.path:
            sys.path.insert(0, str(PROJECT))
        runpy.run_path(str(PROJECT / "__main__.py"), run_name="__main__")
        root = pulumi_settings.get_root_resource()
        assert root is not None
        return root.outputs["eventpipe"]  # type: ignore[attr-defined]

    # Checked once every registration has finished (see run_to_completion).
    output = run_to_completion(program)
    [entry] = output["consumers"].values()
    assert output["consumers"].keys() == {CONSUMER}
    assert entry["plugin"] == ENTRY_POINT and entry["source"] == "rule"

    def one(typ: str, suffix: str) -> Any:
        return mocks.one(typ, f"{CONSUMER}-{suffix}")

    for typ, suffixes in PIPELINE.items():
        for suffix in suffixes:
            one(typ, suffix)

    rule = one("aws:cloudwatch/eventRule:EventRule", "rule")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["ecommerce.audit"],
        "detail-type": ["Audit Logged"],
    }
    queue = one("aws:sqs/queue:Queue", "queue")
    dlq = one("aws:sqs/queue:Queue", "dlq")
    assert (queue.outputs["url"], dlq.outputs["url"]) == (entry["queueUrl"], entry["dlqUrl"])
    target = one("aws:cloudwatch/eventTarget:EventTarget", "target")
    assert target.inputs["arn"] == queue.outputs["arn"]
    assert json.loads(queue.inputs["redrivePolicy"])["deadLetterTargetArn"] == dlq.outputs["arn"]
    queue_policy = policy(one("aws:sqs/queuePolicy:QueuePolicy", "queue-policy"))
    assert rule.outputs["arn"] in json.dumps(queue_policy)

    function = one("aws:lambda/function:Function", "function")
    assert function.inputs["handler"] == "eventpipe.runtime.handler"
    variables = function.inputs["environment"]["variables"]
    assert variables["EVENTPIPE_HANDLER"] == f"{PACKAGE}.handler:handle"
    esm = one("aws:lambda/eventSourceMapping:EventSourceMapping", "esm")
    assert esm.inputs["eventSourceArn"] == queue.outputs["arn"]
    assert esm.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    alarm_topic = mocks.one("aws:sns/topic:Topic", "eventpipe-alarms").outputs["arn"]
    alarm = one("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm")
    assert [alarm.outputs["name"]] == entry["alarmNames"]
    [digest] = mocks.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
    assert f'ALARM("{alarm.outputs["name"]}")' in digest.inputs["alarmRule"]
    assert digest.inputs["alarmActions"] == [alarm_topic]  # the digest notifies, once

    # The function artifact holds the plugin's package, taken from the installed wheel.
    with zipfile.ZipFile(function.inputs["code"].path) as archive:
        names = archive.namelist()
    assert f"{PACKAGE}/handler.py" in names and f"{PACKAGE}/plugin.py" in names
    assert not any(n.startswith(("pulumi/", "pluggy/", "boto3/", "tests/")) for n in names)
