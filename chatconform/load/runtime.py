"""What the users of one load process share: settings, schedule, budget, recorder.

Built from the parsed options when a test starts (on a worker, after the
master has sent its options), so every process of a distributed run works
from the master's settings and knows its own share of the schedule. Nothing
here imports Locust.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from typing import Any

import orjson

from chatconform import headers
from chatconform.load import goodput, overhead, payloads, slo
from chatconform.load.breaker import Breaker
from chatconform.load.options import UPSTREAM_KEY_ENV, split_models
from chatconform.load.recorder import Recorder
from chatconform.load.schedule import ArrivalSchedule, Budget, share
from chatconform.load.trace import TraceRequest, load_trace
from chatconform.profile import Model, Profile, load_profile

BODY_POOL = 64


class SettingsError(ValueError):
    """Options that cannot make a run, with the reason."""


@dataclass
class Settings:
    """The validated options of a run, identical on every process."""

    api_key: str
    profile: Profile
    models: list[Model]
    mix: dict[str, float]
    prompt_words: int
    output_words: int
    arrival: str
    rate: float
    max_requests: int
    request_timeout_s: float
    slo: dict[str, float]
    goodput: dict[str, float]  # per-request objectives (goodput.py); empty: no goodput figures
    seed: int
    headers: dict[str, str]  # custom headers for every request (values are secrets)
    circuit_breaker: bool
    trace: list[TraceRequest] = field(default_factory=list)  # --trace: the requests to replay
    turns: int = 4  # per conversation (the conversation scenario)
    upstream_url: str | None = None  # gateway mode: the root of the mock behind the target gateway
    upstream_key: str = ""  # for that mock's journal (a secret)
    gateway_mark: str = ""  # the run's mark in every prompt (gateway mode; set once by the master)

    @classmethod
    def from_options(cls, options: Any) -> Settings:
        try:
            profile = load_profile(options.target_profile)
            mix = payloads.parse_mix(options.mix)
            limits = slo.thresholds(options.slo, options.slo_file)
            objectives = goodput.parse(options.goodput)
            extra = headers.collect(options.header, os.environ)
            replay = load_trace(options.trace, options.max_requests) if options.trace else []
        except ValueError as exc:  # ProfileError, SLOError, HeaderError, TraceError and bad --mix are ValueErrors
            raise SettingsError(str(exc)) from exc
        if replay and options.arrival != "closed":
            raise SettingsError(f"--trace sends at the trace's own times: drop --arrival {options.arrival}")
        models = [_model(profile, m) for m in split_models(options.models)] or [profile.default_model]
        settings = cls(
            options.api_key or "",
            profile,
            models,
            mix,
            options.prompt_words,
            options.output_words,
            "trace" if replay else options.arrival,
            options.rate,
            options.max_requests,
            options.request_timeout,
            limits,
            objectives,
            options.seed,
            extra,
            not options.no_circuit_breaker,
            replay,
            options.turns,
            options.upstream_url or None,
            options.upstream_key or "",
            options.gateway_mark or "",
        )
        for request in replay:
            if request.model is not None:
                _model(profile, request.model)  # a trace's model must be the profile's, like --models
        settings.check()
        return settings

    def check(self) -> None:
        if self.arrival in ("constant", "poisson") and self.rate <= 0:
            raise SettingsError(f"--arrival {self.arrival} needs --rate (requests per second) above 0")
        if self.max_requests < 1:
            raise SettingsError("--max-requests must be at least 1")
        if self.request_timeout_s <= 0:
            raise SettingsError("--request-timeout must be positive")
        if not 1 <= self.turns <= 100:
            raise SettingsError("--turns must be between 1 and 100")
        if self.prompt_words < 0 or not 1 <= self.output_words <= 20000:
            raise SettingsError("--prompt-words must be >= 0 and --output-words between 1 and 20000")
        needs = sorted(name for name in self.slo if name in slo.GOODPUT)
        if needs and not self.goodput:
            raise SettingsError(f"SLO {needs[0]} needs --goodput (the per-request objectives, e.g. ttft_ms=500)")
        if not self.api_key:
            raise SettingsError("no API key: pass --api-key or set CHATCONFORM_API_KEY")
        gateway = sorted(name for name in self.slo if name in slo.GATEWAY)
        if gateway and not self.upstream_url:
            raise SettingsError(f"SLO {gateway[0]} needs --upstream-url (gateway mode: the mock behind the gateway)")
        if self.upstream_url and not self.upstream_key:
            raise SettingsError(f"--upstream-url needs --upstream-key (or {UPSTREAM_KEY_ENV}), for its journal")


def _model(profile: Profile, model_id: str) -> Model:
    model = profile.resolve(model_id)
    if model is None:
        known = ", ".join(profile.model_ids(aliases=False))
        raise SettingsError(f"model {model_id!r} is not in profile {profile.name!r} (it knows: {known})")
    return model


@dataclass
class Runtime:
    settings: Settings
    index: int = 0  # this process among `count` load processes
    count: int = 1
    recorder: Recorder = field(default_factory=Recorder)
    schedule: ArrivalSchedule | None = None
    budget: Budget = field(default_factory=lambda: Budget(0))
    breaker: Breaker = field(default_factory=Breaker)
    in_flight: int = 0  # requests claimed (a turn taken, an open-loop slot claimed) and not yet ended
    _models: Any = None
    _seeds: Any = None
    _bodies: dict[tuple[str, str], list[bytes]] = field(default_factory=dict)
    _turn: int = 0
    _sent: int = 0  # requests this process referenced (gateway mode)

    def __post_init__(self) -> None:
        s = self.settings
        mine = share(s.max_requests, self.index, self.count)
        self.budget = Budget(mine)
        self.breaker.enabled = s.circuit_breaker
        if s.arrival != "closed":
            offsets = [r.offset_s for r in s.trace]
            self.schedule = ArrivalSchedule(
                s.arrival, s.rate, None, s.max_requests, self.index, self.count, s.seed, offsets
            )
        self._models = itertools.cycle(s.models)
        self._seeds = itertools.count(s.seed * 1_000_003 + self.index, self.count)

    @property
    def tagging(self) -> bool:
        """Gateway mode: every prompt carries a reference, for the upstream journal."""
        return bool(self.settings.gateway_mark)

    def tag(self, body: dict[str, Any]) -> dict[str, Any]:
        """`body` with the placeholder of a reference in its last user message (gateway mode), else as it is."""
        return payloads.tag(body, self.settings.gateway_mark) if self.tagging else body

    def stamp(self, body: bytes) -> tuple[bytes, str | None]:
        """The encoded body with its own reference in place of the placeholder, and that reference (gateway
        mode); a bytes replace, not a new encoding: pooled bodies stay cheap."""
        if not self.tagging:
            return body, None
        self._sent += 1
        ref = f"{self.settings.gateway_mark}-{self.index}-{self._sent}"
        return body.replace(overhead.PLACEHOLDER.encode(), ref.encode()), ref

    def next_seed(self) -> int:
        """A seed for prompt text: distinct across requests and load processes, fixed by --seed."""
        seed: int = next(self._seeds)
        return seed

    def next_model(self) -> Model:
        model: Model = next(self._models)
        return model

    def body(self, scenario: str, model: Model) -> bytes:
        """An encoded request body. The prompt text varies from request to request (so a target's prefix
        cache does not flatter it), drawn from a pool of BODY_POOL bodies made once: building and encoding
        a body per request would cost the generator as much as reading a whole stream."""
        pool = self._bodies.get((scenario, model.id))
        if pool is None:
            s = self.settings
            pool = [
                orjson.dumps(
                    self.tag(payloads.build(scenario, model.id, s.prompt_words, s.output_words, self.next_seed()))
                )
                for _ in range(BODY_POOL)
            ]
            self._bodies[(scenario, model.id)] = pool
        self._turn += 1
        return pool[self._turn % BODY_POOL]

    def replayed(self, index: int, streamed: bool) -> tuple[str, bytes]:
        """The model and encoded body of the trace's request `index` (built per request: each is its own size)."""
        request = self.settings.trace[index]
        model = request.model or self.next_model().id
        body = payloads.sized(streamed, model, request.prompt_tokens, request.output_tokens, self.settings.seed + index)
        return model, orjson.dumps(self.tag(body))

    def take_turn(self) -> bool:
        """May a closed-loop user send one more request?"""
        return self.budget.take()

    def drained(self) -> bool:
        """Has this process sent its whole share (of --max-requests, or of the open-loop schedule or trace), and
        has every request of it ended?"""
        done = self.schedule.exhausted if self.schedule is not None else self.budget.exhausted
        return done and self.in_flight == 0
