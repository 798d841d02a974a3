"""A strict, incremental Server-Sent Events reader: bytes in, timed events out.

It follows the WHATWG event-stream grammar, so everything a correct server
may send is accepted: LF, CRLF or lone CR line ends (also when a CRLF is split
across two reads), comment lines used as keep-alives, `data:` with or without
the single leading space, multi-line data, a UTF-8 byte order mark, events
split anywhere across reads. What the grammar itself cannot express (an event
left unterminated when the stream ends, bytes that are not UTF-8) is recorded
in `problems`, so a check can report it.

Written here rather than taken from `httpx-sse`: that library needs a whole
httpx response and hides arrival times, and both suites and load tests need
per-event timestamps from raw reads.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import NamedTuple

_LINE_END = re.compile(r"\r\n|\r|\n")


class Event(NamedTuple):
    """One dispatched event; `t` is the arrival time of the read that completed it.
    Immutable. A NamedTuple rather than a frozen dataclass: it is built several times
    faster, and the load generator builds tens of thousands a second."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None
    t: float = 0.0


@dataclass
class SSEReader:
    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    comments: int = 0
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace")
    )
    _buffer: str = ""
    _data: list[str] = field(default_factory=list)
    _event: str = ""
    _last_id: str | None = None
    _retry: int | None = None
    _started: bool = False
    _bad_utf8: bool = False

    def feed(self, chunk: bytes, t: float = 0.0) -> list[Event]:
        """Consume one read; return the events it completed (also kept in `events`)."""
        text = self._decoder.decode(chunk)
        if "\ufffd" in text and not self._bad_utf8:
            self._bad_utf8 = True
            self.problems.append("stream is not valid UTF-8")
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        self._buffer += text
        return self._drain(t)

    def close(self, t: float = 0.0) -> list[Event]:
        """Signal end of stream: a last line without a line end is processed,
        and an event that was never terminated by a blank line is discarded
        (as the spec says) and recorded as a problem."""
        self._buffer += self._decoder.decode(b"", final=True)
        out = self._drain(t, final=True)
        if self._buffer:  # a last line without a line end: it can only add a field, never dispatch
            line, self._buffer = self._buffer, ""
            self._line(line, t, out)
        if self._data or self._event:
            self.problems.append("stream ended inside an event (no blank line after the last data line)")
            self._data, self._event = [], ""
        return out

    def _drain(self, t: float, final: bool = False) -> list[Event]:
        if "\r" not in self._buffer:
            return self._drain_lf(t)
        out: list[Event] = []
        buffer = self._buffer
        start = 0
        for match in _LINE_END.finditer(buffer):
            # A CR at the very end may be the first half of a CRLF split across reads.
            if match.group() == "\r" and match.end() == len(buffer) and not final:
                break
            self._line(buffer[start : match.start()], t, out)
            start = match.end()
        self._buffer = buffer[start:]
        self.events.extend(out)
        return out

    def _drain_lf(self, t: float) -> list[Event]:
        """The common case, LF line ends only: one split in C, and `data:` lines taken inline.
        Same result as the general path; load tests read tens of thousands of events a second."""
        *lines, self._buffer = self._buffer.split("\n")
        out: list[Event] = []
        data = self._data  # stays the same list as self._data: _line only ever appends to it
        for line in lines:
            if line.startswith("data:"):
                data.append(line[6:] if line.startswith("data: ") else line[5:])
            elif line:
                self._line(line, t, out)
            elif data:
                text = data[0] if len(data) == 1 else "\n".join(data)
                out.append(Event(text, self._event or "message", self._last_id, self._retry, t))
                data = self._data = []
                self._event = ""
            else:
                self._event = ""
        self.events.extend(out)
        return out

    def _line(self, line: str, t: float, out: list[Event]) -> None:
        if not line:
            self._dispatch(t, out)
            return
        if line[0] == ":":
            self.comments += 1
            return
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        # Any other field name is ignored, as the spec requires.

    def _dispatch(self, t: float, out: list[Event]) -> None:
        if not self._data:
            self._event = ""
            return
        out.append(Event("\n".join(self._data), self._event or "message", self._last_id, self._retry, t))
        self._data, self._event = [], ""


def parse(raw: bytes) -> SSEReader:
    """Read a whole, already received stream."""
    reader = SSEReader()
    reader.feed(raw)
    reader.close()
    return reader
