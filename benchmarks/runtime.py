"""Benchmarks of the Lambda runtime: framework time, cold import, artifact size.

Run: ``.venv/bin/python benchmarks/runtime.py`` (prints the figures; ``--reps N``), or
``.venv-core/bin/python benchmarks/runtime.py --cold-only`` for the cold start with only
what ``pip install eventpipe`` installs (the closest to a function's layers).

(a) Framework time of a batch of 10 records through ``eventpipe.runtime.handler`` with a
    no-op handler, beside what a user writes without eventpipe: a Powertools
    ``BatchProcessor`` handler that does the same work per record (parse the body into an
    EventBridge model with a typed detail, set the logger's correlation id, time the
    handler) and emits the same EMF metrics once per invocation. Same process, same
    records, interleaved, medians. Targets: < 1 ms per batch and <= 1.3 x the baseline.
(b) Cold import of the entry point in a fresh interpreter, beside importing Powertools
    batch + parser alone (CPU time, median of 11 subprocesses each). Target <= 1.5 x.
    Also import + first batch of 10 (the whole cold start) beside the hand-written handler
    (target <= 1.1 x). Both sides read bytecode compiled beforehand into a private cache
    (``PYTHONPYCACHEPREFIX``), and nothing is imported before the clock starts.
(c) Size of a consumer's function zip, layers excluded (``eventpipe.packaging``). < 1 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ["POWERTOOLS_METRICS_DISABLED"] = "false"  # both sides emit their EMF line

from aws_lambda_powertools import Logger, Metrics  # noqa: E402
from aws_lambda_powertools.utilities.batch import (  # noqa: E402
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.parser import parse  # noqa: E402
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from eventpipe import contract  # noqa: E402
from eventpipe.runtime import Event  # noqa: E402
from eventpipe.testing import eventbridge_event, lambda_context, sqs_event, sqs_record  # noqa: E402


class OrderCreated(BaseModel):
    order_id: str = Field(alias="orderId")
    customer_id: str = Field(alias="customerId")
    amount: float


class OrderCreatedEvent(EventBridgeModel):  # the hand-written side's model
    detail: OrderCreated  # type: ignore[assignment]


def noop(event: Event[OrderCreated]) -> None:
    """The plugin handler eventpipe runs (``__main__:noop``)."""


# --- the hand-written Powertools baseline ------------------------------------------------
baseline_logger = Logger(service="baseline")
baseline_metrics = Metrics(namespace="baseline", service="baseline")
baseline_processor = BatchProcessor(event_type=EventType.SQS)


def baseline_record_handler(record: Any) -> None:
    event = parse(event=record.body, model=OrderCreatedEvent)
    baseline_logger.set_correlation_id(event.id)
    start = time.perf_counter()
    noop_model(event)
    baseline_metrics.add_metric(
        name="HandlerDuration", unit="Milliseconds", value=(time.perf_counter() - start) * 1000
    )


def noop_model(event: OrderCreatedEvent) -> None:
    return None


def baseline_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = process_partial_response(
        event=event,
        record_handler=baseline_record_handler,
        processor=baseline_processor,
        context=context,
    )
    baseline_metrics.add_metric(name="RecordsSucceeded", unit="Count", value=10)
    baseline_metrics.flush_metrics()
    return dict(response)


def make_batch() -> dict[str, Any]:
    records = [
        sqs_record(
            eventbridge_event(
                "Order Created",
                "ecommerce.orders",
                {"orderId": f"o-{i}", "customerId": f"c-{i}", "amount": 10.5 + i},
            )
        )
        for i in range(10)
    ]
    return sqs_event(records)


def framework_time(reps: int) -> dict[str, float]:
    os.environ.update(
        {
            contract.ENV_HANDLER: "__main__:noop",
            contract.ENV_CONSUMER: "bench",
            contract.ENV_FIFO: "false",
            contract.ENV_SOURCE: "rule",
            contract.ENV_DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/bench-dlq",
        }
    )
    from eventpipe.runtime import handler

    batch = make_batch()
    ctx = lambda_context("bench")
    sink = io.StringIO()
    ours: list[float] = []
    base: list[float] = []
    perf = time.perf_counter_ns
    with contextlib.redirect_stdout(sink):
        assert handler(batch, ctx) == {"batchItemFailures": []}
        assert baseline_handler(batch, ctx) == {"batchItemFailures": []}
        for _ in range(200):  # warm up both
            handler(batch, ctx)
            baseline_handler(batch, ctx)
        for i in range(reps):
            if i % 2:
                t = perf()
                handler(batch, ctx)
                ours.append(perf() - t)
                t = perf()
                baseline_handler(batch, ctx)
                base.append(perf() - t)
            else:
                t = perf()
                baseline_handler(batch, ctx)
                base.append(perf() - t)
                t = perf()
                handler(batch, ctx)
                ours.append(perf() - t)
            if i % 500 == 0:
                sink.seek(0)
                sink.truncate()
    ours_ms = statistics.median(ours) / 1e6
    base_ms = statistics.median(base) / 1e6
    return {"eventpipe_ms": ours_ms, "baseline_ms": base_ms, "ratio": ours_ms / base_ms}


IMPORT_OURS = "import eventpipe.runtime"
IMPORT_BASE = (
    "from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, "
    "SqsFifoPartialProcessor\nfrom aws_lambda_powertools.utilities.parser import parse"
)
# Cold start = import + first batch (what the first invocation of a container pays). The
# batch is built here and handed over as JSON, so nothing eventpipe (or pydantic) is
# imported before the clock starts; the context is a plain stand-in with what Lambda's has.
SETUP_TEMPLATE = (
    "import json\n"
    "batch = json.loads({batch!r})\n"
    "class Context:\n"
    "    function_name = 'bench'\n"
    "    memory_limit_in_mb = 128\n"
    "    invoked_function_arn = 'arn:aws:lambda:us-east-1:123456789012:function:bench'\n"
    "    aws_request_id = 'bench-request'\n"
    "    def get_remaining_time_in_millis(self):\n"
    "        return 30000\n"
    "ctx = Context()\n"
    "def noop(event):\n    return None\n"
)


def cold_setup() -> str:
    """The setup code of a cold-start run: the batch as JSON, a context, the handler."""
    records = [sqs_record(eventbridge_event("T", "s", {"orderId": str(i)})) for i in range(10)]
    return SETUP_TEMPLATE.format(batch=json.dumps(sqs_event(records)))


FIRST_OURS = "import eventpipe.runtime\neventpipe.runtime.handler(batch, ctx)"
FIRST_BASE = (
    "from aws_lambda_powertools import Logger, Metrics\n"
    "from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response\n"
    "from aws_lambda_powertools.utilities.parser import parse\n"
    "from aws_lambda_powertools.utilities.parser.models import EventBridgeModel\n"
    "logger = Logger(service='bench'); metrics = Metrics(namespace='bench', service='bench')\n"
    "def rh(record):\n"
    "    ev = parse(event=record.body, model=EventBridgeModel)\n"
    "    logger.set_correlation_id(ev.id)\n"
    "    noop(ev)\n"
    "process_partial_response(event=batch, record_handler=rh, "
    "processor=BatchProcessor(EventType.SQS), context=ctx)\n"
    "metrics.add_metric(name='RecordsSucceeded', unit='Count', value=10)\n"
    "metrics.flush_metrics()"
)


def _timed(statement: str, setup: str = "", *, pycache: str) -> float:
    # CPU time of the interpreter, not wall time: other processes on a shared machine
    # then inflate neither side (imports are CPU-bound once files are in the page cache).
    code = (
        setup
        + "import time\nt=time.process_time()\n"
        + statement
        + "\nprint(time.process_time()-t)"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        # Both sides read bytecode compiled once into a private cache, so neither pays
        # for compiling sources and the repository's own __pycache__ does not matter.
        "PYTHONPYCACHEPREFIX": pycache,
        contract.ENV_HANDLER: "__main__:noop",
        contract.ENV_CONSUMER: "bench",
        contract.ENV_DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/bench-dlq",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def cold_import(runs: int = 11) -> dict[str, float]:
    samples: dict[str, list[float]] = {"imp": [], "imp_base": [], "first": [], "first_base": []}
    setup = cold_setup()
    with tempfile.TemporaryDirectory() as pycache:
        # One unmeasured run of each side writes the bytecode cache.
        _timed(FIRST_OURS, setup, pycache=pycache)
        _timed(FIRST_BASE, setup, pycache=pycache)
        for _ in range(runs):  # interleaved, so background load hits both sides alike
            samples["imp"].append(_timed(IMPORT_OURS, pycache=pycache))
            samples["imp_base"].append(_timed(IMPORT_BASE, pycache=pycache))
            samples["first"].append(_timed(FIRST_OURS, setup, pycache=pycache))
            samples["first_base"].append(_timed(FIRST_BASE, setup, pycache=pycache))
    m = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "eventpipe_ms": m["imp"],
        "baseline_ms": m["imp_base"],
        "ratio": m["imp"] / m["imp_base"],
        "first_ms": m["first"],
        "first_base_ms": m["first_base"],
        "first_ratio": m["first"] / m["first_base"],
    }


def artifact_size() -> dict[str, Any]:
    try:
        from eventpipe.packaging import build_function_archive
    except ImportError:
        build_function_archive = None  # type: ignore[assignment]
    sys.path.insert(0, str(ROOT / "consumers" / "orders" / "src"))
    with tempfile.TemporaryDirectory() as tmp:
        if build_function_archive is not None:
            from orders.plugin import eventpipe_consumers

            consumer = eventpipe_consumers()[0]
            path = build_function_archive(consumer, Path(tmp))
            how = "eventpipe.packaging.build_function_archive (orders consumer)"
        else:  # pragma: no cover - fallback when the packaging module is absent
            import shutil

            base = Path(tmp) / "orders"
            path = Path(
                shutil.make_archive(str(base), "zip", ROOT / "consumers/orders/src", "orders")
            )
            how = "zip of consumers/orders/src/orders (packaging module absent)"
        size = path.stat().st_size
    return {"bytes": size, "how": how}


def machine() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPU(s), {cpu}, Python {sys.version.split()[0]}"


def print_cold(ci: dict[str, float], runs: int) -> None:
    print(
        f"(b) cold import: eventpipe.runtime {ci['eventpipe_ms']:.1f} ms, "
        f"Powertools batch+parser {ci['baseline_ms']:.1f} ms, ratio {ci['ratio']:.2f}x "
        f"(target <= 1.5x) [CPU time, {runs} fresh interpreters, medians]"
    )
    print(
        f"    cold start (import + first batch of 10): eventpipe {ci['first_ms']:.1f} ms, "
        f"hand-written Powertools {ci['first_base_ms']:.1f} ms, ratio {ci['first_ratio']:.2f}x "
        "(target <= 1.1x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=11, help="fresh interpreters per cold figure")
    parser.add_argument("--cold-only", action="store_true", help="only (b): the cold start")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if args.cold_only:
        print_cold(cold_import(args.runs), args.runs)
        return
    ft = framework_time(args.reps)
    print(
        f"(a) batch of 10, no-op handler: eventpipe {ft['eventpipe_ms']:.3f} ms, "
        f"hand-written Powertools {ft['baseline_ms']:.3f} ms, ratio {ft['ratio']:.2f}x "
        f"(targets < 1 ms, <= 1.3x) [{args.reps} reps, medians]"
    )
    print_cold(cold_import(args.runs), args.runs)
    size = artifact_size()
    print(
        f"(c) function zip: {size['bytes']} bytes ({size['bytes'] / 1024:.1f} KiB) via "
        f"{size['how']} (target < 1 MB)"
    )


if __name__ == "__main__":
    main()
