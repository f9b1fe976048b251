"""CloudWatch metric math, the part alarms use, evaluated on one period's values.

moto stores a metric-math alarm's ``Metrics`` but never evaluates them; the engine's alarm
evaluator reads each metric's datapoint for the period and computes the expression here.
What is reproduced ("Metric math syntax and functions",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html):

* arithmetic ``+ - * /`` and unary minus; a missing value (no datapoint) makes the result
  missing;
* comparisons ``== != < <= > >=`` give 1 when true and 0 when false;
* ``AND``, ``OR`` and ``NOT`` (``&&``, ``||``, ``!``) on those;
* ``IF(condition, trueValue, falseValue)``; ``IF(condition, trueValue)`` gives no value
  where the condition is false;
* ``FILL(m, value)`` fills a missing value with ``value``;
* ``MAX``, ``MIN``, ``SUM``, ``AVG`` of an array ``[a, b, ...]``, ``ABS``.

One period at a time, so time functions (``RATE``, ``DIFF``, ``RUNNING_SUM``...) and
``METRICS()``/``SEARCH`` are not reproduced: an expression using them is a
:class:`MetricMathError`, and the evaluator leaves that alarm as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Value = float | None

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[-+*/<>!(),\[\]]))"
)
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class MetricMathError(ValueError):
    """Raised for an expression this evaluator does not reproduce (or cannot parse)."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    text = expression.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise MetricMathError(f"cannot read {text[position:]!r} in {expression!r}")
        kind = match.lastgroup or "op"
        value = match.group(kind).strip()
        if kind == "name" and value.upper() in ("AND", "OR", "NOT"):
            kind, value = "op", {"AND": "&&", "OR": "||", "NOT": "!"}[value.upper()]
        tokens.append(_Token(kind, value))
        position = match.end()
    return tokens


def _arith(op: str, a: Value, b: Value) -> Value:
    if a is None or b is None:
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return None if b == 0 else a / b


class _Parser:
    """Recursive descent, lowest precedence first: OR, AND, comparison, +-, */, unary."""

    def __init__(self, expression: str, values: Mapping[str, Value]) -> None:
        self.expression = expression
        self.tokens = _tokens(expression)
        self.at = 0
        self.values = values

    def parse(self) -> Value:
        value = self.disjunction()
        if self.at != len(self.tokens):
            raise MetricMathError(
                f"unexpected {self.tokens[self.at].text!r} in {self.expression!r}"
            )
        return value

    def peek(self) -> str | None:
        return self.tokens[self.at].text if self.at < len(self.tokens) else None

    def take(self, text: str | None = None) -> _Token:
        if self.at >= len(self.tokens):
            raise MetricMathError(f"{self.expression!r} ends too soon")
        token = self.tokens[self.at]
        if text is not None and token.text != text:
            raise MetricMathError(f"expected {text!r}, found {token.text!r} in {self.expression!r}")
        self.at += 1
        return token

    def disjunction(self) -> Value:
        value = self.conjunction()
        while self.peek() == "||":
            self.take()
            other = self.conjunction()
            value = None if value is None or other is None else float(bool(value) or bool(other))
        return value

    def conjunction(self) -> Value:
        value = self.comparison()
        while self.peek() == "&&":
            self.take()
            other = self.comparison()
            value = None if value is None or other is None else float(bool(value) and bool(other))
        return value

    def comparison(self) -> Value:
        value = self.sum()
        while self.peek() in _COMPARE:
            op = self.take().text
            other = self.sum()
            value = None if value is None or other is None else float(_COMPARE[op](value, other))
        return value

    def sum(self) -> Value:
        value = self.product()
        while self.peek() in ("+", "-"):
            op = self.take().text
            value = _arith(op, value, self.product())
        return value

    def product(self) -> Value:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take().text
            value = _arith(op, value, self.unary())
        return value

    def unary(self) -> Value:
        if self.peek() == "-":
            self.take()
            value = self.unary()
            return None if value is None else -value
        if self.peek() == "!":
            self.take()
            value = self.unary()
            return None if value is None else float(not value)
        return self.atom()

    def atom(self) -> Value:
        token = self.take()
        if token.kind == "number":
            return float(token.text)
        if token.text == "(":
            value = self.disjunction()
            self.take(")")
            return value
        if token.kind == "name":
            if self.peek() == "(":
                return self.call(token.text.upper())
            if token.text not in self.values:
                raise MetricMathError(f"no metric {token.text!r} for {self.expression!r}")
            return self.values[token.text]
        raise MetricMathError(f"unexpected {token.text!r} in {self.expression!r}")

    def arguments(self) -> list[Value | list[Value]]:
        self.take("(")
        arguments: list[Value | list[Value]] = []
        while self.peek() != ")":
            if self.peek() == "[":
                self.take()
                items: list[Value] = []
                while self.peek() != "]":
                    items.append(self.disjunction())
                    if self.peek() == ",":
                        self.take()
                self.take("]")
                arguments.append(items)
            else:
                arguments.append(self.disjunction())
            if self.peek() == ",":
                self.take()
        self.take(")")
        return arguments

    def call(self, name: str) -> Value:
        arguments = self.arguments()
        if name == "IF" and len(arguments) in (2, 3):
            condition, *branches = arguments
            if condition is None or isinstance(condition, list):
                return None
            chosen = branches[0] if condition else (branches[1] if len(branches) == 2 else None)
            return None if isinstance(chosen, list) else chosen
        if name == "FILL" and len(arguments) == 2:
            value, fill = arguments
            if isinstance(value, list) or isinstance(fill, list):
                raise MetricMathError("FILL of an array is not reproduced")
            return fill if value is None else value
        if name == "ABS" and len(arguments) == 1 and not isinstance(arguments[0], list):
            return None if arguments[0] is None else abs(arguments[0])
        if name in ("MAX", "MIN", "SUM", "AVG") and len(arguments) == 1:
            items = arguments[0] if isinstance(arguments[0], list) else [arguments[0]]
            present = [v for v in items if v is not None]
            if not present:
                return None
            if name == "MAX":
                return max(present)
            if name == "MIN":
                return min(present)
            total = sum(present)
            return total if name == "SUM" else total / len(present)
        raise MetricMathError(f"{name}() is not reproduced by the local engine")


def evaluate(expression: str, values: Mapping[str, Value]) -> Value:
    """The expression's value for one period, ``values`` holding each metric id's
    datapoint (None: no datapoint)."""
    return _Parser(expression, values).parse()
