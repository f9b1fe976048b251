"""eventpipe.draft4: pydantic's draft 2020-12 schemas become valid Draft 4 schemas that
accept and refuse the same instances."""

from __future__ import annotations

import enum
import json
from typing import Literal

import pytest
from jsonschema import Draft4Validator
from pydantic import BaseModel, Field

from components.schemas import event_schema
from eventpipe import Consumer
from eventpipe.draft4 import DRAFT4, to_draft4


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    postcode: str | None = None


class Line(BaseModel):
    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0, le=1000)
    price: float = Field(ge=0, lt=1_000_000)


class Order(BaseModel):
    kind: Literal["order"] = "order"
    order_id: str
    colour: Colour
    lines: list[Line] = Field(min_length=1)
    ship_to: Address | None = None
    tags: list[str] = []
    pair: tuple[int, str] | None = None
    discount: float = Field(default=0, gt=-1, ge=0)  # both bounds: the stricter wins


class Node(BaseModel):
    value: int
    children: list[Node] = []


VALID = {
    "kind": "order",
    "order_id": "o-1",
    "colour": "red",
    "lines": [{"sku": "a", "quantity": 1, "price": 0}],
    "ship_to": {"street": "High St", "postcode": None},
    "pair": [1, "x"],
}


def draft4(model: type[BaseModel]) -> Draft4Validator:
    schema = to_draft4(model.model_json_schema())
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


@pytest.mark.parametrize("model", [Order, Line, Address, Node])
def test_every_model_converts_to_a_schema_valid_under_the_draft4_meta_schema(model):
    schema = to_draft4(model.model_json_schema())
    Draft4Validator.check_schema(schema)
    text = json.dumps(schema)
    assert schema["$schema"] == DRAFT4
    assert "$defs" not in text and "const" not in schema.get("properties", {}).get("kind", {})


def test_the_input_schema_is_not_changed():
    original = Order.model_json_schema()
    before = json.dumps(original, sort_keys=True)
    to_draft4(original)
    assert json.dumps(original, sort_keys=True) == before


def test_exclusive_bounds_become_booleans_beside_minimum_and_maximum():
    props = to_draft4(Line.model_json_schema())["properties"]
    assert props["quantity"]["minimum"] == 0 and props["quantity"]["exclusiveMinimum"] is True
    assert props["quantity"]["maximum"] == 1000 and "exclusiveMaximum" not in props["quantity"]
    assert props["price"]["exclusiveMaximum"] is True and props["price"]["maximum"] == 1_000_000


def test_the_stricter_of_two_lower_bounds_wins():
    discount = to_draft4(Order.model_json_schema())["properties"]["discount"]
    assert discount["minimum"] == 0 and "exclusiveMinimum" not in discount


def test_const_becomes_a_one_value_enum_and_refs_point_at_definitions():
    schema = to_draft4(Order.model_json_schema())
    assert schema["properties"]["kind"]["enum"] == ["order"]
    assert set(schema["definitions"]) >= {"Line", "Address", "Colour"}
    refs = [part for part in json.dumps(schema).split('"') if part.startswith("#/")]
    assert refs and all(ref.startswith("#/definitions/") for ref in refs)


def test_prefix_items_become_the_array_form_of_items():
    pair = to_draft4(Order.model_json_schema())["properties"]["pair"]
    array = next(option for option in pair["anyOf"] if option.get("type") == "array")
    assert array["items"] == [{"type": "integer"}, {"type": "string"}]
    assert "prefixItems" not in array


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({}, True),
        ({"kind": "refund"}, False),  # const
        ({"colour": "green"}, False),  # enum through a $ref
        ({"lines": []}, False),  # minItems
        ({"lines": [{"sku": "a", "quantity": 0, "price": 1}]}, False),  # exclusive minimum
        ({"lines": [{"sku": "a", "quantity": 1000, "price": 1}]}, True),  # inclusive maximum
        ({"lines": [{"sku": "a", "quantity": 1, "price": 1_000_000}]}, False),  # exclusive max
        ({"lines": [{"sku": "", "quantity": 1, "price": 1}]}, False),  # minLength
        ({"ship_to": None}, True),  # optional nested model
        ({"ship_to": {"postcode": "X"}}, False),  # required inside a nested model
        ({"pair": [1, "x", "extra"]}, False),  # tuples: maxItems
        ({"pair": ["a", "x"]}, False),  # positional item types
        ({"discount": 0}, True),
        ({"discount": -0.5}, False),  # the stricter lower bound
    ],
)
def test_the_draft4_schema_accepts_and_refuses_what_the_model_does(change, valid):
    instance = {**VALID, **change}
    accepted = draft4(Order).is_valid(instance)
    assert accepted is valid
    try:
        Order.model_validate(instance)
        model_accepts = True
    except ValueError:
        model_accepts = False
    assert model_accepts is valid


def test_recursive_models_resolve_through_definitions():
    validator = draft4(Node)
    assert validator.is_valid({"value": 1, "children": [{"value": 2, "children": []}]})
    assert not validator.is_valid({"value": 1, "children": [{"value": "x"}]})


def test_boolean_subschemas_become_draft4_objects():
    schema = to_draft4({"type": "object", "properties": {"anything": True, "nothing": False}})
    Draft4Validator.check_schema(schema)
    assert schema["properties"] == {"anything": {}, "nothing": {"not": {}}}
    assert not Draft4Validator(schema).is_valid({"nothing": 1})


def test_additional_properties_keeps_its_boolean():
    schema = to_draft4({"type": "object", "additionalProperties": False})
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("model", [Order, Node])
def test_the_published_event_schema_is_draft4_and_wraps_the_detail(model):
    consumer = Consumer(
        name="c", handler="x:y", pattern={"source": ["shop"], "detail-type": ["Made"]}
    )
    schema = json.loads(event_schema(consumer, model))
    Draft4Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT4
    validator = Draft4Validator(schema)
    detail = VALID if model is Order else {"value": 1}
    event = {"source": "shop", "detail-type": "Made", "detail": detail}
    assert validator.is_valid(event)
    assert not validator.is_valid({**event, "source": "other"})
    assert not validator.is_valid({**event, "detail": {}})
