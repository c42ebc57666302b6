"""The composition root: builds shared dependencies once and the registration of each service.

Services never import each other; this module is the only place that knows
them all. A service without an implementation yet is served from its contract
and answers UNIMPLEMENTED.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import TypeVar

import redis
from redis.asyncio import Redis as AsyncRedis

from services.core import redis_store
from services.core.db import Database
from services.core.paging import PageTokens
from services.core.peers import Peers
from services.core.revocation import Revocations
from services.core.server import Server, ServiceRegistration, create_server, unimplemented
from services.core.settings import ALL_SERVICES, ServiceSettings, Settings
from services.core.tokens import KeySet, TokenVerifier

S = TypeVar("S", bound=ServiceSettings)

# Contract name of each service, and the generated module that declares it.
CONTRACTS = {name: (f"marquee.{name}.v1.{name.capitalize()}Service", f"marquee.{name}.v1.{name}_pb2") for name in ALL_SERVICES}


def implemented(name: str) -> bool:
    """A service is implemented once `services/<name>/server.py` exists; it exports `registration(deps)`."""
    if importlib.util.find_spec(f"services.{name}") is None:
        return False
    return importlib.util.find_spec(f"services.{name}.server") is not None


@dataclass
class Dependencies:
    """What services share inside one process. Built from settings, passed in, never global."""

    settings: Settings
    database: Database
    redis: redis.Redis
    keys: KeySet
    verifier: TokenVerifier
    page_tokens: PageTokens
    peers: Peers
    revocations: Revocations
    # Each service's own settings (`services/<name>/settings.py`), built on first use; tests may
    # put ready-made ones here before the server is built.
    service_settings: dict[type[ServiceSettings], ServiceSettings] = field(default_factory=dict)

    def settings_for(self, kind: type[S]) -> S:
        """The settings of one service, loaded once from the same sources as the core settings."""
        if kind not in self.service_settings:
            self.service_settings[kind] = kind.load(self.settings)
        found = self.service_settings[kind]
        assert isinstance(found, kind)
        return found

    @classmethod
    def build(cls, settings: Settings, *service_settings: ServiceSettings) -> Dependencies:
        """Everything from the core settings; ready-made service settings (tests) replace loading them."""
        keys = KeySet.from_settings(settings)
        verifier = TokenVerifier.from_settings(settings, keys)
        # A refused token could still be valid this long: its lifetime plus the clock leeway.
        lifetime = settings.access_token_ttl_seconds + settings.clock_skew_seconds
        verifier.revocations = Revocations(settings.redis_url, lifetime_seconds=lifetime)
        return cls(
            settings=settings,
            database=Database.from_settings(settings),
            redis=redis_store.connect(settings.redis_url),
            keys=keys,
            verifier=verifier,
            revocations=verifier.revocations,
            page_tokens=PageTokens(settings.secret_key.get_secret_value().encode()),
            peers=Peers(settings, keys),
            service_settings={type(given): given for given in service_settings},
        )

    @property
    def redis_async(self) -> AsyncRedis:
        """The `redis.asyncio` client for coroutines (the same server and database as `redis`)."""
        return redis_store.async_twin(self.redis)

    async def close(self) -> None:
        await self.revocations.close()
        await self.peers.close()
        self.database.close()
        await redis_store.close_async_twin(self.redis)
        self.redis.close()


def service_settings_classes() -> dict[str, type[ServiceSettings]]:
    """Each implemented service's settings class (`services/<name>/settings.py`, `<Name>Settings`)."""
    found = {}
    for name in ALL_SERVICES:
        if implemented(name) and importlib.util.find_spec(f"services.{name}.settings") is not None:
            module = importlib.import_module(f"services.{name}.settings")
            kind = getattr(module, f"{name.capitalize()}Settings", None)
            if isinstance(kind, type) and issubclass(kind, ServiceSettings):
                found[name] = kind
    return found


def registrations(deps: Dependencies) -> list[ServiceRegistration]:
    found = []
    for name in deps.settings.services:
        full_name, module = CONTRACTS[name]
        importlib.import_module(module)  # registers the contract's descriptors
        if implemented(name):
            server_module = importlib.import_module(f"services.{name}.server")
            found.append(server_module.registration(deps))
        else:
            found.append(unimplemented(full_name))
    return found


def build_server(deps: Dependencies, *, address: str | None = None) -> Server:
    server = create_server(deps.settings, registrations(deps), deps.verifier, address=address)
    deps.peers.self_address = f"127.0.0.1:{server.port}"
    server.on_start.append(deps.revocations.start)  # calls are checked against the set from the first one
    server.on_close.append(deps.close)
    return server
