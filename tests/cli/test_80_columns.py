"""The newcomer's terminal: 80 columns. The dev live log, errors and help wrap between
words (each word whole, the same words as piped) and no line is wider than the terminal.

Each output is rendered twice, as an 80-column terminal and piped (never wrapped), and
:func:`~tests.cli.terminal.broken_words` compares their words: a line a terminal (or
rich) broke inside a word shows as two fragments where piped output has one word.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.local.watch.console import log_line, print_log_locations
from eventpipe.local.watch.tracker import LogEntry
from eventpipe.tables import console
from tests.cli.terminal import PIPED, TERMINAL_80, broken_words, flat, too_wide

BOX = str.maketrans("", "", "│╭╮╰╯─")

ENTRIES = [
    LogEntry(
        consumer="inventory-reservation",
        label="Order Created (ecommerce.orders) 1a2b3c4d",
        outcome="dead-letter",
        attempt=1,
        detail="PermanentError: refund amount must be positive for every customer of the shop",
        log="/aws/lambda/eventpipe-dev-inventory-reservation 2026/12/07/[$LATEST]0123456789ab",
    ),
    LogEntry(
        consumer="order-processing",
        label="Order Created (ecommerce.orders) 5e6f7a8b",
        outcome="retry",
        attempt=2,
        detail="RetryableError: the payment service answered 503 Service Unavailable twice",
        log="/aws/lambda/eventpipe-dev-order-processing",
    ),
]


def _render(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str]
) -> str:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = console()
    for entry in ENTRIES:
        log_line(out, entry, ["--stack", "staging"])
    print_log_locations(
        out,
        {
            "inventory-reservation": "/aws/lambda/eventpipe-dev-inventory-reservation",
            "eventpipe-dev-breaker": "/aws/lambda/eventpipe-dev-breaker",
        },
        ["--stack", "staging"],
        consumers={"inventory-reservation"},
    )
    return capsys.readouterr().out


def test_the_dev_live_log_wraps_between_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = _render(monkeypatch, capsys, TERMINAL_80)
    piped = _render(monkeypatch, capsys, PIPED)
    assert too_wide(terminal) == []
    assert broken_words(terminal, piped) == []
    assert len(terminal.splitlines()) > len(piped.splitlines())  # it did wrap
    assert "dead-lettered attempt 1" in " ".join(piped.split())
    # A failure points at the command that shows its log; a stack function is listed
    # without a `logs` hint (`eventpipe logs` reads consumers' logs only).
    assert "its log: eventpipe logs inventory-reservation --local --stack staging" in piped
    assert "eventpipe-dev-breaker (stack function): /aws/lambda/eventpipe-dev-breaker" in piped
    assert "logs eventpipe-dev-breaker" not in piped


def _invoke(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.stderr + result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["new", "Order_Audit"],  # a long error
        ["match", "@no-such-event.json"],
        ["logs", "--help"],
        ["dlq", "redrive", "--help"],
        ["--help"],
    ],
    ids=lambda args: " ".join(args),
)
def test_errors_and_help_wrap_between_words(args: list[str], tmp_path: object) -> None:
    code, terminal = _invoke(args, TERMINAL_80)
    _, wide = _invoke(args, {**PIPED, "COLUMNS": "1000"})
    assert too_wide(terminal) == []
    ordered = "--help" not in args  # help's option table wraps cells side by side
    assert broken_words(terminal.translate(BOX), wide.translate(BOX), ordered=ordered) == []
    if ordered:
        assert code == 1 and flat(terminal).startswith("error: ")


def test_a_missing_event_file_says_what_an_event_file_holds() -> None:
    code, output = _invoke(["match", "@event.json"], PIPED)
    assert code == 1
    assert "no such file: event.json" in output
    assert "examples/order-created.json" in output
