"""eventpipe example plugin: order processing, FIFO per customer, stored in DynamoDB.

``plugin`` and ``infra`` run inside the Pulumi program; ``handler`` and ``models`` run
inside Lambda and import neither pulumi nor pluggy.
"""
