"""One probe per request field of CreateChatCompletionRequest: the value sent, and how to see what became of it.

A probe sends a valid, meaningful value for its field alone on a minimal request (model, one user message,
max_tokens), plus only what the field cannot go without (`tools` for `tool_choice`, `stream` for
`stream_options`). It reads two things: the **effect** in the answer, where a client can see one (`n: 2`
gives two choices, `stop` cuts the count), and the **upstream view** in gateway mode, where the field
should have gone in Anthropic's Messages terms (`stop` as `stop_sequences`, `user` as `metadata.user_id`).
A field without an effect a single answer can show (`seed`, `temperature`) has no effect reader: outside
gateway mode its fate reads `unknown`. A field Anthropic has no counterpart for is looked for verbatim.

The values are valid against OpenAI's own schema of the field (tests/unit/test_fields.py checks each).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chatconform.answer import choice, finish_reason, message, stream_choices, text, tool_calls, usage
from chatconform.checks.common import FINISH_REASONS, schema_problem, words
from chatconform.checks.schema_fidelity import differences
from chatconform.exchange import Exchange
from chatconform.profile import Profile
from chatconform.prompts import reply_exactly, user

JSON = dict[str, Any]
Effect = Callable[[Exchange, Profile], str | None]  # evidence of the effect, or None when there is none
View = tuple[str, str]  # ("mapped" | "altered" | "absent", what the upstream body showed)
Upstream = Callable[[JSON, JSON], View]  # (the client's body, the upstream body) -> view

ANSWER = "field fate"
EXACT = reply_exactly(ANSWER)
COUNT = "Count from 1 to 50"
# The stop probe's prompt pins the separator its stop sequence holds: a model told only "Count from 1 to 20"
# may put one number a line, and then ", 5" never occurs and a mapped stop looks dropped.
STOP_COUNT = "Count from 1 to 20, separated by commas"
BASE_MAX_TOKENS = 200  # room for a tool call or a short JSON object on any model
BOUND = 5  # the max_tokens / max_completion_tokens probes: the count is cut well before 50
WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}},
}
CLOCK = {"name": "get_time", "description": "Get the current time.", "parameters": {"type": "object", "properties": {}}}
CAPITAL = {
    "type": "object",
    "required": ["country", "capital"],
    "additionalProperties": False,
    "properties": {"country": {"type": "string"}, "capital": {"type": "string"}},
}


@dataclass(frozen=True)
class Probe:
    field: str
    value: Any
    prompt: str = EXACT
    needs: JSON = dataclasses.field(default_factory=dict)  # what the field cannot go without
    without: tuple[str, ...] = ()  # base fields the value replaces
    effect: Effect | None = None  # None: a single answer cannot show one
    missing: str = ""  # what the effect would have been, for the evidence when it is absent
    upstream: Upstream | None = None  # None: Anthropic has no counterpart; the field is looked for verbatim

    def body(self, model: str, prompt: str) -> JSON:
        """The request: `prompt` is this probe's prompt, tagged by the caller for gateway mode."""
        body: JSON = {"model": model, "messages": [user(prompt)], "max_tokens": BASE_MAX_TOKENS}
        for name in self.without:
            body.pop(name, None)
        given = {} if self.value is None else {self.field: self.value}  # None: the base request carries it
        return {**body, **self.needs, **given}

    def view(self, sent: JSON, upstream: JSON) -> View:
        return (self.upstream or _verbatim(self.field))(sent, upstream)


# -- effects ----------------------------------------------------------------------------------------------


def _says(ex: Exchange, profile: Profile) -> str | None:
    return f"the answer says {ANSWER!r}" if words(text(ex)) == words(ANSWER) else None


def _same_model(ex: Exchange, profile: Profile) -> str | None:
    asked, named = _sent(ex).get("model"), ex.body.get("model") if isinstance(ex.body, dict) else None
    wanted, answered = profile.resolve(str(asked)), profile.resolve(str(named))
    return f"answered by {named}" if wanted is not None and answered == wanted else None


