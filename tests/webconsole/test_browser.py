"""The console in a real browser (headless Chromium) against a running local engine:
real events flow through the project's own plugins, and the page shows them.

Set ``EVENTPIPE_SCREENSHOTS=DIR`` to save the console's screenshots there
(``make screenshots`` writes docs/images/).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from eventpipe.cli.web import start_web_console
from eventpipe.contract import DLQ_ATTR_ERROR_MESSAGE, DLQ_ATTR_ERROR_TYPE
from eventpipe.graph import Topology
from eventpipe.local import LocalEngine
from eventpipe.operate import dlq as dlq_ops
from eventpipe.operate.trace import trace_event
from eventpipe.webconsole import Feed, RunningConsole
from tests.local.conftest import REAL_PLUGINS, PluginEnv, real_project
from tests.webconsole.browser import WAIT, start_browser

STACK = "test"
SCREENSHOTS = os.environ.get("EVENTPIPE_SCREENSHOTS")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return real_project(
        tmp_path_factory.mktemp("console") / "project",
        STACK,
        {
            "aws:region": "us-east-1",
            "eventpipe:publishSchemas": False,
            "eventpipe:dashboard": False,
        },
    )


@pytest.fixture(scope="module")
def stack(project: Path) -> Iterator[tuple[LocalEngine, RunningConsole]]:
    feed = Feed()
    with (
        PluginEnv(REAL_PLUGINS),
        LocalEngine(project, STACK, time_scale=0.01, on_log=feed.add) as engine,
    ):
        console = start_web_console(engine, project, STACK, feed)
        yield engine, console
        console.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = start_browser(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


def wait_for(driver: Any, condition: Any, what: str) -> Any:
    """Poll ``condition`` until it holds. The page rebuilds its tables on every refresh
    (``replaceChildren``), so a cell found by one call may be gone by the next: a stale
    element means "look again at the next poll", never a failure."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver, WAIT, poll_frequency=0.5, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition, message=what)


def css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def screenshot(driver: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SCREENSHOTS) / name))


def order(n: int, run: str) -> dict[str, Any]:
    detail = {
        "orderId": f"console-{run}-{n}",
        "customerId": f"customer-{n % 2}",
        "amount": 20 + n,
        "items": [{"sku": "SKU-RED-MUG", "quantity": 1}],
    }
    return {
        "Source": "ecommerce.orders",
        "DetailType": "Order Created",
        "Detail": json.dumps(detail),
    }


def dead_letter(engine: LocalEngine, consumer: str, count: int) -> None:
    """Put events in a DLQ as the runtime does on a permanent failure, reasons attached."""
    sqs = engine.client("sqs")
    url = engine.outputs.consumer(consumer).dlq_url
    for n in range(count):
        envelope = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Order Created",
            "source": "ecommerce.orders",
            "account": "123456789012",
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": order(n, "dlq")["Detail"] and json.loads(order(n, "dlq")["Detail"]),
        }
        sqs.send_message(
            QueueUrl=url,
            MessageBody=json.dumps(envelope),
            MessageAttributes={
                DLQ_ATTR_ERROR_TYPE: {"DataType": "String", "StringValue": "PermanentError"},
                DLQ_ATTR_ERROR_MESSAGE: {"DataType": "String", "StringValue": "bug, now fixed"},
            },
        )


def traced_endings(engine: LocalEngine, event_id: str) -> dict[str, set[str]]:
    """``eventpipe trace``'s answer: ending state -> consumers."""
    found: dict[str, set[str]] = {}
    for consumer in trace_event(engine.client, engine.outputs, event_id).consumers:
        found.setdefault(consumer.ending.state, set()).add(consumer.consumer)
    return found


def open_console(browser: Any, console: RunningConsole) -> None:
    browser.get(console.url)
    wait_for(browser, lambda d: css(d, "#consumers tbody tr[data-consumer]"), "the status table")


def test_the_graph_has_a_node_per_resource(
    stack: tuple[LocalEngine, RunningConsole], browser: Any
) -> None:
    _, console = stack
    topo: Topology = console.server.api.topology
    open_console(browser, console)
    nodes = wait_for(
        browser,
        lambda d: (
            (found := css(d, "#graph svg g.node")) and len(found) == len(topo.nodes) and found
        ),
        f"{len(topo.nodes)} nodes in the graph",
    )
    assert {node.get_attribute("data-id") for node in nodes} == {node.id for node in topo.nodes}
    assert {"queue", "dlq", "function", "rule", "pipe", "bus", "alarm-topic"} <= {
        node.get_attribute("data-kind") for node in nodes
    }


