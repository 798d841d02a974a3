"""Benchmark: the mock's streaming throughput against a bare ASGI app, and its memory.

    python bench/mock_throughput.py [--seconds 5] [--rounds 3] [--connections 32] [--streams 1000]

Both servers run in their own subprocess on the same stack (uvicorn with the
mock's configuration) and stream the same bytes: a 50-token answer, one send
per SSE event, zero latency. The bare app does nothing else; the mock parses,
validates, answers, journals and bills each request. The client is a minimal
asyncio loop over keep-alive sockets, so it is cheap next to either server;
rounds alternate between the two servers to spread machine noise.

Then the mock alone holds `--streams` concurrent open streams (slow tokens)
and its resident memory is read from /proc while they are all open.
Figures are printed; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEY = "th-bench-key"
PROMPT = "Write 49 words"  # 49 words and a full stop: 50 tokens
BODY = json.dumps(
    {
        "model": "claude-haiku-4-5",
        "stream": True,
        "messages": [{"role": "user", "content": PROMPT}],
    }
).encode()
TERMINATOR = b"0\r\n\r\n"  # end of a chunked HTTP body
SERIALS = itertools.count()


def request_bytes(port: int, serial: int | None = None) -> bytes:
    """The HTTP request; with a serial number the prompt is unique, so nothing can be memoised."""
    body = BODY if serial is None else BODY.replace(PROMPT.encode(), f"{PROMPT}, request {serial:08d}".encode())
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def start(kind: str, *extra: str) -> tuple[subprocess.Popen[str], int]:
    args = [sys.executable, str(HERE / "servers.py"), kind, *extra]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("port "):
        proc.kill()
        raise SystemExit(f"{kind} server did not start: {line!r}")
    return proc, int(line.split()[1])


async def one_connection(port: int, deadline: float, counts: list[int], unique: bool) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = request_bytes(port)
    try:
        while time.perf_counter() < deadline:
            writer.write(request_bytes(port, next(SERIALS)) if unique else request)
            buffer = b""
            while not buffer.endswith(TERMINATOR):
                data = await reader.read(65536)
                if not data:
                    raise ConnectionError("server closed the connection")
                buffer += data
            counts[0] += 1
            counts[1] += buffer.count(b"data: ")
    finally:
        writer.close()


async def drive(port: int, seconds: float, connections: int, unique: bool = False) -> tuple[float, float]:
    counts = [0, 0]  # responses, SSE events
    start_t = time.perf_counter()
    deadline = start_t + seconds
    await asyncio.gather(*(one_connection(port, deadline, counts, unique) for _ in range(connections)))
    elapsed = time.perf_counter() - start_t
    return counts[0] / elapsed, counts[1] / elapsed


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(seconds: float, rounds: int, connections: int, unique: bool) -> None:
    servers = {"mock": start("mock"), "bare": start("bare")}
    results: dict[str, list[tuple[float, float, float]]] = {"mock": [], "bare": []}
    try:
        for name in servers:  # warm-up
            asyncio.run(drive(servers[name][1], 1.0, connections))
        for _ in range(rounds):
            for name, (proc, port) in servers.items():
                cpu = cpu_seconds(proc.pid)
                rps, eps = asyncio.run(drive(port, seconds, connections, unique))
                cpu_per_request = (cpu_seconds(proc.pid) - cpu) / (rps * seconds)
                results[name].append((rps, eps, cpu_per_request))
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=10)
    med = {n: [statistics.median(r[i] for r in rs) for i in range(3)] for n, rs in results.items()}
    prompts = "a unique prompt per request (no memoisation)" if unique else "one repeated prompt"
    print(
        f"streaming throughput, 50-token answers, zero latency, {connections} connections, {prompts}, "
        f"median of {rounds} x {seconds:g}s:"
    )
    for name in ("bare", "mock"):
        rps, eps, cpu = med[name]
        print(f"  {name:5s} {rps:8.1f} requests/s  {eps:10.1f} SSE events/s  {cpu * 1e6:7.1f} us CPU per request")
    print(f"  ratio mock/bare, requests/s:            {med['mock'][0] / med['bare'][0]:.3f} (target >= 0.75)")
    # On a busy machine wall-clock rates drift with the neighbours; CPU per request does not.
    print(f"  ratio mock/bare, CPU-bound capacity:    {med['bare'][2] / med['mock'][2]:.3f}")


async def hold_streams(port: int, streams: int, pid: int) -> tuple[int, float]:
    """Open `streams` slow streams at once; return (peak RSS in kB, seconds to open them all)."""
    peak = 0
    opened = 0
    start_t = time.perf_counter()

    async def one() -> None:
        nonlocal opened
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request_bytes(port))
        await reader.readuntil(b"data: ")  # the stream is open and has sent its first event
        opened += 1
        while not (await reader.read(65536)).endswith(TERMINATOR):
            pass
        writer.close()

    tasks = [asyncio.ensure_future(one()) for _ in range(streams)]
    while not all(t.done() for t in tasks):
        await asyncio.sleep(0.05)
        if opened == streams:
            peak = max(peak, rss_kb(pid))
    await asyncio.gather(*tasks)
    return peak, time.perf_counter() - start_t


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory(streams: int) -> None:
    # 100 ms between tokens: each 50-token stream stays open about 5 s.
    proc, port = start("mock", "--itl-ms", "100")
    try:
        idle = rss_kb(proc.pid)
        peak, seconds = asyncio.run(hold_streams(port, streams, proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(
        f"memory with {streams} concurrent open streams: idle {idle / 1024:.1f} MB, "
        f"peak {peak / 1024:.1f} MB resident (target < 150 MB); all streams done in {seconds:.1f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--streams", type=int, default=1000)
    args = parser.parse_args()
    throughput(args.seconds, args.rounds, args.connections, unique=False)
    throughput(args.seconds, args.rounds, args.connections, unique=True)
    memory(args.streams)


if __name__ == "__main__":
    main()
