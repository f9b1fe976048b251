"""The eventpipe Pulumi program: stack config -> plugins -> pipelines -> exports.

Everything interesting happens elsewhere: ``eventpipe.resolve`` reads the stack config,
discovers the installed consumer plugins and validates all of them together;
``eventpipe.quota_check`` counts what the stack draws on AWS's quotas and
``components.quota_refusal`` refuses the preview when it would not fit;
``components`` declares the shared bus, one pipeline per enabled consumer and the
stack-level circuit breaker, dead-letter archive and alarm digest (one notification per
incident over every alarm), each returning its typed entries of
the stack output (``eventpipe.stack_output``), which this program combines and exports.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from components import ConsumerPipeline, ConsumerPipelineArgs, EventBus, EventBusArgs
from components.alarm_digest import declare_alarm_digest
from components.breaker import declare_circuit_breaker
from components.dead_letter_archive import declare_dead_letter_archive
from components.intake import per_key_fifo
from components.quota_refusal import USAGE_OUTPUT, refuse_beyond_quotas
from components.retention import register as keep_stateful_resources
from components.retired import TYPE as RETIRED_TYPE
from components.retired import retired_consumers
from eventpipe import contract
from eventpipe.exceptions import ConfigurationError, EventpipeError
from eventpipe.packaging import DEFAULT_BUILD_DIR
from eventpipe.pulumi_stack import resolve_from_pulumi
from eventpipe.quota_check import stack_usage
from eventpipe.stack_output import StackOutputs

try:
    resolved = resolve_from_pulumi(program_dir=Path(__file__).parent)
except ConfigurationError as err:
    # RunError prints the message alone: every problem, without a Python traceback.
    raise pulumi.RunError(str(err)) from None

settings = resolved.settings
enabled = resolved.enabled
# Queues, tables and the archive bucket are never deleted by Pulumi (components/retention.py).
keep_stateful_resources(settings)
handlers = {declared.consumer.name: declared.handler_func for declared in enabled}
# Every quota `pulumi up` would hit, refused here, with the stacks sharing them counted.
quota_usage = refuse_beyond_quotas(
    settings, stack_usage(settings, [d.consumer for d in enabled], handlers)
)
try:
    bus = EventBus(
        "eventpipe",
        EventBusArgs(
            settings,
            consumers=[declared.consumer for declared in enabled],
            handlers=handlers,
        ),
    )
    pipelines = [
        ConsumerPipeline(
            declared.consumer.name,
            ConsumerPipelineArgs(
                declared.consumer,
                plugin=declared.plugin,
                settings=settings,
                bus=bus,
                distribution=declared.distribution,
            ),
            # a consumer enabled again finds the queues it kept while retired
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=RETIRED_TYPE)]),
        )
        for declared in enabled
    ]
    # A consumer that left keeps its queues and DLQs (components/retired.py).
    retired = retired_consumers(
        settings,
        {
            d.consumer.name: (d.plugin, d.consumer.fifo, per_key_fifo(d.consumer))
            for d in resolved.consumers
            if not d.enabled
        },
        live=frozenset(handlers),
    )
    breaker = declare_circuit_breaker(bus, pipelines, DEFAULT_BUILD_DIR)
    archive = declare_dead_letter_archive(bus, pipelines, DEFAULT_BUILD_DIR)
    declare_alarm_digest(bus, pipelines, breaker)
except EventpipeError as err:  # the Powertools lookup, a plugin's resources, packaging
    raise pulumi.RunError(str(err)) from None

pulumi.export("busName", bus.bus_name)
pulumi.export("busArn", bus.bus_arn)
breakers = breaker.consumer_outputs if breaker is not None else {}
outputs = StackOutputs(
    project=pulumi.get_project(),
    stack=pulumi.get_stack(),
    region=bus.region,
    bus=bus.outputs,
    consumers={
        p.consumer.name: p.outputs.with_circuit_breaker(breakers.get(p.consumer.name))
        for p in pipelines
    },
    topics=bus.topic_arns,
    breaker=breaker.outputs if breaker is not None else None,
    dead_letter_archive=archive.outputs if archive is not None else None,
    retired={
        **{r.outputs.name: r.outputs for r in retired},
        **{p.kept_intake.name: p.kept_intake for p in pipelines if p.kept_intake is not None},
    },
    protect=settings.protect,
)
pulumi.export(contract.STACK_OUTPUT, outputs.to_json())
pulumi.export(USAGE_OUTPUT, quota_usage)
