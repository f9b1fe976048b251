"""``PutCompositeAlarm`` on the embedded server, as CloudWatch has it.

CloudWatch creates or updates a composite alarm from its name, its rule (``ALARM("a") OR
...``), its actions and description ("PutCompositeAlarm",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html),
and ``DescribeAlarms`` returns it among ``CompositeAlarms``. moto 5.2 stores and
describes composite alarms (an alarm whose ``rule`` is set; its own ``PutMetricAlarm``
reads ``AlarmRule`` "to re-use this method for composite alarms as well") but routes no
``PutCompositeAlarm`` action to it. This shim routes the action there, for the embedded
server's requests only.

Like moto's metric alarms, the new composite starts in ``OK`` (CloudWatch starts an alarm
in ``INSUFFICIENT_DATA``); the engine's alarm evaluator
(:mod:`eventpipe.local.watch.alarms`) evaluates its rule and sets its state.
"""

from __future__ import annotations

from typing import Any

from eventpipe.local.emulator.shims.scope import install


def composite_alarm_api() -> None:
    """Add ``PutCompositeAlarm`` to the embedded server's CloudWatch API."""
    from moto.cloudwatch.responses import CloudWatchResponse

    def put_composite_alarm(self: Any) -> Any:
        # moto's PutMetricAlarm reads the composite's parameters by name (AlarmRule
        # included); those a composite has not stay unset.
        return CloudWatchResponse.put_metric_alarm(self)

    def not_implemented(self: Any) -> Any:
        raise NotImplementedError("The PutCompositeAlarm action has not been implemented")

    install(
        CloudWatchResponse, "put_composite_alarm", put_composite_alarm, otherwise=not_implemented
    )
