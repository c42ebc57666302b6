from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor
LIMITS_FIELD_NUMBER: _ClassVar[int]
limits: _descriptor.FieldDescriptor

class FieldLimits(_message.Message):
    __slots__ = ("max_length", "max_items", "min_value", "max_value", "has_range", "reason")
    MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    MIN_VALUE_FIELD_NUMBER: _ClassVar[int]
    MAX_VALUE_FIELD_NUMBER: _ClassVar[int]
    HAS_RANGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    max_length: int
    max_items: int
    min_value: int
    max_value: int
    has_range: bool
    reason: str
    def __init__(self, max_length: _Optional[int] = ..., max_items: _Optional[int] = ..., min_value: _Optional[int] = ..., max_value: _Optional[int] = ..., has_range: bool = ..., reason: _Optional[str] = ...) -> None: ...