def _bounded(ex: Exchange, profile: Profile) -> str | None:
    counts = usage(ex)
    spent = counts.get("completion_tokens") if isinstance(counts, dict) else None
    reason = finish_reason(ex)
    # A finish_reason that is not OpenAI's (an Anthropic "max_tokens" or "end_turn" leaked) is the finish_reason
    # checks' cause; the cut still shows in the usage, and calling the field dropped as well would count that
    # one departure twice.
    leaked = not isinstance(reason, str) or reason not in FINISH_REASONS
    within = isinstance(spent, int) and spent <= BOUND
    if (reason == "length" and (within or not isinstance(spent, int))) or (leaked and within):
        return f"cut at the bound: finish_reason {reason}, {spent} completion tokens"
    return None


def _streamed(ex: Exchange, profile: Profile) -> str | None:
    return f"an SSE stream of {len(ex.chunks())} chunks and [DONE]" if ex.is_stream and ex.done_count else None


def _usage_chunk(ex: Exchange, profile: Profile) -> str | None:
    """Usage reached the stream (the stream checks judge the chunk's shape: `choices: []` and its place)."""
    counts = usage(ex) if ex.is_stream else None
    return "usage in the stream" if isinstance(counts, dict) and counts.get("completion_tokens") is not None else None


def _stopped(ex: Exchange, profile: Profile) -> str | None:
    said = words(text(ex))
    return f"the count stops at {said[-1]!r}" if said and "4" in said and "5" not in said else None


def _choices(ex: Exchange, profile: Profile) -> str | None:
    choices = ex.body.get("choices") if isinstance(ex.body, dict) else None
    return f"{len(choices)} choices" if isinstance(choices, list) and len(choices) == 2 else None


def _logprobs(ex: Exchange, profile: Profile) -> str | None:
    found = choice(ex).get("logprobs")
    content = found.get("content") if isinstance(found, dict) else None
    return f"logprobs for {len(content)} tokens" if isinstance(content, list) and content else None


def _top_logprobs(ex: Exchange, profile: Profile) -> str | None:
    found = choice(ex).get("logprobs")
    content = found.get("content") if isinstance(found, dict) else None
    first = content[0] if isinstance(content, list) and content and isinstance(content[0], dict) else {}
    tops = first.get("top_logprobs")
    return f"{len(tops)} alternatives per token" if isinstance(tops, list) and tops else None


def _called(name: str) -> Effect:
    def effect(ex: Exchange, profile: Profile) -> str | None:
        names = [c.get("function", {}).get("name") for c in tool_calls(ex) if isinstance(c, dict)]
        legacy = message(ex).get("function_call")
        names += [legacy.get("name")] if isinstance(legacy, dict) else []
        return f"called {name}" if name in names else None

    return effect


def _one_call(ex: Exchange, profile: Profile) -> str | None:
    return "one tool call where the prompt asks for two" if len(tool_calls(ex)) == 1 else None


def _matches_schema(ex: Exchange, profile: Profile) -> str | None:
    try:
        content = json.loads(text(ex))
    except ValueError:
        return None
    return "the content is JSON valid against the schema" if not schema_problem(CAPITAL, content) else None


def _message_key(key: str) -> Effect:
    def effect(ex: Exchange, profile: Profile) -> str | None:
        found = message(ex).get(key) or next((c.get("delta", {}).get(key) for _, c in stream_choices(ex)), None)
        return f"message.{key} present" if found else None

    return effect


# -- upstream views (gateway mode) ------------------------------------------------------------------------


def _sent(ex: Exchange) -> JSON:
    return ex.request_body if isinstance(ex.request_body, dict) else {}


def _at(body: Any, path: str) -> Any:
    for part in path.split("."):
        body = body.get(part) if isinstance(body, dict) else None
    return body


def _equal(path: str, value: Callable[[JSON], Any]) -> Upstream:
    """Mapped when the upstream holds `value(sent)` at `path`, altered when it holds something else."""

    def view(sent: JSON, upstream: JSON) -> View:
        wanted, found = value(sent), _at(upstream, path)
        if found is None:
            return "absent", f"no {path} upstream"
        return ("mapped" if found == wanted else "altered"), f"{path} = {json.dumps(found)[:120]}"

    return view


