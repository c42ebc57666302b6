"""The base of every service's repository: the unit of work's session and the row operations all share.

A repository takes the session of the unit of work around the RPC and never commits; its
subclass adds the service's queries (the only place they are built).
"""

from __future__ import annotations

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session) -> None:
        self.s = session

    @property
    def dialect(self) -> str:
        """`postgresql` or `sqlite`: for the few statements the two spell differently."""
        return self.s.get_bind().dialect.name

    def add(self, row: object) -> None:
        self.s.add(row)

    def flush(self) -> None:
        self.s.flush()

    def delete(self, row: object) -> None:
        self.s.delete(row)
