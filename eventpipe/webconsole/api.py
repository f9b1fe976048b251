"""What the console's JSON endpoints answer, each through the operate function the CLI
command of the same job calls (``status``, ``dlq peek``, ``dlq redrive``, ``dlq purge``,
``trace``), on the same :class:`~eventpipe.operate.stack_outputs.StackTarget` the CLI's
``--local`` finds; nothing here talks to AWS by itself.
"""

from __future__ import annotations

import threading
from typing import Any

from eventpipe.graph import Topology, layout, render_layout
from eventpipe.operate import breakers as breaker_ops
from eventpipe.operate import dlq as dlq_ops
from eventpipe.operate import peek as peek_ops
from eventpipe.operate import status as status_ops
from eventpipe.operate.aws import Aws
from eventpipe.operate.exceptions import OperateError
from eventpipe.operate.stack_outputs import StackTarget
from eventpipe.operate.trace import trace_event
from eventpipe.webconsole.feed import Feed

PEEK_LIMIT = 10
"""Messages a peek shows (the CLI's default)."""


class ConsoleApi:
    """The console's answers for one running stack."""

    def __init__(self, target: StackTarget, topology: Topology, feed: Feed):
        self.target = target
        self.topology = topology
        self.feed = feed
        self.aws = Aws(target)
        self._lock = threading.Lock()
        """One AWS conversation at a time: the page polls, a button acts; both are small."""
        pages = topology.pages()
        self._graph = {
            "topology": topology.to_dict(),
            "pages": [
                {"caption": page.caption, "svg": render_layout(layout(page))} for page in pages
            ],
        }

    def graph(self) -> dict[str, Any]:
        return self._graph

    def feed_since(self, after: int) -> dict[str, Any]:
        return {"entries": [entry.to_dict() for entry in self.feed.since(after)]}

    def status(self) -> dict[str, Any]:
        """``eventpipe status``: each consumer's depths, alarms, mapping and breaker."""
        outputs = self.target.outputs
        with self._lock:
            sqs, cloudwatch = self.aws.client("sqs"), self.aws.client("cloudwatch")
            lambda_client = self.aws.client("lambda")
            rows = status_ops.stack_status(outputs, sqs, cloudwatch, lambda_client=lambda_client)
            consumers = outputs.select([])
            breakers = breaker_ops.breaker_states(
                self.aws.client("scheduler"), lambda_client, outputs, consumers
            )
            delivery = status_ops.delivery_dlq_depth(outputs, sqs)
        found = []
        for row in rows:
            item = row.to_dict()
            breaker = breakers.get(row.consumer)
            item["breaker"] = breaker.to_dict() if breaker is not None else None
            item["hasIntake"] = outputs.consumer(row.consumer).has_intake
            found.append(item)
        return {"stack": outputs.stack, "consumers": found, "deliveryDlqDepth": delivery}

    def _queue(self, consumer: str, intake: bool) -> dlq_ops.DeadLetterQueue:
        return dlq_ops.dead_letter_queue(self.target.outputs.consumer(consumer), intake=intake)

    def peek(self, consumer: str, intake: bool) -> dict[str, Any]:
        """``eventpipe dlq peek``: messages are received, then made visible again at once."""
        with self._lock:
            result = peek_ops.peek(
                self.aws.client("sqs"), self._queue(consumer, intake), PEEK_LIMIT
            )
        return result.to_dict()

    def redrive(self, consumer: str, intake: bool) -> dict[str, Any]:
        """``eventpipe dlq redrive --no-wait``: start the move task; the page follows the
        DLQ's depth in the status."""
        queue = self._queue(consumer, intake)
        with self._lock:
            sqs = self.aws.client("sqs")
            waiting = dlq_ops.depth(sqs, queue.url)
            if waiting == 0:
                return {"consumer": consumer, "status": "EMPTY", "toMove": 0, "taskHandle": None}
            handle = dlq_ops.start_redrive(sqs, queue, self.target)
        return {"consumer": consumer, "status": "RUNNING", "toMove": waiting, "taskHandle": handle}

    def purge(self, consumer: str, intake: bool) -> dict[str, Any]:
        """``eventpipe dlq purge --yes`` (the page asked for the confirmation)."""
        with self._lock:
            purged = dlq_ops.purge(self.aws.client("sqs"), self._queue(consumer, intake))
        return {"consumer": consumer, "intake": intake, "purged": purged}

    def trace(self, event_id: str) -> dict[str, Any]:
        """``eventpipe trace EVENT_ID``, beside the engine's own record of the event (its
        outcomes in the feed, which the trace's log query may lag by an invocation)."""
        answer: dict[str, Any] = {
            "eventId": event_id,
            "engine": [entry.to_dict() for entry in self.feed.of_event(event_id)],
            "trace": None,
            "traceError": None,
        }
        try:
            with self._lock:
                found = trace_event(self.aws.client, self.target.outputs, event_id)
            answer["trace"] = found.to_dict()
        except OperateError as exc:
            answer["traceError"] = str(exc)
        return answer
