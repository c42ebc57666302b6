"""Plain values read off rows by their field names, the dataclass side of `convert.message_from`.

A use case that hands a row's facts to the domain copies the same-named attributes one by one;
`value_from` does it once, from the dataclass's own fields, so a field added to both cannot be
forgotten in the copy.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V", bound="DataclassInstance")


def value_from(value_type: type[V], source: object, /, **given: Any) -> V:
    """A `value_type` with the fields `given` and, for every other field, the same-named attribute
    of `source` (as it is: convert a value, or a field named differently, by giving it). A field
    `source` lacks keeps its default; one without a default is a TypeError, as a missing argument."""
    values = {
        field.name: getattr(source, field.name)
        for field in dataclasses.fields(value_type)
        if field.init and field.name not in given and hasattr(source, field.name)
    }
    return value_type(**values, **given)