def test_the_feed_shows_events_and_a_click_opens_their_trace(
    stack: tuple[LocalEngine, RunningConsole], browser: Any
) -> None:
    engine, console = stack
    ids = engine.put_events([order(n, "feed") for n in range(3)])
    assert engine.wait_until_settled(WAIT), engine.queue_depths()
    open_console(browser, console)
    for event_id in ids:
        wait_for(
            browser,
            lambda d, e=event_id: css(d, f'#feed tr[data-event-id="{e}"][data-outcome="ok"]'),
            f"an ok outcome of {event_id} in the feed",
        )
    record = console.server.api.feed.of_event(ids[1])  # the engine's own record
    assert {"order-processing", "inventory-reservation"} <= {
        entry.consumer for entry in record if entry.outcome == "ok"
    }
    screenshot(browser, "console.png")
    # The function logs reach the emulator's log groups as each invocation ends: wait
    # until `eventpipe trace` itself sees every processed copy, then ask the page.
    processed = {entry.consumer for entry in record if entry.outcome == "ok"}
    wait_for(
        browser,
        lambda _: processed <= traced_endings(engine, ids[1]).get("processed", set()),
        f"the trace of {ids[1]} in the logs",
    )

    css(browser, f'#feed tr[data-event-id="{ids[1]}"]')[0].click()

    wait_for(
        browser,
        lambda d: css(d, f'#trace-section[data-event-id="{ids[1]}"][data-loaded="true"]'),
        "the trace of the clicked event",
    )
    assert css(browser, "#trace-id")[0].text == ids[1]
    rows = css(browser, "#trace-engine tr[data-consumer]")
    shown = sorted(
        (row.get_attribute("data-consumer"), row.get_attribute("data-outcome")) for row in rows
    )
    assert shown == sorted((entry.consumer, entry.outcome) for entry in record)
    screenshot(browser, "console-trace.png")


def test_a_redrive_from_the_page_moves_the_dead_letters(
    stack: tuple[LocalEngine, RunningConsole], browser: Any
) -> None:
    engine, console = stack
    consumer = "inventory-reservation"
    dlq_url = engine.outputs.consumer(consumer).dlq_url
    dead_letter(engine, consumer, 3)
    open_console(browser, console)
    wait_for(
        browser,
        lambda d: [
            c
            for c in css(d, f'#consumers tr[data-consumer="{consumer}"] td.dlq-depth')
            if c.text == "3"
        ],
        "a DLQ depth of 3 in the status table",
    )
    css(browser, f'#consumers button[data-consumer="{consumer}"]')[0].click()
    wait_for(
        browser, lambda d: css(d, f'#dlq-section[data-consumer="{consumer}"]'), "the DLQ browser"
    )

    css(browser, "#dlq-peek")[0].click()
    wait_for(browser, lambda d: css(d, "#confirm:not([hidden])"), "the peek's confirmation")
    css(browser, "#confirm-yes")[0].click()
    peeked = wait_for(
        browser,
        lambda d: (rows := css(d, "#dlq-messages tbody tr")) and len(rows) == 3 and rows,
        "3 peeked",
    )
    assert all("PermanentError: bug, now fixed" in row.text for row in peeked)

    css(browser, "#dlq-redrive")[0].click()
    wait_for(browser, lambda d: css(d, "#confirm:not([hidden])"), "the redrive's confirmation")
    css(browser, "#confirm-no")[0].click()  # cancelled: nothing moves
    assert dlq_ops.depth(engine.client("sqs"), dlq_url) == 3
    css(browser, "#dlq-redrive")[0].click()
    wait_for(browser, lambda d: css(d, "#confirm:not([hidden])"), "the redrive's confirmation")
    css(browser, "#confirm-yes")[0].click()
    wait_for(
        browser,
        lambda d: "redrive started: 3 message(s)" in css(d, "#dlq-result")[0].text,
        "the redrive's answer",
    )
    wait_for(
        browser,
        lambda d: [
            c
            for c in css(d, f'#consumers tr[data-consumer="{consumer}"] td.dlq-depth')
            if c.text == "0"
        ],
        "an empty DLQ in the status table",
    )
    assert engine.wait_until_settled(WAIT), engine.queue_depths()
    assert dlq_ops.depth(engine.client("sqs"), dlq_url) == 0
    redriven = [
        e
        for e in console.server.api.feed.since(0)
        if e.consumer == consumer and e.label.startswith("Order Created")
    ]
    assert len([e for e in redriven if e.outcome == "ok"]) >= 3