def _verbatim(name: str) -> Upstream:
    def view(sent: JSON, upstream: JSON) -> View:
        if name in upstream:
            return "altered", f"forwarded as is ({name} = {json.dumps(upstream[name])[:80]}): Anthropic has no {name}"
        return "absent", f"no {name} upstream (Anthropic has no counterpart)"

    return view


def _last_user_text(sent: JSON, upstream: JSON) -> View:
    messages = upstream.get("messages") if isinstance(upstream.get("messages"), list) else []
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    content = last.get("content")
    parts = [content] if isinstance(content, str) else [b.get("text", "") for b in content or [] if isinstance(b, dict)]
    asked = sent["messages"][-1]["content"]
    if last.get("role") == "user" and asked in "\n".join(str(p) for p in parts):
        return "mapped", "the last upstream message is the user's, text unchanged"
    return "altered", f"the last upstream message: {json.dumps(last)[:120]}"


def _tool_names(sent: JSON, upstream: JSON) -> View:
    tools = upstream.get("tools")
    names = [t.get("name") for t in tools if isinstance(t, dict)] if isinstance(tools, list) else []
    if not names:
        return "absent", "no tools upstream"
    wanted = [t.get("function", t).get("name") for t in sent.get("tools") or sent.get("functions") or []]
    return ("mapped" if names == wanted else "altered"), f"upstream tools {names}"


def _output_schema(sent: JSON, upstream: JSON) -> View:
    found = _at(upstream, "output_format.schema") or _at(upstream, "output_config.format.schema")
    if found is None:
        return "absent", "no output_format upstream"
    same = not any(differences(CAPITAL, found))  # for meaning (schema_fidelity): an added empty $defs is the same
    return ("mapped" if same else "altered"), f"output_format.schema = {json.dumps(found)[:120]}"


def _effort(sent: JSON, upstream: JSON) -> View:
    thinking, effort = upstream.get("thinking"), _at(upstream, "output_config.effort")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        return "mapped", f"thinking = {json.dumps(thinking)}"
    return ("mapped", f"output_config.effort = {effort}") if effort else ("absent", "no thinking or effort upstream")


def _web_search(sent: JSON, upstream: JSON) -> View:
    tools = upstream.get("tools")
    kinds = [
        t.get("type")
        for t in (tools if isinstance(tools, list) else [])
        if isinstance(t, dict) and str(t.get("type", "")).startswith("web_search")
    ]
    return ("mapped", f"a {kinds[0]} server tool upstream") if kinds else ("absent", "no web_search tool upstream")


def _canonical(sent: JSON) -> Any:
    return str(sent["model"]).split("/")[-1]


def _forced(name: str, value: JSON, needs: JSON) -> Probe:
    """A probe that forces get_time, which the prompt does not ask for: Anthropic's tool_choice of type tool."""
    forced = {"type": "tool", "name": "get_time"}
    return Probe(
        name,
        value,
        needs=needs,
        effect=_called("get_time"),
        missing="a forced get_time call",
        upstream=_equal("tool_choice", lambda s: forced),
    )


