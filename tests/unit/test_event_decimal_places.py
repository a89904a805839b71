"""The events' decimal-places check means what pydantic's ``decimal_places`` means.

``alchemiser.events.base`` checks places with one quantize per value instead of
pydantic's normalize-and-unpack (a third of SignalGenerated's parsing time); these
properties hold it to pydantic's semantics for every bounded value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from alchemiser.events.base import (
    MAX_MONEY,
    MAX_PRICE,
    MAX_QUANTITY,
    MONEY_PLACES,
    QUANTITY_PLACES,
    WEIGHT_PLACES,
    Money,
    PositiveQuantity,
    Price,
    Quantity,
    Weight,
)

# (ours, pydantic's own with the same bounds and places)
_TYPES: dict[str, tuple[Any, Any]] = {
    "Money": (
        Money,
        Annotated[Decimal, Field(ge=-MAX_MONEY, le=MAX_MONEY, decimal_places=MONEY_PLACES)],
    ),
    "Price": (Price, Annotated[Decimal, Field(gt=0, le=MAX_PRICE, decimal_places=MONEY_PLACES)]),
    "Quantity": (
        Quantity,
        Annotated[Decimal, Field(ge=0, le=MAX_QUANTITY, decimal_places=QUANTITY_PLACES)],
    ),
    "PositiveQuantity": (
        PositiveQuantity,
        Annotated[Decimal, Field(gt=0, le=MAX_QUANTITY, decimal_places=QUANTITY_PLACES)],
    ),
    "Weight": (
        Weight,
        Annotated[Decimal, Field(ge=0, le=1, decimal_places=WEIGHT_PLACES)],
    ),
}


def _outcome(adapter: TypeAdapter[Decimal], value: Decimal) -> str:
    try:
        adapter.validate_python(value)
    except ValidationError as exc:
        return str(exc.errors()[0]["type"])
    return "ok"


# Finite decimals of up to 40 digits with exponents from -40 to +14: inside, at and past
# every bound and every number of places (trailing zeros included).
_DECIMALS = st.builds(
    lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
    st.integers(0, 1),
    st.lists(st.integers(0, 9), min_size=1, max_size=40),
    st.integers(-40, 14),
)


@pytest.mark.parametrize("name", sorted(_TYPES))
@given(value=_DECIMALS)
def test_places_are_refused_exactly_as_pydantic_refuses_them(name: str, value: Decimal) -> None:
    ours, theirs = _TYPES[name]
    mine, pydantics = _outcome(TypeAdapter(ours), value), _outcome(TypeAdapter(theirs), value)
    assert (mine == "ok") == (pydantics == "ok")
    # Pydantic names the places first, ours the bounds first: a value past both differs.
    if mine == "decimal_max_places":
        assert pydantics == "decimal_max_places"


@pytest.mark.parametrize("name", sorted(_TYPES))
def test_absurd_precision_is_refused_naming_the_places(name: str) -> None:
    ours, _ = _TYPES[name]
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(ours).validate_python("1e-999999")
    assert refused.value.errors()[0]["type"] == "decimal_max_places"
    assert "decimal places" in refused.value.errors()[0]["msg"]


def test_a_weight_of_one_third_at_full_precision_is_a_weight() -> None:
    third = Decimal(1) / 3
    assert TypeAdapter(Weight).validate_python(third) == third
