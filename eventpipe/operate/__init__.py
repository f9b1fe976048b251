"""Logic of the operator commands (status, DLQ, replay, match), free of CLI concerns.

Each function takes boto3 clients and the parsed stack outputs, so it runs the same
from ``eventpipe`` commands, from scripts, and in tests against moto.
"""
