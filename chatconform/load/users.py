"""The Locust user classes: one per scenario of the table in scenarios.py, and a weighted mix.

Each user holds one keep-alive connection and sends one request per task.
Closed loop (the default): the next request goes out when the last one
ended. Open loop (`--arrival constant|poisson --rate R`): the user claims the
next slot of the process's arrival schedule and sleeps until it is due, in
Locust's interruptible wait, so the end of the run never waits for a slot.

Every request is reported twice: into the run's own recorder (sub-millisecond
figures for the summary and the SLO), and into Locust's statistics, as a
`POST` row with the end-to-end time (a Locust request event: the request
rate, the failures and the "Aggregated" row count it) and as `TTFT` and `ITL`
rows, so the web UI, `--csv` and `--html` show them too (rounded as Locust
rounds; the ITL row samples at most three gaps per request). TPOT is in the
summary only.

The TTFT and ITL rows are not request events: a request event also counts in
Locust's total, so three more per request made Locust's requests/s and its
"Aggregated" percentiles four times a real run's (26.9 RPS for 5.8 real
requests/s). They are logged straight into their own entries
(`environment.stats.get(name, "TTFT").log(...)`, Locust's public stats API),
which Locust ships from workers to the master like any row, and which its
total never sees.

In gateway mode (`--upstream-url`) each request's prompt carries its own
reference (Runtime.stamp), recorded with its result for the pairing with the
upstream's journal after the run (overhead.py).
"""

from __future__ import annotations

import random
import time
from typing import Any, ClassVar

import orjson
from gevent import GreenletExit
from locust import User, task

from chatconform.load import goodput, hooks, payloads
from chatconform.load.client import ChatClient, Outcome
from chatconform.load.overhead import PLACEHOLDER
from chatconform.load.recorder import Result
from chatconform.load.runtime import Runtime
from chatconform.load.scenarios import SCENARIOS

# Locust's ITL row gets at most this many gaps per request, evenly spread through the stream: a Locust
# event costs about 3 us, so one per chunk would halve the generator's capacity. The summary keeps every gap.
ITL_ROWS_PER_REQUEST = 3


def spread(values: list[float], most: int) -> list[float]:
    """At most `most` values, evenly spaced through the list (all of them when there are few)."""
    if len(values) <= most:
        return values
    step = len(values) / most
    return [values[int(step * i + step / 2)] for i in range(most)]


class RequestFailed(Exception):
    """How a failed request appears in Locust's failure table: its kind, e.g. http_429."""


