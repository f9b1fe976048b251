"""Cost of checking and matching event patterns, against moto's ``EventPattern`` as baseline.

Why it matters: ``pattern_problems`` runs for every consumer on every ``pulumi preview``
and ``matches`` for every event the local engine routes, so both must stay cheap next to
what moto already does. Each figure is the median of ROUNDS rounds, each round running
the operation on a mix of realistic patterns LOOPS times, all in this process. A second
table runs both matchers on the same pairs: every pattern/event pair of event-ruler's
tests in ``tests/patterns/corpus/ruler_matching.json`` that moto can load.

    .venv/bin/python benchmarks/patterns.py [loops] [rounds]
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moto.events.models import EventPattern

from eventpipe.patterns import compile_pattern, matches, pattern_problems, to_json

LOOPS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 7

PATTERNS: list[dict[str, Any]] = [
    {"detail-type": ["order_placed"]},
    {"source": ["ecommerce.orders"], "detail-type": ["Order Created", "Order Updated"]},
    {"source": ["ecommerce.orders"], "detail": {"amount": [{"numeric": [">", 1000]}]}},
    {
        "detail": {
            "status": [{"anything-but": ["CANCELLED", "FAILED"]}],
            "coupon": [{"exists": False}],
        }
    },
    {"detail": {"clientIp": [{"cidr": "10.0.0.0/24"}], "path": [{"wildcard": "orders/*/items"}]}},
    {
        "source": ["ecommerce.orders"],
        "$or": [
            {"detail": {"priority": ["urgent"]}},
            {"detail": {"amount": [{"numeric": [">=", 1000, "<", 1e6]}]}},
        ],
    },
]
EVENT: dict[str, Any] = {
    "version": "0",
    "id": "1",
    "detail-type": "Order Created",
    "source": "ecommerce.orders",
    "account": "123456789012",
    "time": "2026-11-23T10:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {
        "amount": 1500,
        "status": "PLACED",
        "clientIp": "10.0.0.7",
        "path": "orders/1/items",
    },
}


def median_us(operation: Callable[[dict[str, Any]], object]) -> float:
    """Median microseconds per call over ROUNDS rounds of LOOPS x len(PATTERNS) calls."""
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(LOOPS):
            for pattern in PATTERNS:
                operation(pattern)
        samples.append((time.perf_counter() - start) / (LOOPS * len(PATTERNS)) * 1e6)
    return statistics.median(samples)


CORPUS = Path(__file__).resolve().parents[1] / "tests/patterns/corpus/ruler_matching.json"


def corpus_figures() -> tuple[int, float, float]:
    """(pairs, moto us/pair, eventpipe us/pair) over the corpus pairs moto can load."""
    pairs = []
    for case in json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]:
        try:
            loaded = EventPattern.load(json.dumps(case["pattern"]))
        except Exception:  # moto refuses some valid patterns; those pairs are skipped
            continue
        pairs.append((loaded, compile_pattern(to_json(case["pattern"])), case["event"]))
    loops = max(1, LOOPS // 20)

    def run(ours: bool) -> float:
        samples = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for _ in range(loops):
                for loaded, compiled, event in pairs:
                    compiled(event) if ours else loaded.matches_event(event)
            samples.append((time.perf_counter() - start) / (loops * len(pairs)) * 1e6)
        return statistics.median(samples)

    return len(pairs), run(False), run(True)


def main() -> None:
    moto_loaded = {id(p): EventPattern.load(json.dumps(p)) for p in PATTERNS}
    ours = {id(p): compile_pattern(to_json(p)) for p in PATTERNS}
    figures = {
        "moto EventPattern.load (baseline)": median_us(lambda p: EventPattern.load(json.dumps(p))),
        "pattern_problems": median_us(pattern_problems),
        "moto matches_event, loaded (baseline)": median_us(
            lambda p: moto_loaded[id(p)].matches_event(EVENT)  # type: ignore[arg-type]
        ),
        "eventpipe compiled matcher": median_us(lambda p: ours[id(p)](EVENT)),
        "eventpipe matches() (cache lookup + match)": median_us(lambda p: matches(p, EVENT)),
    }
    print(
        f"python {platform.python_version()}, {LOOPS} loops x {len(PATTERNS)} patterns, "
        f"median of {ROUNDS}"
    )
    for name, micros in figures.items():
        print(f"  {name:44s} {micros:8.2f} us/pattern")
    base_check = figures["moto EventPattern.load (baseline)"]
    base_match = figures["moto matches_event, loaded (baseline)"]
    print(
        f"  pattern_problems / moto load          = {figures['pattern_problems'] / base_check:.2f}x"
    )
    for name in ("eventpipe compiled matcher", "eventpipe matches() (cache lookup + match)"):
        print(f"  moto matches_event / {name[:28]:28s} = {base_match / figures[name]:.1f}x faster")
    count, moto_us, ours_us = corpus_figures()
    print(f"event-ruler corpus pairs moto can load: {count}")
    print(f"  moto matches_event, loaded (baseline)      {moto_us:8.2f} us/pair")
    print(f"  eventpipe compiled matcher                 {ours_us:8.2f} us/pair")
    print(f"  moto / eventpipe                         = {moto_us / ours_us:.1f}x faster")


if __name__ == "__main__":
    main()
