"""eventpipe example plugin: reserve stock when an order is created.

``plugin`` and ``infra`` run inside the Pulumi program; ``handler`` and ``models`` run
inside Lambda and import neither pulumi nor pluggy.
"""