class ChatUser(User):
    abstract = True
    scenario: ClassVar[str] = "stream"
    _number: ClassVar[int] = 0
    exchange: int = 0  # the turn within a conversation (1, 2, ...); 0 outside one

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        ChatUser._number += 1
        self.number = ChatUser._number
        self.rng = random.Random(self.number)
        self.client: ChatClient | None = None
        self._due: float | None = None
        self.ref: str | None = None  # gateway mode: the reference of the request in flight

    def wait_time(self) -> float:
        """Closed loop: none. Open loop: until the claimed slot is due."""
        due, self._due = self._due, None
        return 0.0 if due is None else max(0.0, due - time.perf_counter())

    def on_start(self) -> None:
        run = hooks.runtime()
        self.rng.seed(run.settings.seed * 100_003 + self.number)  # --seed fixes each user's --mix draws
        host = self.host or self.environment.host
        s = run.settings
        self.client = ChatClient(host, s.api_key, s.request_timeout_s, extra_headers=s.headers)

    def on_stop(self) -> None:
        if self.client is not None:
            self.client.close()

    def pick_scenario(self, run: Runtime) -> str:
        return self.scenario

    def request(self, run: Runtime, scenario: str, slot: int | None) -> tuple[str, bytes]:
        """The model and encoded body of the next request: a trace's request for its slot, else the scenario's."""
        if run.settings.trace and slot is not None:
            return run.replayed(slot, SCENARIOS[scenario].streamed)
        model = run.next_model()
        return model.id, run.body(scenario, model)

    def answered(self, run: Runtime, outcome: Outcome) -> None:
        """After each request (a conversation keeps its history here)."""

    @task
    def chat(self) -> None:
        run = hooks.runtime()
        go, lag, slot = self._turn(run)
        if not go:
            if run.drained() and run.breaker.tripped is None:
                hooks.share_done(self.environment)
            return
        try:
            if not hooks.stopping():  # a slot that falls due as the run stops: the run is over, send nothing
                self._send(run, lag, slot)
        finally:
            run.in_flight -= 1
        if run.drained():  # this was the last request of this process's share: the run may end
            hooks.share_done(self.environment)

    def _send(self, run: Runtime, lag: float | None, slot: int | None) -> None:
        scenario = self.pick_scenario(run)
        model, body = self.request(run, scenario, slot)
        body, self.ref = run.stamp(body)  # gateway mode: this request's own reference in its prompt
        run.recorder.on_send(scenario, lag)
        assert self.client is not None
        try:
            outcome = self.client.post(body, SCENARIOS[scenario].streamed, SCENARIOS[scenario].stateful)
        except GreenletExit:
            run.recorder.on_interrupted(scenario)
            raise
        self._record(run, scenario, model, outcome)
        self.answered(run, outcome)

    def _turn(self, run: Runtime) -> tuple[bool, float | None, int | None]:
        """Wait for this user's next send: (may it send, how late it is against the open-loop schedule, its slot).

        A request counts as in flight from its claim (an open-loop slot is claimed, then waited for) to its end:
        the run ends when nothing is left to claim and nothing is in flight, so a slot claimed but not yet due
        is still sent.
        """
        if run.breaker.tripped is None and run.schedule is None and run.take_turn():
            run.in_flight += 1
            return True, None, None
        slot = run.schedule.claim() if run.breaker.tripped is None and run.schedule is not None else None
        if slot is None:  # the breaker tripped, or nothing is left to send: idle until the run ends (interruptibly)
            self._due = time.perf_counter() + 1.0
            return False, None, None
        run.in_flight += 1
        self._due = slot.due
        try:  # Locust's wait, not a plain sleep: a stopping run (or a ramp-down) stops the user here
            self.wait()  # type: ignore[no-untyped-call]
        except BaseException:  # GreenletExit, StopUser: this slot will not be sent
            run.in_flight -= 1
            raise
        return True, time.perf_counter() - slot.due, slot.index

    def _record(self, run: Runtime, scenario: str, model_id: str, outcome: Outcome) -> None:
        t = outcome.timing
        model = run.settings.profile.resolve(model_id)
        cost = 0.0
        missed: tuple[str, ...] = ()
        if outcome.failure is None:
            missed = goodput.missed(run.settings.goodput, t, outcome.streamed)
            if model is not None:
                cost = model.cost(t.usage_prompt_tokens or 0, t.output_tokens)
        result = Result(
            scenario, model_id, outcome.streamed, t, outcome.failure, time.time(), cost, missed, self.exchange, self.ref
        )
        run.recorder.on_result(result)
        tripped = run.breaker.observe(outcome.failure)
        if tripped is not None:
            hooks.trip(self.environment, tripped)
        fire = self.environment.events.request.fire
        error = RequestFailed(outcome.failure) if outcome.failure else None
        fire(
            request_type="POST",
            name=scenario,
            response_time=t.e2e_ms,
            response_length=outcome.received,
            exception=error,
            context={"model": model_id},
        )
        if error is not None or not outcome.streamed:
            return
        stats = self.environment.stats
        if t.ttft_ms is not None:
            stats.get(scenario, "TTFT").log(t.ttft_ms, 0)
        gaps = spread(t.itl_ms(), ITL_ROWS_PER_REQUEST)
        if gaps:
            row = stats.get(scenario, "ITL")
            for gap in gaps:
                row.log(gap, 0)


class StreamingChatUser(ChatUser):
    """Streamed chat completions (the default scenario)."""

    scenario = "stream"


class NonStreamingChatUser(ChatUser):
    """Whole (non-streamed) chat completions: only end-to-end latency."""

    scenario = "chat"


class ToolCallUser(ChatUser):
    """A streamed answer that is a tool call: TTFT is the first tool-call delta."""

    scenario = "tools"


class VisionUser(ChatUser):
    """A streamed answer about a small PNG sent as a data URI."""

    scenario = "vision"


class MixUser(ChatUser):
    """Each request draws its scenario from the --mix weights."""

    scenario = "mix"

    def pick_scenario(self, run: Runtime) -> str:
        names, weights = list(run.settings.mix), list(run.settings.mix.values())
        choice: str = self.rng.choices(names, weights)[0]
        return choice


class ConversationUser(ChatUser):
    """A streamed multi-turn conversation: each turn resends the whole history, the answers included.

    A conversation has --turns turns, then the user starts a new one (with the
    run's next model). A failed turn ends the conversation: its history lacks
    the answer, so the next request starts over rather than resend a gap.
    """

    scenario = "conversation"

    def on_start(self) -> None:
        super().on_start()
        self.history: list[dict[str, str]] = []
        self.model = ""
        self.asked: dict[str, str] = {}

    def request(self, run: Runtime, scenario: str, slot: int | None) -> tuple[str, bytes]:
        s = run.settings
        if not self.history:
            self.model = run.next_model().id
        body = run.tag(payloads.turn(self.model, self.history, s.prompt_words, s.output_words, run.next_seed()))
        self.asked = body["messages"][-1]
        self.exchange = len(self.history) // 2 + 1
        return self.model, orjson.dumps(body)

    def answered(self, run: Runtime, outcome: Outcome) -> None:
        if outcome.failure is None and outcome.text is not None and self.exchange < run.settings.turns:
            if self.ref is not None:  # the history resends the prompt as it was sent, its reference filled in
                self.asked = {**self.asked, "content": self.asked["content"].replace(PLACEHOLDER, self.ref)}
            self.history += [self.asked, {"role": "assistant", "content": outcome.text}]
        else:  # the last turn, or a failed one: the next request opens a new conversation
            self.history = []
