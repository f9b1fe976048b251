"""The dated price table (``prices.toml``) as typed values.

The table lives in a data file rather than in code so a price update is a one-row diff
that carries its source and the day it was read; the estimator refers to prices by
their key only, so a price missing from the file is an error naming the key, never a
silent zero.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from eventpipe.cost.exceptions import PriceTableError

TABLE = "prices.toml"
REQUIRED_FIELDS = ("value", "unit", "source", "read", "evidence")


@dataclass(frozen=True)
class Price:
    """One list price: ``value`` USD per ``unit``, from ``source`` as read on ``read``."""

    key: str
    value: float
    unit: str
    source: str
    read: str
    evidence: str


@dataclass(frozen=True)
class PriceTable:
    """Every price of one dated table, by key."""

    date: str
    region: str
    currency: str
    hours_per_month: int
    prices: dict[str, Price]

    def __getitem__(self, key: str) -> float:
        return self.price(key).value

    def price(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            raise PriceTableError(
                f"price {key!r} is not in the price table dated {self.date}: "
                f"add a [prices.{key}] row to eventpipe/cost/{TABLE}"
            ) from None

    @property
    def seconds_per_month(self) -> int:
        return self.hours_per_month * 3600


def load_prices(path: Path | None = None) -> PriceTable:
    """The table shipped with eventpipe (or the one at ``path``), checked row by row."""
    if path is None:
        text = resources.files("eventpipe.cost").joinpath(TABLE).read_text(encoding="utf-8")
        where = f"eventpipe/cost/{TABLE}"
    else:
        text, where = path.read_text(encoding="utf-8"), str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PriceTableError(f"{where}: not valid TOML: {exc}") from None
    problems: list[str] = []
    for field in ("date", "region", "currency", "hours_per_month", "prices"):
        if field not in data:
            problems.append(f"{where}: top-level {field!r} is missing")
    prices: dict[str, Price] = {}
    for key, row in dict(data.get("prices", {})).items():
        missing = [f for f in REQUIRED_FIELDS if f not in row]
        if missing:
            problems.append(f"{where}: [prices.{key}] lacks {', '.join(missing)}")
            continue
        if not str(row["source"]).startswith("https://aws.amazon.com/"):
            problems.append(
                f"{where}: [prices.{key}] source {row['source']!r} is not an AWS pricing "
                "page: cite https://aws.amazon.com/<service>/pricing/"
            )
        if not isinstance(row["value"], int | float) or row["value"] < 0:
            problems.append(f"{where}: [prices.{key}] value must be a number >= 0")
            continue
        prices[key] = Price(
            key,
            float(row["value"]),
            str(row["unit"]),
            str(row["source"]),
            str(row["read"]),
            str(row["evidence"]),
        )
    if problems:
        raise PriceTableError("; ".join(problems))
    return PriceTable(
        str(data["date"]),
        str(data["region"]),
        str(data["currency"]),
        int(data["hours_per_month"]),
        prices,
    )
