"""The shared erasure value mirrors the contract's `UserDataDisposition`, field for field."""

from __future__ import annotations

import dataclasses

from marquee.api.v1 import userdata_pb2

from services.core.userdata import Disposition


def test_disposition_has_the_contract_fields_in_order() -> None:
    names = [field.name for field in dataclasses.fields(Disposition)]
    assert names == [field.name for field in userdata_pb2.UserDataDisposition.DESCRIPTOR.fields]


def test_disposition_converts_to_the_message_as_it_is() -> None:
    kept = Disposition("payment_records", 3, "kept 10 years")
    message = userdata_pb2.UserDataDisposition(**dataclasses.asdict(kept))
    assert (message.category, message.count, message.description) == ("payment_records", 3, "kept 10 years")
