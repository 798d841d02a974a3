"""Prompt caching: `cache_control` breakpoints write a prompt prefix to a cache that later requests read.

It follows Anthropic's rules (platform.claude.com, "Prompt caching"): the
prompt is read in order (tools, system, messages), block by block; a block
with `cache_control: {"type": "ephemeral", "ttl": "5m" | "1h"}` is a
breakpoint, and the prefix up to and including it is written to the cache
when no longer cached prefix is found. A request reads the longest cached
prefix it shares, found at a breakpoint or at any of the 20 block boundaries
before one (the API's lookback). At most 4 breakpoints; a prefix shorter than
the minimum (`min_tokens`, 1,024 by default: the smallest of the per-model
minimums Anthropic documents) is not cached; 1-hour breakpoints come before
5-minute ones. An entry lives for its TTL from its last use (a read refreshes
it). Entries belong to the key that wrote them (Anthropic scopes caches to an
organization; the mock's tenant is the key) and to the model.

A face turns its request into `Block`s; `plan` makes the per-request part
that is a pure function of the body (memoised with it), and
`PromptCache.use` the part that depends on what was cached before: how many
prompt tokens were read and written.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

TTLS = {"5m": 300.0, "1h": 3600.0}
MAX_BREAKPOINTS = 4
LOOKBACK_BLOCKS = 20
DEFAULT_MIN_TOKENS = 1024
MAX_ENTRIES = 10_000  # in all; the least recently used entry goes first


class Block(NamedTuple):
    """One block of a prompt, in order: its content (without `cache_control`), its tokens, its `cache_control`."""

    content: Any
    tokens: int
    control: Any = None


class CacheControlError(ValueError):
    """A `cache_control` the API refuses: `where` is the index of the block that carries it."""

    def __init__(self, where: int, reason: str) -> None:
        super().__init__(reason)
        self.where = where


@dataclass(frozen=True)
class Breakpoint:
    index: int  # of the block that carries it
    tokens: int  # prompt tokens up to and including that block
    ttl: str  # "5m" or "1h"


@dataclass(frozen=True)
class CachePlan:
    """What caching means for one request body: its breakpoints and the prefix digest at every block."""

    breakpoints: tuple[Breakpoint, ...]
    boundaries: tuple[tuple[int, bytes], ...]  # (tokens, digest) of the prefix ending at each block


@dataclass(frozen=True)
class CacheUse:
    """Prompt tokens one request read from the cache and wrote to it, by TTL."""

    read: int = 0
    write_5m: int = 0
    write_1h: int = 0

    @property
    def written(self) -> int:
        return self.write_5m + self.write_1h


NO_CACHE = CacheUse()


def plan(blocks: Iterable[Block], total_tokens: int, min_tokens: int = DEFAULT_MIN_TOKENS) -> CachePlan | None:
    """The request's cache plan, None when it has no breakpoint; CacheControlError for a refused one."""
    boundaries: list[tuple[int, bytes]] = []
    breakpoints: list[Breakpoint] = []
    digest, tokens = b"", 0
    for index, block in enumerate(blocks):
        tokens = min(total_tokens, tokens + block.tokens)
        canonical = json.dumps(block.content, sort_keys=True, ensure_ascii=False, default=str).encode()
        digest = hashlib.blake2b(digest + canonical, digest_size=16).digest()
        boundaries.append((tokens, digest))
        if block.control is None:
            continue
        ttl = _ttl(block.control, index)
        if len(breakpoints) == MAX_BREAKPOINTS:
            raise CacheControlError(index, f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided.")
        if ttl == "1h" and any(b.ttl == "5m" for b in breakpoints):
            raise CacheControlError(index, "a ttl='1h' cache_control block must not come after a ttl='5m' one.")
        breakpoints.append(Breakpoint(index, tokens, ttl))
    cacheable = tuple(b for b in breakpoints if b.tokens >= min_tokens)
    return CachePlan(cacheable, tuple(boundaries)) if breakpoints else None


def _ttl(control: Any, index: int) -> str:
    if not isinstance(control, dict) or control.get("type") != "ephemeral":
        raise CacheControlError(index, "cache_control: Input tag does not match the expected tag: 'ephemeral'")
    ttl = control.get("ttl", "5m")
    if ttl not in TTLS:
        raise CacheControlError(index, "cache_control.ttl: Input should be '5m' or '1h'")
    return str(ttl)


class _Entry(NamedTuple):
    expires: float
    ttl_s: float


class PromptCache:
    """The cached prefixes of every key, bounded; `clock` is injectable so TTLs can be tested without waiting."""

    def __init__(self, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[tuple[str, str, bytes], _Entry] = OrderedDict()
        self._max, self._clock = max_entries, clock
        self._lock = threading.Lock()

    def use(self, owner: str, model: str, plan: CachePlan) -> CacheUse:
        """Read the longest cached prefix `plan` shares, write its breakpoints beyond it; the tokens of each."""
        now = self._clock()
        with self._lock:
            read = self._read(owner, model, plan, now)
            written = {"5m": 0, "1h": 0}
            covered = read
            for point in plan.breakpoints:
                if point.tokens <= covered:
                    continue
                self._store(
                    (owner, model, plan.boundaries[point.index][1]), _Entry(now + TTLS[point.ttl], TTLS[point.ttl])
                )
                written[point.ttl] += point.tokens - covered
                covered = point.tokens
        return CacheUse(read, written["5m"], written["1h"])

    def _read(self, owner: str, model: str, plan: CachePlan, now: float) -> int:
        best = 0
        for point in plan.breakpoints:
            for index in range(point.index, max(-1, point.index - LOOKBACK_BLOCKS), -1):
                tokens, digest = plan.boundaries[index]
                if tokens <= best:
                    break
                key = (owner, model, digest)
                entry = self._entries.get(key)
                if entry is None:
                    continue
                if entry.expires <= now:
                    del self._entries[key]
                    continue
                self._store(key, _Entry(now + entry.ttl_s, entry.ttl_s))  # a read refreshes the entry
                best = tokens
                break
        return best

    def _store(self, key: tuple[str, str, bytes], entry: _Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def reset(self, owner: str | None) -> None:
        with self._lock:
            if owner is None:
                self._entries.clear()
            else:
                for key in [k for k in self._entries if k[0] == owner]:
                    del self._entries[key]
