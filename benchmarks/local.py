"""Benchmark of the local engine: events/s and publish-to-handled latency.

Runs the project's own program (``__main__.py``) with a throwaway bench plugin (no-op
handlers behind the real eventpipe runtime) in the embedded emulator:

1. baseline: the emulator's own ceiling, SQS send + receive + delete in batches of 10
   with no function at all (same process, same server);
2. throughput, one consumer: N events published as fast as possible, until all handled;
3. throughput, four consumers: the same events fan out to four consumers;
4. latency: a steady 50 events/s for 20 s into one consumer, p50/p95 publish->handled;
5. FIFO keys: two FIFO consumers grouped by ``$.detail.key`` (so fed through an
   EventBridge Pipe, as on AWS), one receiving events of 1 key, the other of 10 keys, in
   the same engine; the handler waits 50 ms per event (a downstream call), batches of 10,
   up to 10 concurrent batches. events/s from first publish to last handled, medians of
   ``FIFO_REPS`` interleaved rounds; target: 10 keys >= 5x 1 key.

The emulator baseline is measured again beside each throughput phase (before the
1-consumer phase, between it and the 4-consumer one, and after): on a shared machine the
load moves within a run, so each phase is compared with the mean of the two baselines
taken either side of it.

Run: ``.venv/bin/python benchmarks/local.py [--quick] [--json PATH]`` (figures in
benchmarks/README.md). ``--quick`` runs every phase smaller (the ``make bench-check``
guard, :mod:`benchmarks.check_local`); ``--json`` writes the figures to PATH too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

EVENTS = 2000
RATE = 50
DURATION = 20.0
FIFO_EVENTS = 400
FIFO_REPS = 3
QUICK = {"EVENTS": 1000, "DURATION": 10.0, "FIFO_EVENTS": 400, "FIFO_REPS": 1}
"""The smaller run of ``--quick`` (``make bench-check``)."""
FIFO_WORKERS = 10
FIFO_HANDLER_SECONDS = 0.05
FIFO_WARMUP_EVENTS = 200
"""Events of an untimed 10-key round first, so the timed rounds find its workers warm."""


def write_bench_plugin(site: Path, consumers: int) -> None:
    package = site / "bench_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text("def handle(event):\n    return None\n")
    (package / "plugin.py").write_text(
        textwrap.dedent(f"""
        import eventpipe

        @eventpipe.hookimpl
        def eventpipe_consumers():
            return [
                eventpipe.Consumer(name=f"bench-{{i}}", pattern={{"source": ["bench"]}},
                                   handler="bench_plugin.handler:handle", timeout=30)
                for i in range({consumers})
            ]
        """)
    )
    dist = site / "bench_plugin-0.0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: bench-plugin\nVersion: 0.0.1\n")
    (dist / "entry_points.txt").write_text("[eventpipe]\nbench = bench_plugin.plugin\n")


def write_fifo_plugin(site: Path) -> None:
    """Two FIFO consumers grouped by a JSON path: the pipeline goes through a Pipe."""
    package = site / "bench_fifo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text(
        f"import time\n\ndef handle(event):\n    time.sleep({FIFO_HANDLER_SECONDS})\n"
    )
    (package / "plugin.py").write_text(
        textwrap.dedent(f"""
        import eventpipe

        @eventpipe.hookimpl
        def eventpipe_consumers():
            return [
                eventpipe.Consumer(name=f"fifo-{{keys}}key", pattern={{"source": [f"bench.{{keys}}"]}},
                                   handler="bench_fifo.handler:handle", fifo=True,
                                   message_group="$.detail.key", timeout=30,
                                   max_concurrency={FIFO_WORKERS})
                for keys in (1, 10)
            ]
        """)
    )
    dist = site / "bench_fifo-0.0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: bench-fifo\nVersion: 0.0.1\n")
    (dist / "entry_points.txt").write_text("[eventpipe]\nbench = bench_fifo.plugin\n")


def fifo_keys(project_dir: Path) -> dict[int, list[float]]:
    """events/s per key count, FIFO_REPS rounds, 1 and 10 keys interleaved."""
    from eventpipe.local import LocalEngine

    handled: dict[str, threading.Semaphore] = {
        "fifo-1key": threading.Semaphore(0),
        "fifo-10key": threading.Semaphore(0),
    }

    def on_log(entry: object) -> None:
        if getattr(entry, "outcome", "") == "ok":
            handled[entry.consumer].release()  # type: ignore[attr-defined]

    def run(engine: LocalEngine, keys: int, events: int) -> float:
        started = time.perf_counter()
        for start in range(0, events, 10):
            engine.put_events(
                [
                    {
                        "Source": f"bench.{keys}",
                        "DetailType": "Bench",
                        "Detail": json.dumps({"n": n, "key": f"k{n % keys}"}),
                    }
                    for n in range(start, min(events, start + 10))
                ]
            )
        for _ in range(events):
            if not handled[f"fifo-{keys}key"].acquire(timeout=300):
                raise RuntimeError(f"{keys}-key events were not all handled in 300 s")
        rate = events / (time.perf_counter() - started)
        assert engine.wait_until_settled(120)
        return rate

    rates: dict[int, list[float]] = {1: [], 10: []}
    with LocalEngine(
        project_dir, "bench", time_scale=0.01, workers_per_function=FIFO_WORKERS, on_log=on_log
    ) as engine:
        # Untimed: the 10-key function's environments start as its load asks for them, as
        # on Lambda; the rounds measure them warm, not their cold starts.
        run(engine, 10, FIFO_WARMUP_EVENTS)
        for round_ in range(FIFO_REPS):
            for keys in (1, 10) if round_ % 2 == 0 else (10, 1):
                rates[keys].append(run(engine, keys, FIFO_EVENTS))
    return rates


def project(root: Path) -> Path:
    import yaml

    target = root / "project"
    target.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, target / name)
    config = {
        "aws:region": "us-east-1",
        "eventpipe:publishSchemas": False,
        "eventpipe:dashboard": False,
        "eventpipe:archive": False,
    }
    (target / "Pulumi.bench.yaml").write_text(yaml.safe_dump({"config": config}))
    return target


def baseline(n: int) -> float:
    """Messages/s the emulator sustains for send + receive + delete with no function."""
    from eventpipe.local import start_emulator

    emulator = start_emulator()  # the engine's own embedded server, shims included
    try:
        sqs = emulator.client("sqs")
        url = sqs.create_queue(QueueName="baseline")["QueueUrl"]
        started = time.perf_counter()
        for start in range(0, n, 10):
            sqs.send_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "MessageBody": json.dumps({"n": start + i})} for i in range(10)
                ],
            )
        done = 0
        while done < n:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if messages:
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(messages)
                    ],
                )
            done += len(messages)
        return n / (time.perf_counter() - started)
    finally:
        emulator.stop()


def publish(engine: object, count: int) -> dict[str, float]:
    """Publish ``count`` events in PutEvents batches of 10; returns key -> publish time."""
    sent: dict[str, float] = {}
    for start in range(0, count, 10):
        entries = [
            {"Source": "bench", "DetailType": "Bench", "Detail": json.dumps({"n": start + i})}
            for i in range(min(10, count - start))
        ]
        now = time.perf_counter()
        for event_id in engine.put_events(entries):  # type: ignore[attr-defined]
            sent[f"event:{event_id}"] = now
    return sent


def throughput(project_dir: Path, consumers: int) -> tuple[float, float]:
    from eventpipe.local import LocalEngine

    handled = threading.Semaphore(0)
    with LocalEngine(
        project_dir,
        "bench",
        time_scale=0.01,
        on_log=lambda e: handled.release() if e.outcome == "ok" else None,
    ) as engine:
        started = time.perf_counter()
        publish(engine, EVENTS)
        for _ in range(EVENTS * consumers):
            if not handled.acquire(timeout=120):
                raise RuntimeError("events were not all handled within 120 s")
        elapsed = time.perf_counter() - started
    return EVENTS / elapsed, EVENTS * consumers / elapsed


def latency(project_dir: Path) -> tuple[float, float, int]:
    from eventpipe.local import LocalEngine

    done: dict[str, float] = {}
    with LocalEngine(
        project_dir,
        "bench",
        time_scale=0.01,
        on_log=lambda e: done.setdefault(e.key, time.perf_counter()),
    ) as engine:
        sent: dict[str, float] = {}
        count = int(RATE * DURATION)
        started = time.perf_counter()
        for i in range(count):
            sent.update(publish(engine, 1))
            time.sleep(max(0.0, started + (i + 1) / RATE - time.perf_counter()))
        assert engine.wait_until_settled(60)
    waits = sorted(done[k] - t for k, t in sent.items() if k in done)
    p50 = statistics.median(waits)
    p95 = waits[int(len(waits) * 0.95) - 1]
    return p50, p95, len(waits)


def machine() -> str:
    """CPUs, model, Python, moto and the load average: printed with every run."""
    import moto

    model = "unknown CPU"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"moto {moto.__version__}, load average {load}"
    )


def run(root: Path) -> dict[str, float]:
    """Every phase; the figures by name (ratios against the baselines beside them)."""
    figures: dict[str, float] = {}
    baselines = [baseline(EVENTS)]
    print(f"baseline (emulator SQS send+receive+delete, no function): {baselines[0]:.0f} msg/s")
    for consumers in (1, 4):
        site = root / f"site{consumers}"
        write_bench_plugin(site, consumers)
        sys.path.insert(0, str(site))
        events, records = throughput(_fresh(root, consumers), consumers)
        sys.path.remove(str(site))
        for module in [m for m in sys.modules if m.startswith("bench_plugin")]:
            del sys.modules[module]
        baselines.append(baseline(EVENTS))
        beside = (baselines[-2] + baselines[-1]) / 2
        print(f"baseline again: {baselines[-1]:.0f} msg/s (mean either side {beside:.0f})")
        figure = events if consumers == 1 else records
        print(
            f"{consumers} consumer(s): {events:.0f} events/s, {records:.0f} records/s "
            f"handled ({figure / beside:.2f} x baseline)"
        )
        figures[f"consumers_{consumers}"] = figure / beside
    site = root / "site-latency"
    write_bench_plugin(site, 1)
    sys.path.insert(0, str(site))
    p50, p95, n = latency(_fresh(root, "latency"))
    print(
        f"latency at {RATE} events/s for {DURATION:.0f} s ({n} events): "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
    sys.path.remove(str(site))
    figures["p50_ms"], figures["p95_ms"] = p50 * 1000, p95 * 1000
    base = statistics.median(baselines)
    figures["baseline_msg_s"] = base
    # Latency in units of the baseline's time per message, so runs at different loads compare.
    figures["p50_in_baseline_messages"] = p50 * base
    figures["p95_in_baseline_messages"] = p95 * base
    figures["fifo_10_vs_1"] = fifo_section(root)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fifo", action="store_true", help="the FIFO phase only")
    parser.add_argument("--quick", action="store_true", help="every phase smaller")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    if args.quick:
        globals().update(QUICK)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        EVENTPIPE_PLUGINS="bench",
    )
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "-", machine())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.fifo:
            fifo_section(root)
            return
        figures = run(root)
    print("load average after:", ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


def fifo_section(root: Path) -> float:
    site = root / "site-fifo"
    write_fifo_plugin(site)
    sys.path.insert(0, str(site))
    os.environ["EVENTPIPE_PLUGINS"] = "bench"
    rates = fifo_keys(_fresh(root, "fifo"))
    one, ten = statistics.median(rates[1]), statistics.median(rates[10])
    rounds = ", ".join(f"{a:.0f}/{b:.0f}" for a, b in zip(rates[1], rates[10], strict=True))
    print(
        f"FIFO through the pipe, {FIFO_EVENTS} events, {FIFO_HANDLER_SECONDS * 1000:.0f} ms "
        f"per event: 1 key {one:.1f} events/s, 10 keys {ten:.1f} events/s (medians of "
        f"{FIFO_REPS}; rounds 1-key/10-key: {rounds}); ratio {ten / one:.1f}x (target >= 5x)"
    )
    return ten / one


def _fresh(root: Path, tag: object) -> Path:
    directory = root / f"run-{tag}"
    directory.mkdir()
    return project(directory)


if __name__ == "__main__":
    main()
