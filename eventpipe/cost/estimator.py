"""What a stack costs: its fixed monthly cost and each consumer's cost per million events.

Pure arithmetic over the resolved stack (``StackSettings`` and the enabled ``Consumer``
declarations) and the dated price table; no Pulumi, no AWS calls. Each figure is a
:class:`CostLine` (quantity x price / per), so the command can show, and the tests can
recompute, every step.

The model (docs/cost.md says the same, with the sources):

- **Fixed, per month.** CloudWatch alarms (each standard-resolution alarm is billed per
  month, https://aws.amazon.com/cloudwatch/pricing/); the stack's dashboards (every page
  is charged: the account's 3 free dashboards are assumed spent elsewhere); the event
  source mapping's polling of each consumer queue while it is idle ("For standard
  queues, Lambda uses long polling to poll a queue until it becomes active ... When
  traffic is low, Lambda scales back the processing to five concurrent batches, and can
  optimize to as few as 2": https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html;
  we assume ``idle_pollers`` pollers, each making one ``poll_seconds`` long poll after
  another, each an empty ReceiveMessage billed like any request, per "Short polling is
  billed the same as long polling",
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/best-practices-using-appropriate-polling-mode.html);
  the same polling of a pipe consumer's intake queue by its pipe (an assumption: AWS
  does not document how many pollers a pipe keeps on an idle queue).
- **Per event, per consumer.** The source (an EventBridge custom event, an SNS publish,
  or the producer's SendMessage for a direct queue), then on the consumer's queue one
  SendMessage, a ReceiveMessage shared by the messages it returns (at most 10), a
  DeleteMessageBatch entry (at most 10 a call); a pipe consumer adds the intake queue's
  send/receive/delete, one Pipes request and the pipe's SendMessage to the FIFO queue;
  Lambda: one invocation per full batch, GB-seconds at the consumer's memory and the
  stack's architecture for ``duration_ms`` per record, and ``log_kb`` of logs per
  invocation; an idempotent consumer's two write request units (the in-progress record
  and its completion); ``failure_rate`` of the events sent to the DLQ once more.
  Payloads are billed per 64 KB chunk by EventBridge, SQS, Pipes and SNS alike.
  A topic consumer's source is the SNS publish; SNS's delivery to the queue is free
  (https://aws.amazon.com/sns/pricing/) and the queue's SendMessage is counted like any.
  With ``deadLetterArchive`` each dead letter is also received and deleted by the
  archiver, written once to S3 and stored ``expireDays``.
- **Breaker and archive, fixed.** A consumer with a circuit breaker has one more alarm; the
  breaker function runs only when an alarm changes state (CloudWatch's alarm events on
  the default bus are AWS service events, free to ingest), so it has no idle cost. The
  dead-letter archiver runs on a schedule (``archiver_runs_per_day``): each run is a
  scheduled invocation, a Lambda invocation and one receive per DLQ. SNS topics have no
  standing charge; their publishes are per event.
- **Monthly totals** (``events_per_month`` = N): every consumer receives N events; the
  bus ingests each published event once however many rules match it, and each topic
  is published to once, so those lines are counted once for the stack, not once per
  consumer. Free tiers and volume discounts are not applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from eventpipe.cost.assumptions import Assumptions
from eventpipe.cost.fixed import fixed_lines, metric_lines
from eventpipe.cost.per_event import consumer_cost, shared_lines
from eventpipe.cost.prices import PriceTable
from eventpipe.cost.results import Estimate

if TYPE_CHECKING:  # annotations only: `eventpipe cost` starts without pydantic
    from eventpipe.config import StackSettings
    from eventpipe.consumer import Consumer


def estimate(
    settings: StackSettings,
    consumers: Iterable[Consumer],
    prices: PriceTable,
    assumptions: Assumptions | None = None,
) -> Estimate:
    """The stack's fixed monthly cost, each consumer's cost per event and, with a volume,
    monthly totals."""
    a = assumptions or Assumptions()
    a.check()
    enabled = list(consumers)
    return Estimate(
        stack=settings.stack,
        region=settings.region,
        prices=prices,
        assumptions=a,
        architecture=settings.architecture,
        fixed=fixed_lines(settings, enabled, prices, a),
        consumers=[consumer_cost(c, settings, prices, a) for c in enabled],
        shared=shared_lines(settings, enabled, prices, a),
        metrics=metric_lines(enabled, prices, a),
    )
