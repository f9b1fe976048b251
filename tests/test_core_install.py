"""``pip install eventpipe`` alone: what a producer, a plugin and the Lambda runtime get.

``make install`` builds ``.venv-core``, a virtualenv with eventpipe's core and no extra
(the Makefile's ``CORE_VENV``; an editable install, so it runs this checkout's code).
These tests run Python there, in a child process: the runtime and the plugin API import,
``Publisher`` publishes to a moto server that this (full) environment runs, and every
part whose extra is missing fails naming it, the ``eventpipe`` console script included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventpipe import aws_clients
from eventpipe.extras import EXTRAS

ROOT = Path(__file__).resolve().parents[1]
CORE_VENV = ROOT / ".venv-core"
CORE_PYTHON = CORE_VENV / "bin" / "python"


def _core_environment() -> dict[str, str]:
    """This process's environment without what would lead the child to other packages."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    }


def run_core(
    script: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with the core virtualenv's Python in ``cwd``."""
    if not CORE_PYTHON.exists():
        pytest.fail(f"{CORE_VENV} is missing: `make install` builds it (`make test` does too)")
    return subprocess.run(
        [str(CORE_PYTHON), "-c", script],
        cwd=cwd,
        env={**_core_environment(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_json(script: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    """Run ``script``, which prints one JSON value last; that value."""
    done = run_core(script, cwd, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_core_virtualenv_holds_no_library_of_any_extra(tmp_path: Path) -> None:
    libraries = sorted({module for extra in EXTRAS.values() for module, _ in extra.libraries})
    script = (
        "import importlib.util, json\n"
        f"print(json.dumps([m for m in {libraries!r} if importlib.util.find_spec(m)]))\n"
    )
    assert run_json(script, tmp_path) == []


def test_the_runtime_the_plugin_api_and_the_test_kit_import_with_the_core(
    tmp_path: Path,
) -> None:
    script = """
import json
import eventpipe
from eventpipe.runtime import Event, PermanentError, RetryableError, handler
from eventpipe.patterns import matches
from eventpipe.publish import Publisher
from eventpipe.testing import check_plugin, eventbridge_event
from eventpipe.resolve import resolve

@eventpipe.hookimpl
def eventpipe_consumers():
    return [eventpipe.Consumer(name="audit", handler="audit.handler:handle",
                               pattern={"source": ["shop"]})]

[consumer] = eventpipe_consumers()
print(json.dumps({
    "handler": f"{handler.__module__}.{handler.__name__}",
    "hookimpl": hasattr(eventpipe_consumers, "eventpipe_impl"),
    "consumer": consumer.name,
    "matches": matches(consumer.pattern, eventbridge_event("Any", "shop", {})),
}))
"""
    assert run_json(script, tmp_path) == {
        "handler": "eventpipe.runtime.entrypoint.handler",
        "hookimpl": True,
        "consumer": "audit",
        "matches": True,
    }


@pytest.fixture
def moto_server() -> Iterator[Any]:
    """moto's server, run from this (full) environment: the embedded emulator."""
    from eventpipe.local import start_emulator

    emulator = start_emulator()
    try:
        yield emulator
    finally:
        emulator.stop()


def test_publisher_in_the_core_publishes_to_a_moto_server(moto_server: Any, tmp_path: Path) -> None:
    """A producer's install: the event reaches the bus and, through a rule, a queue."""
    events, sqs = moto_server.client("events"), moto_server.client("sqs")
    events.create_event_bus(Name="core-bus")
    queue_url = sqs.create_queue(QueueName="core-check")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name="core-rule", EventBusName="core-bus", EventPattern='{"source": ["core.producer"]}'
    )
    events.put_targets(
        Rule="core-rule", EventBusName="core-bus", Targets=[{"Id": "q", "Arn": queue_arn}]
    )
    script = f"""
import json
from eventpipe.publish import Publisher
publisher = Publisher("core-bus", source="core.producer", region="us-east-1",
                      endpoint_url={moto_server.endpoint_url!r})
result = publisher.publish("Order Created", {{"orderId": "o-1", "amount": 12}})
print(json.dumps({{"ok": result.ok, "event_id": result.event_id}}))
"""
    published = run_json(script, tmp_path, env=aws_clients.fake_credentials_environment())
    assert published["ok"] is True

    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)["Messages"]
    [event] = [json.loads(message["Body"]) for message in received]
    assert event["id"] == published["event_id"]
    assert (event["source"], event["detail-type"]) == ("core.producer", "Order Created")
    assert event["detail"] == {"orderId": "o-1", "amount": 12}


ERRORS = {
    "the local engine": (
        "import eventpipe.local",
        "the local engine (eventpipe.local: eventpipe dev, eventpipe demo)",
        "local",
        "moto, Flask, flask-cors, watchfiles, pulumi, pulumi-aws, packaging",
    ),
    "the table renderer": (
        "import eventpipe.tables",
        "eventpipe's table renderer (eventpipe.tables)",
        "cli",
        "rich",
    ),
    "the CLI package": (
        "import eventpipe.cli",
        "the eventpipe command",
        "cli",
        "typer, rich",
    ),
    "the running Pulumi program's stack": (
        "from eventpipe.pulumi_stack import resolve_from_pulumi\nresolve_from_pulumi()",
        "reading the running Pulumi program's stack (eventpipe.pulumi_stack)",
        "deploy",
        "pulumi",
    ),
    "the Pulumi components": (
        "import components",
        "the Pulumi components (components/)",
        "deploy",
        "pulumi, pulumi-aws",
    ),
    "a function archive": (
        "from eventpipe.packaging import third_party_requirements\n"
        "third_party_requirements('boto3')",
        "building a function archive (eventpipe.packaging)",
        "deploy",
        "packaging",
    ),
    "the test kit's invoker": (
        "from eventpipe.testing import ConsumerInvoker\n"
        "ConsumerInvoker()('json:loads', ['{}'], source='queue')",
        "the test kit's ConsumerInvoker (invoke_consumer), which runs the runtime in moto,",
        "local",
        "moto",
    ),
    "the test kit's run_resources": (
        "import eventpipe\n"
        "from eventpipe.testing import run_resources\n"
        "run_resources(eventpipe.Consumer(name='a', handler='a.h:f', pattern=None,\n"
        "                                 resources='a.infra:tables'))",
        "eventpipe.testing.run_resources (Pulumi mocks)",
        "deploy",
        "pulumi",
    ),
}
"""What a core install refuses: script, the message's subject, the extra, the missing."""


@pytest.mark.parametrize(("script", "feature", "extra", "missing"), ERRORS.values(), ids=ERRORS)
def test_a_part_whose_extra_is_missing_names_the_extra(
    script: str, feature: str, extra: str, missing: str
) -> None:
    wrapped = (
        "import json\n"
        "try:\n"
        + "".join(f"    {line}\n" for line in script.splitlines())
        + "except ModuleNotFoundError as error:\n"
        "    print(json.dumps([type(error).__name__, str(error)]))\n"
    )
    # From the project root: `components` is the project's, not part of the distribution.
    assert run_json(wrapped, ROOT) == [
        "MissingExtraError",
        f"{feature} needs eventpipe's {extra!r} extra, which is not installed here "
        f"(missing: {missing}). Fix: pip install 'eventpipe[{extra}]'",
    ]


def test_the_console_script_without_the_cli_extra_prints_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(CORE_VENV / "bin" / "eventpipe"), "consumers"],
        cwd=tmp_path,
        env=_core_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "error: the eventpipe command needs eventpipe's 'cli' extra, which is not installed "
        "here (missing: typer, rich). Fix: pip install 'eventpipe[cli]'\n"
    )


def test_the_core_is_this_checkout(tmp_path: Path) -> None:
    """The tests above ran this worktree's code, not a copy made when the venv was built."""
    located = run_json("import eventpipe, json; print(json.dumps(eventpipe.__file__))", tmp_path)
    assert Path(located) == ROOT / "eventpipe" / "__init__.py"
    assert sys.executable != str(CORE_PYTHON)
