"""EMF extraction for local alarms on custom metrics (the breaker's RecordsRetried)."""

from __future__ import annotations

import json

from eventpipe.local.watch.custom_metrics import MetricStore, extract

EMF = json.dumps(
    {
        "_aws": {
            "Timestamp": 1,
            "CloudWatchMetrics": [
                {
                    "Namespace": "eventpipe",
                    "Dimensions": [["service"]],
                    "Metrics": [{"Name": "RecordsRetried", "Unit": "Count"}],
                }
            ],
        },
        "service": "orders",
        "RecordsRetried": [2.0, 1.0],
    }
)
KEY = ("eventpipe", "RecordsRetried", frozenset({("service", "orders")}))


def test_emf_line_gives_its_metric_with_the_whole_dimension_set() -> None:
    assert extract(EMF) == [(KEY, [2.0, 1.0])]
    assert extract('{"level": "INFO", "message": "not a metric"}') == []
    assert extract("START RequestId: x") == []


def test_store_totals_values_and_counts() -> None:
    store = MetricStore()
    store.ingest([EMF, "plain line", EMF])
    assert store.totals(KEY) == (6.0, 4)
    assert store.totals(("eventpipe", "RecordsRetried", frozenset())) == (0.0, 0)
