"""eventpipe example plugin: e-mail customers about their orders and payments (SES).

``plugin`` and ``infra`` run inside the Pulumi program; ``handler``, ``models`` and
``templates`` run inside Lambda and import neither pulumi nor pluggy.
"""
