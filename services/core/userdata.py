"""What a service's part in an account's erasure reports, on plain values.

Every service that holds user data answers `marquee.api.v1.UserData` purges with dispositions
(`UserDataDisposition`): one value type for all of them, field for field the message's, so each
domain only names its categories and says what it did with them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Disposition:
    """What an erasure did with one category of a user's data: how many records it held, and what
    was done (for retained data, why and for how long)."""

    category: str
    count: int
    description: str


@dataclass(frozen=True)
class Erasure:
    """A purge's report: the categories it erased and those it kept."""

    erased: list[Disposition]
    retained: list[Disposition]
