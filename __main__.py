"""The eventpipe Pulumi program: stack config -> plugins -> pipelines -> exports.

Everything interesting happens elsewhere: ``eventpipe.resolve`` reads the stack config,
discovers the installed consumer plugins and validates all of them together;
``components`` declares the shared bus and one pipeline per enabled consumer.
"""

from __future__ import annotations

import pulumi

from components import ConsumerPipeline, ConsumerPipelineArgs, EventBus, EventBusArgs
from eventpipe import contract
from eventpipe.exceptions import ConfigurationError, EventpipeError
from eventpipe.packaging import DEFAULT_BUILD_DIR
from eventpipe.pulumi_stack import resolve_from_pulumi

try:
    resolved = resolve_from_pulumi()
except ConfigurationError as err:
    # RunError prints the message alone: every problem, without a Python traceback.
    raise pulumi.RunError(str(err)) from None

settings = resolved.settings
enabled = resolved.enabled
try:
    bus = EventBus(
        "eventpipe",
        EventBusArgs(
            settings,
            consumers=[declared.consumer for declared in enabled],
            handlers={declared.consumer.name: declared.handler_func for declared in enabled},
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
        )
        for declared in enabled
    ]
    bus.attach(pipelines, DEFAULT_BUILD_DIR)  # issue 13: circuit breaker, dead-letter archive
except EventpipeError as err:  # the Powertools lookup, a plugin's resources, packaging
    raise pulumi.RunError(str(err)) from None

pulumi.export("busName", bus.bus_name)
pulumi.export("busArn", bus.bus_arn)
pulumi.export(
    contract.STACK_OUTPUT,
    {
        "project": pulumi.get_project(),
        "stack": pulumi.get_stack(),
        "region": bus.region,
        "bus": bus.output_entry(),
        "consumers": {p.consumer.name: p.output_entry() for p in pipelines},
        **bus.stack_outputs(),
    },
)
