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
from chatconform.load import goodput, payloads, slo
from chatconform.load.breaker import Breaker
from chatconform.load.options import split_models
from chatconform.load.recorder import Recorder
from chatconform.load.schedule import ArrivalSchedule, Budget, share
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

    @classmethod
    def from_options(cls, options: Any) -> Settings:
        try:
            profile = load_profile(options.target_profile)
            mix = payloads.parse_mix(options.mix)
            limits = slo.thresholds(options.slo, options.slo_file)
            objectives = goodput.parse(options.goodput)
            extra = headers.collect(options.header, os.environ)
        except ValueError as exc:  # ProfileError, SLOError, HeaderError and bad --mix are all ValueErrors
            raise SettingsError(str(exc)) from exc
        models = [_model(profile, m) for m in split_models(options.models)] or [profile.default_model]
        settings = cls(
            options.api_key or "",
            profile,
            models,
            mix,
            options.prompt_words,
            options.output_words,
            options.arrival,
            options.rate,
            options.max_requests,
            options.request_timeout,
            limits,
            objectives,
            options.seed,
            extra,
            not options.no_circuit_breaker,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.arrival != "closed" and self.rate <= 0:
            raise SettingsError(f"--arrival {self.arrival} needs --rate (requests per second) above 0")
        if self.max_requests < 1:
            raise SettingsError("--max-requests must be at least 1")
        if self.request_timeout_s <= 0:
            raise SettingsError("--request-timeout must be positive")
        if self.prompt_words < 0 or not 1 <= self.output_words <= 20000:
            raise SettingsError("--prompt-words must be >= 0 and --output-words between 1 and 20000")
        needs = sorted(name for name in self.slo if name in slo.GOODPUT)
        if needs and not self.goodput:
            raise SettingsError(f"SLO {needs[0]} needs --goodput (the per-request objectives, e.g. ttft_ms=500)")
        if not self.api_key:
            raise SettingsError("no API key: pass --api-key or set CHATCONFORM_API_KEY")


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
    exhausted: bool = False  # this process has sent its whole share of --max-requests
    _models: Any = None
    _seeds: Any = None
    _bodies: dict[tuple[str, str], list[bytes]] = field(default_factory=dict)
    _turn: int = 0

    def __post_init__(self) -> None:
        s = self.settings
        mine = share(s.max_requests, self.index, self.count)
        self.budget = Budget(mine)
        self.breaker.enabled = s.circuit_breaker
        if s.arrival != "closed":
            self.schedule = ArrivalSchedule(s.arrival, s.rate, None, s.max_requests, self.index, self.count, s.seed)
        self._models = itertools.cycle(s.models)
        self._seeds = itertools.count(s.seed * 1_000_003 + self.index, self.count)

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
                orjson.dumps(payloads.build(scenario, model.id, s.prompt_words, s.output_words, next(self._seeds)))
                for _ in range(BODY_POOL)
            ]
            self._bodies[(scenario, model.id)] = pool
        self._turn += 1
        return pool[self._turn % BODY_POOL]

    def take_turn(self) -> bool:
        """May a closed-loop user send one more request?"""
        return self.budget.take()
