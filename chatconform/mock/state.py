"""What one running mock holds, shared by its faces: models, keys, latency, capacity, faults, books, prompt cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from starlette.datastructures import Headers

from chatconform.mock.capacity import Capacity
from chatconform.mock.config import MockConfig
from chatconform.mock.errors import invalid
from chatconform.mock.faults import FAULT_HEADER, ArmedFaults, Fault, FaultPlan
from chatconform.mock.generation import Completion
from chatconform.mock.heavy import HeavyGate
from chatconform.mock.journal import Journal
from chatconform.mock.keys import Keys
from chatconform.mock.latency import LatencyModel
from chatconform.mock.ledger import Ledger
from chatconform.mock.memo import LRU
from chatconform.mock.prompt_cache import CachePlan, PromptCache
from chatconform.mock.redaction import Kept, mask_headers
from chatconform.mock.request import ChatRequest


class Prepared(NamedTuple):
    """What a request body becomes before any fault or framing applies: a pure function of it."""

    body: Any
    kept: Kept  # what the journal keeps of it
    req: ChatRequest
    done: Completion
    reply: dict[str, Any] | None  # the journal's `reply`, on faces that record one
    cache: CachePlan | None = None  # its prompt-cache breakpoints, when it has any


@dataclass
class MockState:
    config: MockConfig
    keys: Keys = field(init=False)
    latency: LatencyModel = field(init=False)
    faults: FaultPlan = field(init=False)
    armed: ArmedFaults = field(default_factory=ArmedFaults)  # POST /mock/faults
    ledger: Ledger = field(default_factory=Ledger)
    journal: Journal = field(init=False)
    heavy: HeavyGate = field(default_factory=HeavyGate)
    cache: PromptCache = field(default_factory=PromptCache)
    capacity: Capacity | None = field(init=False)  # the engine's queue, None when the model is off
    # (face, raw request body) -> its parsed, validated and answered form, for bodies seen before.
    requests: LRU[Prepared] = field(default_factory=lambda: LRU(256))

    def __post_init__(self) -> None:
        config = self.config
        self.keys = Keys(config.api_keys, config.profile.api_key_prefix, config.admin_key)
        self.latency = LatencyModel(config.profile, config.latency, config.seed)
        self.faults = FaultPlan(config.faults, config.seed)
        self.capacity = Capacity(config.capacity) if config.capacity.enabled else None
        self.journal = Journal(
            config.journal_size, config.journal_body_bytes, config.journal_total_bytes, self.keys.secrets
        )

    def fault_for(self, headers: Headers, body: bytes, owner: str) -> Fault:
        """The header's fault, else one `owner` armed whose marker is in `body`, else a seeded draw."""
        header = headers.get(FAULT_HEADER)
        if not header and self.armed:
            armed = self.armed.take(body, owner)
            if armed is not None:
                return armed
        try:
            return self.faults.draw(header)
        except ValueError as exc:
            raise invalid(f"Bad {FAULT_HEADER} header: {exc}", None, "invalid_fault") from exc


def journal_headers(headers: Headers) -> dict[str, str]:
    """Headers for the journal, every credential-looking one masked."""
    return mask_headers(headers.items())
