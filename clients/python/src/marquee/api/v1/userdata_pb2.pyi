from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class UserDataDisposition(_message.Message):
    __slots__ = ("category", "count", "description")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    category: str
    count: int
    description: str
    def __init__(self, category: _Optional[str] = ..., count: _Optional[int] = ..., description: _Optional[str] = ...) -> None: ...
