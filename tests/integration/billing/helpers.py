"""Assertions shared by the Billing integration tests."""

from __future__ import annotations

import functools

from tests.support.rpc import expect_error, fails, fields  # noqa: F401  (re-exported to the area's tests)

DOMAIN = "marquee.billing"


assert_error = functools.partial(expect_error, domain=DOMAIN)
