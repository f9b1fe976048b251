"""Pulumi components of eventpipe: the shared EventBus and one ConsumerPipeline per consumer.

Only this package imports pulumi and pulumi_aws; it receives plain consumer declarations
(``eventpipe.Consumer``) and knows nothing about how plugins are discovered. Needs the
``deploy`` extra of eventpipe.
"""

from __future__ import annotations

from eventpipe.extras import require

# Every component imports pulumi and pulumi_aws: name the extra before one of them fails
# (`pulumi up` runs this program only where pulumi is installed; pulumi-aws may not be).
require("deploy", "the Pulumi components (components/)", only=["pulumi", "pulumi_aws"])

from components.consumer_pipeline import ConsumerPipeline, ConsumerPipelineArgs  # noqa: E402
from components.event_bus import EventBus, EventBusArgs  # noqa: E402

__all__ = ["ConsumerPipeline", "ConsumerPipelineArgs", "EventBus", "EventBusArgs"]