def probes(profile: Profile) -> dict[str, Probe]:
    """Every probe by field name; the model probe uses the alias form when the profile has one."""
    model = profile.alias_prefix + profile.default_model.id
    tools = [{"type": "function", "function": f} for f in (WEATHER, CLOCK)]
    fmt = {"type": "json_schema", "json_schema": {"name": "capital", "schema": CAPITAL, "strict": True}}
    weather = "What's the weather in 'Paris'? Use get_weather."
    table = [
        Probe("messages", None, effect=_says, missing="the reply the prompt asks for", upstream=_last_user_text),
        Probe(
            "model",
            model,
            effect=_same_model,
            missing="an answer from that model",
            upstream=_equal("model", _canonical),
        ),
        Probe(
            "max_tokens",
            BOUND,
            COUNT,
            effect=_bounded,
            missing="a cut at the bound",
            upstream=_equal("max_tokens", lambda s: BOUND),
        ),
        Probe(
            "max_completion_tokens",
            BOUND,
            COUNT,
            without=("max_tokens",),
            effect=_bounded,
            missing="a cut at the bound",
            upstream=_equal("max_tokens", lambda s: BOUND),
        ),
        Probe("temperature", 0.5, upstream=_equal("temperature", lambda s: 0.5)),
        Probe("top_p", 0.5, upstream=_equal("top_p", lambda s: 0.5)),
        Probe("stream", True, effect=_streamed, missing="a stream", upstream=_equal("stream", lambda s: True)),
        Probe(
            "stream_options",
            {"include_usage": True},
            needs={"stream": True},
            effect=_usage_chunk,
            missing="a usage chunk",
        ),
        Probe(
            "stop",
            [", 5"],
            STOP_COUNT,
            effect=_stopped,
            missing="the count cut before 5",
            upstream=_equal("stop_sequences", lambda s: [", 5"]),
        ),
        Probe("n", 2, effect=_choices, missing="two choices"),
        Probe("logprobs", True, effect=_logprobs, missing="choices[0].logprobs.content"),
        Probe("top_logprobs", 2, needs={"logprobs": True}, effect=_top_logprobs, missing="top_logprobs per token"),
        Probe(
            "tools",
            tools[:1],
            weather,
            effect=_called("get_weather"),
            missing="a get_weather call",
            upstream=_tool_names,
        ),
        _forced("tool_choice", {"type": "function", "function": {"name": "get_time"}}, {"tools": tools}),
        Probe(
            "parallel_tool_calls",
            False,
            "Use get_weather for 'Paris' and 'Tokyo'.",
            needs={"tools": tools[:1]},
            effect=_one_call,
            missing="a single call",
            upstream=_equal("tool_choice.disable_parallel_tool_use", lambda s: True),
        ),
        Probe(
            "functions",
            [WEATHER],
            weather,
            effect=_called("get_weather"),
            missing="a get_weather call",
            upstream=_tool_names,
        ),
        _forced("function_call", {"name": "get_time"}, {"functions": [WEATHER, CLOCK]}),
        Probe(
            "response_format",
            fmt,
            "Name the capital of France.",
            effect=_matches_schema,
            missing="JSON valid against the schema",
            upstream=_output_schema,
        ),
        Probe("user", "chatconform-user-7", upstream=_equal("metadata.user_id", lambda s: s["user"])),
        Probe(
            "safety_identifier",
            "chatconform-safety-7",
            upstream=_equal("metadata.user_id", lambda s: s["safety_identifier"]),
        ),
        Probe("reasoning_effort", "low", upstream=_effort),
        Probe(
            "audio",
            {"voice": "alloy", "format": "mp3"},
            needs={"modalities": ["text", "audio"]},
            effect=_message_key("audio"),
            missing="message.audio",
        ),
        Probe(
            "modalities",
            ["text", "audio"],
            needs={"audio": {"voice": "alloy", "format": "mp3"}},
            effect=_message_key("audio"),
            missing="message.audio",
        ),
        Probe(
            "web_search_options",
            {"search_context_size": "low"},
            "What is in the news today? Cite a source.",
            effect=_message_key("annotations"),
            missing="url_citation annotations",
            upstream=_web_search,
        ),
        Probe("seed", 42),
        Probe("presence_penalty", 0.5),
        Probe("frequency_penalty", 0.5),
        Probe("logit_bias", {"1734": -100}),
        Probe("metadata", {"purpose": "chatconform"}),
        Probe("store", True),
        Probe("service_tier", "flex"),
        Probe("prediction", {"type": "content", "content": ANSWER}),
        Probe("prompt_cache_key", "chatconform-fates"),
        Probe("prompt_cache_retention", "24h"),
        Probe("prompt_cache_options", {"ttl": "30m"}),
        Probe("verbosity", "low"),
        Probe("moderation", {"model": "omni-moderation-latest"}),
    ]
    return {p.field: p for p in table}
