"""Every command, at 80 columns and with ``--json``, against a moto stack.

Two promises of docs/operations.md checked for the whole CLI at once: every table is
readable in an 80-column terminal (no line wider, headers whole), and every ``--json``
uses one key casing, camelCase (values under the data keys of
:data:`eventpipe.cli.output.VERBATIM_KEYS` are events, patterns and bodies, whose keys
are AWS's or the user's). A command added with ``--json`` but missing here fails
:func:`test_every_json_command_is_covered`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventpipe.cli import app
from eventpipe.cli.output import VERBATIM_KEYS
from tests.cli.stack import Stack
from tests.cli.terminal import TERMINAL_80, flat, plain_lines, too_wide
from tests.cli.test_app import _commands
from tests.cli.test_dlq import StubbedSqs
from tests.cli.test_logs import powertools
from tests.cli.test_logs import write as write_log
from tests.cli.test_pause import deploy_function

CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
EVENT = json.dumps(
    {"source": "ecommerce.orders", "detail-type": "Order Created", "detail": {"order_id": 1}}
)
REASON = (
    "amount must be positive: the order service sent a refund of -12.50 EUR which the "
    "ledger refuses"
)


@pytest.fixture
def project(stack: Stack, tmp_path: Path) -> Stack:
    """The moto stack, plus a project in the cwd whose stack file the plugins' commands
    (consumers, match) read, and a dead letter so dlq commands have something to show."""
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    body = json.loads(EVENT) | {"id": "e-1", "detail": {"amount": -12.5, "note": "x" * 150}}
    stack.dead_letter("orders", body, REASON)
    # For logs, pause and resume: a function log line, and a function with
    # its event source mapping created disabled, so moto never invokes it (no Docker).
    write_log(stack, powertools("ERROR", REASON, message_id="m-1", exception="Traceback"))
    deploy_function(stack, "mailer", uuid_in_output=True, enabled=False)
    return stack


# (words, extra args); the stack's --outputs is added to the commands that take it.
INVOCATIONS: list[tuple[list[str], list[str], bool]] = [
    (["consumers"], [], False),
    (["consumers"], ["order-processing"], False),
    (["match"], [EVENT], False),
    (["match"], [EVENT, "--deployed"], True),
    (["publish"], ["--detail-type", "Order Created", "--source", "ecommerce.orders"], True),
    (["replay"], ["--from", "-1h", "--to", "now", "--consumer", "orders"], True),
    (["status"], [], True),
    (["dlq", "peek"], ["orders"], True),
    (["dlq", "redrive"], ["inventory"], True),  # moto lacks move tasks: the empty-DLQ answer
    (["dlq", "purge"], ["orders", "--yes"], True),
    (["dlq", "cancel"], ["inventory"], True),  # empty DLQ: nothing to cancel
    (["logs"], ["orders", "--since", "1h"], True),
    (["send"], ["inventory", "a message body"], True),
    (["pause"], ["mailer"], True),
    (["resume"], ["mailer"], True),
    (["cost"], ["--events-per-month", "1000000", "--breakdown"], False),
    (["send"], ["inventory", '{"to": "a@example.com", "note": "' + "y" * 120 + '"}'], True),
    (["logs"], ["orders"], True),
    (["pause"], ["mailer"], True),
    (["resume"], ["mailer"], True),
    (["trace"], ["e-1"], True),  # the dead letter's event, found in the DLQ of orders
    (["trace"], ["--last", "5"], True),
]
COVERED_ELSEWHERE = {
    "dlq cancel": "needs a stubbed SQS (moto lacks CancelMessageMoveTask): "
    "test_dlq_cancel_json_is_camel_case below",
    "plan": "needs a recorded local deploy: tests/local/deploy/test_plan.py",
    "retired discard": "needs a stack with a retired consumer: tests/local/test_lifecycle_local.py",
}


def _run(stack: Stack, words: list[str], args: list[str], outputs: bool, *extra: str) -> Any:
    argv = [*words, *args, *(["--outputs", str(stack.outputs_file)] if outputs else []), *extra]
    return stack.runner.invoke(app, argv, env=TERMINAL_80)


def _keys(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield path, key
            if key not in VERBATIM_KEYS:
                yield from _keys(value, f"{path}.{key}")
    elif isinstance(data, list):
        for item in data:
            yield from _keys(item, f"{path}[]")


@pytest.mark.parametrize(("words", "args", "outputs"), INVOCATIONS)
def test_tables_fit_80_columns(
    project: Stack, words: list[str], args: list[str], outputs: bool
) -> None:
    result = _run(project, words, args, outputs)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip(), "the command printed nothing"
    assert too_wide(result.stdout) == []


@pytest.mark.parametrize(("words", "args", "outputs"), INVOCATIONS)
def test_json_keys_are_camel_case(
    project: Stack, words: list[str], args: list[str], outputs: bool
) -> None:
    result = _run(project, words, args, outputs, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    bad = [f"{path}.{key}" for path, key in _keys(data) if not CAMEL.match(key)]
    assert bad == [], f"`eventpipe {' '.join(words)} --json` has non-camelCase keys"


def test_every_json_command_is_covered() -> None:
    with_json = {
        " ".join(words)
        for words, command in _commands()
        if any(param.name == "as_json" for param in command.params)
    }
    covered = {" ".join(words) for words, _, _ in INVOCATIONS} | set(COVERED_ELSEWHERE)
    assert with_json - covered == set(), "add an invocation to INVOCATIONS for these"


def test_consumer_detail_shows_the_whole_pattern(project: Stack) -> None:
    table = _run(project, ["consumers"], [], False)
    assert "…" in table.stdout and "`eventpipe consumers NAME` shows" in flat(table.stdout)
    detail = _run(project, ["consumers"], ["priority-orders"], False)
    text = "\n".join(plain_lines(detail.stdout))
    assert '"numeric": [' in text and '"order_placed"' in text  # the part the table cut
    assert "maxReceiveCount" in text and "priority_orders.handler:flag" in text
    typo = _run(project, ["consumers"], ["priority-order"], False)
    assert typo.exit_code == 1 and "did you mean 'priority-orders'?" in flat(typo.stderr)


def test_dlq_cancel_json_is_camel_case(project: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    sqs = StubbedSqs(project, monkeypatch)
    dlq = sqs.orders.dlq_arn
    sqs.depth(8, redrive=False)  # a DLQ with nothing in it has no redrive to cancel
    sqs.tasks({"TaskHandle": "run-1", "Status": "RUNNING", "SourceArn": dlq})
    sqs.stubber.add_response(
        "cancel_message_move_task", {"ApproximateNumberOfMessagesMoved": 3}, {"TaskHandle": "run-1"}
    )
    sqs.depth(5, redrive=False)  # what is left in the DLQ after the cancel
    with sqs.stubber:
        result = _run(project, ["dlq", "cancel"], ["orders"], True, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [key for _, key in _keys(data) if not CAMEL.match(key)] == []
