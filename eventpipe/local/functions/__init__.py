"""Running the deployed functions.

:mod:`.pollers` does what the Lambda event source mapping does for SQS (long-poll, batch,
delete successes, leave failures to their visibility timeout); :mod:`.pool` keeps one
worker process per function (:mod:`.worker`), which runs the real eventpipe runtime.
"""
