"""`value_from` builds a dataclass from a row's same-named attributes, given values first."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from services.core.values import value_from

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class Facts:
    title_id: str
    genres: tuple[str, ...]
    create_time: dt.datetime | None
    published: bool = True


class Row:
    """A row-like object: more attributes than the value holds, a list where the value wants a tuple."""

    def __init__(self) -> None:
        self.title_id = "t1"
        self.genres = ["drama"]
        self.create_time = WHEN
        self.secret = "not a field"


def test_copies_same_named_attributes_and_takes_given_values() -> None:
    facts = value_from(Facts, Row(), genres=("drama",))
    assert facts == Facts("t1", ("drama",), WHEN, published=True)  # `published` is not on the row: its default


def test_a_given_value_wins_even_when_it_is_none() -> None:
    assert value_from(Facts, Row(), genres=(), create_time=None).create_time is None


def test_a_field_the_source_lacks_without_a_default_is_a_missing_argument() -> None:
    @dataclasses.dataclass(frozen=True)
    class Other:
        title_id: str
        rating: int

    with pytest.raises(TypeError, match="rating"):
        value_from(Other, Row())


def test_fields_outside_init_are_left_to_the_class() -> None:
    @dataclasses.dataclass
    class Derived:
        title_id: str
        secret: str = dataclasses.field(init=False, default="own")

    assert value_from(Derived, Row()).secret == "own"
