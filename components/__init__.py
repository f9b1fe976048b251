"""Pulumi components of eventpipe: the shared EventBus and one ConsumerPipeline per consumer.

Only this package imports pulumi and pulumi_aws; it receives plain consumer declarations
(``eventpipe.Consumer``) and knows nothing about how plugins are discovered.
"""

from __future__ import annotations

from components.consumer_pipeline import ConsumerPipeline, ConsumerPipelineArgs
from components.event_bus import EventBus, EventBusArgs

__all__ = ["ConsumerPipeline", "ConsumerPipelineArgs", "EventBus", "EventBusArgs"]
