"""Country and region of a caller's IP address from a MaxMind-format database (GeoLite2/GeoIP2 City or Country).

Optional: with no `MARQUEE_ADS_GEOIP_DATABASE` the request context is the only source. The
reader memory-maps the file once at start, so a lookup is a memory read, not I/O on the loop.
"""

from __future__ import annotations

import ipaddress
import pathlib
from typing import Any

import maxminddb


class GeoIP:
    def __init__(self, path: pathlib.Path) -> None:
        self._reader = maxminddb.open_database(str(path), maxminddb.MODE_MMAP)

    def locate(self, address: str) -> tuple[str, str]:
        """(ISO country, ISO 3166-2 region) of an address; empty strings when unknown."""
        try:
            ipaddress.ip_address(address)
            record: Any = self._reader.get(address)
        except ValueError:
            return "", ""
        if not isinstance(record, dict):
            return "", ""
        country = str((record.get("country") or {}).get("iso_code") or "").upper()
        subdivisions = record.get("subdivisions") or []
        region = ""
        if country and subdivisions and isinstance(subdivisions[0], dict) and subdivisions[0].get("iso_code"):
            region = f"{country}-{str(subdivisions[0]['iso_code']).upper()}"
        return country, region

    def close(self) -> None:
        self._reader.close()
