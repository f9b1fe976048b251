"""The local engine's EventBridge Pipes: SQS source -> input template -> SQS target.

moto stores pipes but moves no data. :class:`~eventpipe.local.pipes.runner.PipeRunner`
runs one recorded pipe the way Pipes documents an SQS source and an SQS target; the
input template is rendered by :mod:`~eventpipe.local.pipes.template`, paths are
evaluated by :mod:`eventpipe.pipes_paths` (the same evaluator validation uses).
"""

from __future__ import annotations

from eventpipe.local.pipes.runner import PipeRunner, source_record
from eventpipe.local.pipes.template import TemplateContext, render_template

__all__ = ["PipeRunner", "TemplateContext", "render_template", "source_record"]
