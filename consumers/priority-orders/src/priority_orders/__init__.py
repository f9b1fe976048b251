"""eventpipe example plugin: flag high-value orders (amount > 1000) on an SNS topic.

``plugin`` and ``infra`` run inside the Pulumi program; ``handler`` and ``models`` run
inside Lambda and import neither pulumi nor pluggy.
"""
