"""The estimator is arithmetic: it loads neither Pulumi, boto3 nor the CLI."""

from __future__ import annotations

import json
import subprocess
import sys


def test_cost_package_imports_nothing_heavy() -> None:
    code = (
        "import json, sys, eventpipe.cost; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('pulumi', 'pulumi_aws', 'boto3', 'components') "
        "or m.startswith('eventpipe.cli'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []
