"""Dashboards stay within CloudWatch's quotas however many consumers a stack has, and a
stack over EventBridge's rules-per-bus quota is warned about it (Pulumi mocks)."""

from __future__ import annotations

import json

import pulumi
import pytest

from components import EventBus, EventBusArgs
from components.dashboard import (
    CONSUMERS_PER_PAGE,
    MAX_METRICS,
    MAX_WIDGETS,
    WIDGETS_PER_CONSUMER,
    dashboard_pages,
)
from eventpipe.consumer import Consumer
from tests.components.helpers import settings

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"


def generated(count: int) -> list[Consumer]:
    return [
        Consumer(name=f"consumer-{i:04d}", handler="pkg.handler:run", pattern={"source": [f"s{i}"]})
        for i in range(count)
    ]


def metrics_of(widgets: list[dict]) -> int:
    return sum(len(w["properties"].get("metrics", [])) for w in widgets)


@pytest.mark.parametrize("count", [1, CONSUMERS_PER_PAGE, CONSUMERS_PER_PAGE + 1, 300, 1000])
def test_every_dashboard_is_within_the_quotas_and_every_consumer_is_on_one(count):
    consumers = generated(count)
    pages = dashboard_pages(consumers, "ep-", "eu-west-1")
    shown: list[str] = []
    for page in pages:
        widgets = json.loads(page.body)["widgets"]
        assert len(widgets) <= MAX_WIDGETS, page.name
        assert metrics_of(widgets) <= MAX_METRICS, page.name
        assert len(page.consumers) <= CONSUMERS_PER_PAGE
        for consumer in page.consumers:
            assert sum(consumer in w["properties"].get("title", "") for w in widgets) == (
                WIDGETS_PER_CONSUMER
            )
        shown += page.consumers
    assert shown == [c.name for c in consumers]
    assert len({p.name for p in pages}) == len(pages)
    assert pages[0].name == "ep-pipelines" and pages[0].key == ""


def test_a_stack_that_fits_one_page_keeps_one_dashboard():
    [page] = dashboard_pages(generated(CONSUMERS_PER_PAGE), "ep-", "us-east-1")
    widgets = json.loads(page.body)["widgets"]
    assert len(widgets) == WIDGETS_PER_CONSUMER * CONSUMERS_PER_PAGE
    assert all(w["type"] == "metric" for w in widgets)


def test_the_overview_links_to_every_page_and_every_page_links_back():
    pages = dashboard_pages(generated(300), "ep-", "eu-west-1")
    overview, *rest = pages
    assert len(rest) == 300 // CONSUMERS_PER_PAGE
    [text] = json.loads(overview.body)["widgets"]
    for page in rest:
        assert f"#dashboards/dashboard/{page.name})" in text["properties"]["markdown"]
        header = json.loads(page.body)["widgets"][0]
        assert header["type"] == "text"
        assert f"#dashboards/dashboard/{overview.name})" in header["properties"]["markdown"]
        # widgets below the header do not overlap it
        assert min(w["y"] for w in json.loads(page.body)["widgets"][1:]) >= header["height"]


@pytest.mark.parametrize("count", [300, 1000])
def test_the_bus_declares_one_dashboard_per_page_under_mocks(mocks, build_dir, count):
    consumers = generated(count)

    @pulumi.runtime.test
    def run():
        bus = EventBus(
            "eventpipe", EventBusArgs(settings(), consumers=consumers, build_dir=build_dir)
        )

        def check(_):
            declared = mocks.of_type(DASHBOARD)
            expected = dashboard_pages(consumers, "eventpipe-test-", "us-east-1")
            assert sorted(d.inputs["dashboardName"] for d in declared) == sorted(
                p.name for p in expected
            )
            for dashboard in declared:
                widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
                assert len(widgets) <= MAX_WIDGETS and metrics_of(widgets) <= MAX_METRICS
            assert bus.dashboard_name is not None

            def overview_is_the_output(name: str) -> None:
                assert name == expected[0].name

            return bus.dashboard_name.apply(overview_is_the_output)

        return pulumi.Output.all(*[r.urn for r in bus.resources.values()]).apply(check)

    run()
