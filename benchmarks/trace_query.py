"""How long `eventpipe trace`'s Logs Insights query takes on the embedded emulator.

Fills N function log groups with runtime outcome lines (as record_log.py writes them),
then runs the trace's query for one event id and the `--last` query, several times each,
interleaved with a FilterLogEvents read of the same groups (the same lines, read the way
`eventpipe logs` reads them) as the same-process baseline. Prints medians.

    .venv/bin/python benchmarks/trace_query.py
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from eventpipe.local.emulator.server import start_emulator
from eventpipe.local.emulator.shims import apply_moto_shims
from eventpipe.operate.trace import insights

RUNS = 9
SHAPES = [(4, 250), (4, 2500), (60, 100)]  # (log groups, lines per group)


def fill(logs: object, groups: int, lines: int, tag: str) -> tuple[list[str], str]:
    names = [f"/aws/lambda/bench-{tag}-{i:02d}" for i in range(groups)]
    now = int(time.time() * 1000) - 60_000
    wanted = str(uuid.uuid4())
    for index, name in enumerate(names):
        logs.create_log_group(logGroupName=name)  # type: ignore[attr-defined]
        logs.create_log_stream(logGroupName=name, logStreamName="s")  # type: ignore[attr-defined]
        events = []
        for n in range(lines):
            event_id = wanted if (index, n) == (0, lines // 2) else str(uuid.uuid4())
            line = {
                "level": "INFO",
                "message": "record processed",
                "service": "bench",
                "message_id": str(uuid.uuid4()),
                "event_id": event_id,
                "correlation_id": event_id,
                "receive_count": 1,
                "outcome": "processed",
                "duration_ms": 1.5,
            }
            events.append({"timestamp": now + n, "message": json.dumps(line)})
        for start in range(0, len(events), 1000):
            logs.put_log_events(  # type: ignore[attr-defined]
                logGroupName=name, logStreamName="s", logEvents=events[start : start + 1000]
            )
    return names, wanted


def main() -> None:
    apply_moto_shims()
    emulator = start_emulator()
    logs = emulator.client("logs")
    since, until = datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(minutes=1)
    print(
        f"{'groups':>6} {'lines':>7} {'trace query ms':>15} {'--last query ms':>16} {'FilterLogEvents ms':>19}"
    )
    try:
        for groups, lines in SHAPES:
            names, wanted = fill(logs, groups, lines, uuid.uuid4().hex[:6])
            trace_ms, last_ms, filter_ms = [], [], []
            for _ in range(RUNS):
                started = time.perf_counter()
                rows, _run = insights.run(logs, names, insights.trace_query(wanted), since, until)
                trace_ms.append((time.perf_counter() - started) * 1000)
                assert len(rows) == 1, rows
                started = time.perf_counter()
                insights.run(
                    logs, names, insights.recent_query(["retry", "dead-lettered"]), since, until
                )
                last_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                for name in names:
                    token = None
                    while True:
                        page = logs.filter_log_events(
                            logGroupName=name, **({"nextToken": token} if token else {})
                        )
                        token = page.get("nextToken")
                        if not token:
                            break
                filter_ms.append((time.perf_counter() - started) * 1000)
            print(
                f"{groups:>6} {groups * lines:>7} {statistics.median(trace_ms):>15.1f} "
                f"{statistics.median(last_ms):>16.1f} {statistics.median(filter_ms):>19.1f}"
            )
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
