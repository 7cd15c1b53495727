#!/usr/bin/env python3
"""Soak: the proxy in front of mock-azure (chaos on) under a steady mixed load for SOAK_SECONDS, sampled every second.

    python3 Tests/reliability/soak.py --seconds 1800 --bin .build-static/release --out artifacts/soak
    (scripts/soak.sh builds the release binaries with scripts/build-release.sh and calls this)

Load (an asyncio HTTP/1.1 client, keep-alive connections, standard library only): in every 60-second cycle the
number of open client connections sits at --base (100) for 35 s, rises to --peak (1,000) over 5 s, holds it for
10 s and falls back over 5 s. Each connection sends a request, reads the whole answer, waits 0.2–1.0 s and sends the
next: 55% chat (gpt-4o / o4-mini), 30% streamed chat (half with include_usage), 5% embeddings, 5% legacy
completions, 5% refused (bad JSON, unknown model, no key). MockAzure runs with --fault-rate 0.1 (429, 500, 503,
hangs, mid-stream disconnects, malformed frames); the proxy retries twice and falls back to a second group, with
`timeout: 3` / `stream_timeout: 5` so hangs end.

Sampled every second into soak.csv: the proxy's RSS and open descriptors (/proc/PID), its threads, the
in-flight gauges from its /metrics, the client's open connections and request counters, MockAzure's RSS.

Pass rule (after the warm-up, by default the first 60 s — 300 s for runs of 15 minutes or more, 600 s for runs of
20 minutes or more), on the samples of the quiet part of each cycle (base load, 10–30 s into it):
  * RSS growth < 1 MiB per 10 minutes, (1) within the quiet windows (one intercept per window: what accumulates
    per request) and (2) from cycle to cycle (each window's median: what the peaks leave behind), the latter once
    there are at least 5 cycles after the warm-up;
  * flat descriptors: those other than connections do not grow from cycle to cycle and are back to their start
    value after the load; no client connection left once the clients closed; idle upstream connections kept ≤ the
    most requests ever in flight;
  * no request without an answer within 60 s, and the proxy alive throughout.
Writes soak.csv, soak.svg (RSS and descriptors over time, hand-written SVG) and soak.json (the figures).
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

CYCLE = 60.0


def set_cycle(seconds: float):
    """The load's period (60 s; the proofs that the rule can fail use a shorter one)."""
    global CYCLE
    CYCLE = float(seconds)


def target_connections(t: float, base: int, peak: int) -> int:
    phase = (t % CYCLE) * 60 / CYCLE  # in 60ths of a cycle
    if phase < 35:
        return base
    if phase < 40:
        return int(base + (peak - base) * (phase - 35) / 5)
    if phase < 50:
        return peak
    if phase < 55:
        return int(peak - (peak - base) * (phase - 50) / 5)
    return base


def quiet(t: float) -> bool:
    """Samples comparable from cycle to cycle: the base load, well after the previous peak."""
    return 10 <= (t % CYCLE) * 60 / CYCLE < 30


# ---------------------------------------------------------------------------------------------------------------
# Load

class Stats:
    def __init__(self):
        self.requests = 0
        self.statuses = Counter()
        self.stream_errors = 0
        self.timeouts = 0
        self.connection_errors = 0
        self.connections = 0
        self.max_connections = 0
        self.max_latency = 0.0


def request_bytes(rng: random.Random, key: str, host: str) -> tuple[bytes, str]:
    roll = rng.random()
    auth = f"Authorization: Bearer {key}\r\n"
    if roll < 0.55:
        body, path, kind = {"model": rng.choice(["gpt-4o", "o4-mini"]), "messages": [{"role": "user", "content": f"soak {rng.random()}"}]}, "/chat/completions", "chat"
    elif roll < 0.85:
        body = {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "soak stream"}]}
        if rng.random() < 0.5:
            body["stream_options"] = {"include_usage": True}
        path, kind = "/chat/completions", "stream"
    elif roll < 0.90:
        body, path, kind = {"model": "text-embedding-3-small", "input": "soak"}, "/embeddings", "embeddings"
    elif roll < 0.95:
        body, path, kind = {"model": "gpt-35-turbo-instruct", "prompt": "soak"}, "/completions", "completions"
    else:
        choice = rng.randrange(3)
        path, kind = "/chat/completions", "refused"
        if choice == 0:
            raw = b'{"model": "gpt-4o", "messages": ['
        elif choice == 1:
            raw = json.dumps({"model": "nope", "messages": [{"role": "user", "content": "x"}]}).encode()
        else:
            auth = ""
            raw = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}).encode()
        return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n").encode() + raw, kind
    raw = json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n").encode() + raw, kind


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep_alive)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = b""
    if "chunked" in headers.get("transfer-encoding", ""):
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size + 2))
        body = b"".join(p[:-2] for p in parts)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
        return status, body, False
    return status, body, headers.get("connection", "").lower() != "close"


async def worker(number: int, host: str, port: int, key: str, stats: Stats, active, stop: asyncio.Event, seed: int):
    rng = random.Random(f"{seed}:{number}")
    writer = reader = None
    try:
        while not stop.is_set() and number < active():
            if writer is None:
                try:
                    reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
                    stats.connections += 1
                    stats.max_connections = max(stats.max_connections, stats.connections)
                except OSError:
                    stats.connection_errors += 1
                    await asyncio.sleep(1)
                    continue
            payload, kind = request_bytes(rng, key, host)
            started = time.monotonic()
            try:
                writer.write(payload)
                status, body, keep = await asyncio.wait_for(read_answer(reader), 60)
            except asyncio.TimeoutError:
                stats.timeouts += 1
                keep = False
                status = None
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                stats.connection_errors += 1
                keep = False
                status = None
            latency = time.monotonic() - started
            stats.max_latency = max(stats.max_latency, latency)
            stats.requests += 1
            if status is not None:
                stats.statuses[status] += 1
                if kind == "stream" and b'data: {"error"' in body:
                    stats.stream_errors += 1
            if not keep:
                writer.close()
                stats.connections -= 1
                writer = reader = None
            await asyncio.sleep(rng.uniform(0.2, 1.0))
    finally:
        if writer is not None:
            writer.close()
            stats.connections -= 1


async def drive(host, port, key, seconds, base, peak, stats: Stats, seed: int, started: float):
    stop = asyncio.Event()
    target = [base]
    tasks: dict[int, asyncio.Task] = {}

    def active():
        return target[0]

    while True:
        t = time.monotonic() - started
        if t >= seconds:
            break
        target[0] = target_connections(t, base, peak)
        for number in range(target[0]):
            task = tasks.get(number)
            if task is None or task.done():
                tasks[number] = asyncio.create_task(worker(number, host, port, key, stats, active, stop, seed))
        await asyncio.sleep(0.25)
    stop.set()
    await asyncio.gather(*tasks.values(), return_exceptions=True)


# ---------------------------------------------------------------------------------------------------------------
# Sampling

def threads_of(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:
        return 0


def sampler(proxy, mock, stats: Stats, started: float, rows: list, stop: threading.Event, alive_flag: list):
    next_at = started
    while not stop.is_set():
        next_at += 1.0
        t = time.monotonic() - started
        row = {"t_s": round(t, 1)}
        if not proxy.alive():
            alive_flag[0] = False
            break
        try:
            row.update(rss_kib=proxy.rss_kib(), fds=proxy.fds(), threads=threads_of(proxy.pid))
            kinds = harness.fd_kinds(proxy.pid, proxy.port, mock.port if mock else None)
            row.update(fd_clients=kinds["clients"], fd_upstream=kinds["upstream"],
                       fd_own=kinds["files"] + kinds["other"] + kinds["other_sockets"] + kinds["listen"])
        except FileNotFoundError:
            alive_flag[0] = False
            break
        try:
            values = harness.metrics(proxy)
            row.update(in_flight_requests=int(harness.metric(values, "llm_gateway_in_flight_requests")),
                       in_flight_streams=int(harness.metric(values, "llm_gateway_in_flight_streams")))
        except Exception:
            row.update(in_flight_requests="", in_flight_streams="")
        row.update(client_connections=stats.connections, requests=stats.requests,
                   errors=sum(v for k, v in stats.statuses.items() if k >= 500) + stats.timeouts + stats.connection_errors,
                   mock_rss_kib=mock.rss_kib() if mock and mock.alive() else "")
        rows.append(row)
        stop.wait(max(0.0, next_at - time.monotonic()))


# ---------------------------------------------------------------------------------------------------------------
# Analysis and plot

def slope_per_10min(points):
    """Least-squares slope of (t, y) in y-units per 600 s; 0 with fewer than 2 points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return 600 * sum((t - mean_t) * (y - mean_y) for t, y in points) / var


def quiet_windows(rows, warmup):
    """Per cycle after the warm-up: its quiet samples."""
    windows = {}
    for r in rows:
        if r["t_s"] >= warmup and quiet(r["t_s"]):
            windows.setdefault(int(r["t_s"] // CYCLE), []).append(r)
    return [windows[k] for k in sorted(windows)]


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else 0


def within_window_slope(windows, key):
    """Least-squares slope per 600 s with one intercept per window (each window's own mean removed): growth during
    the steady base load, where nothing should accumulate; the peaks' one-off steps between windows do not count."""
    num = den = 0.0
    for window in windows:
        if len(window) < 2:
            continue
        mean_t = sum(r["t_s"] for r in window) / len(window)
        mean_y = sum(r[key] for r in window) / len(window)
        num += sum((r["t_s"] - mean_t) * (r[key] - mean_y) for r in window)
        den += sum((r["t_s"] - mean_t) ** 2 for r in window)
    return 600 * num / den if den else 0.0


MIN_CYCLES_FOR_TREND = 5


def analyse(rows, warmup, before, after, rss_limit_kib=1024, own_fd_limit=1.0):
    """The pass rule. `before`/`after`: fd_kinds of the idle proxy before the load and once it stopped.

    RSS growth after the warm-up is measured two ways, and both must stay under the limit:
      * within the quiet windows (base load, 10–30 s into each cycle): a leak per request shows here in any run;
      * across cycles (the median RSS of each quiet window): what the peaks leave behind; this needs at least
        MIN_CYCLES_FOR_TREND cycles after the warm-up to tell a trend from the allocator's one-off high-water steps,
        so a 3-minute run is judged on the first measure only."""
    windows = quiet_windows(rows, warmup)
    rss_points = [(median([r["t_s"] for r in w]), median([r["rss_kib"] for r in w])) for w in windows]
    # Each window's median, as for RSS: a descriptor held for a moment (a spend-journal segment opened while the last
    # one waits for its rows to be written) is no trend, while a leaked one raises every later window.
    own_points = [(median([r["t_s"] for r in w]), median([r["fd_own"] for r in w])) for w in windows]
    rss_within = within_window_slope(windows, "rss_kib")
    rss_across = slope_per_10min(rss_points) if len(windows) >= MIN_CYCLES_FOR_TREND else None
    own_slope = slope_per_10min(own_points)
    max_in_flight = max((r["in_flight_requests"] for r in rows if r["in_flight_requests"] != ""), default=0)
    result = {
        "warmup_s": warmup, "cycles_after_warmup": len(windows),
        "rss_start_mib": round(rows[0]["rss_kib"] / 1024, 1) if rows else None,
        "rss_per_cycle_mib": [round(kib / 1024, 2) for _, kib in rss_points],
        "rss_max_mib": round(max(r["rss_kib"] for r in rows) / 1024, 1) if rows else None,
        "rss_growth_within_quiet_windows_kib_per_10min": round(rss_within, 1),
        "rss_growth_across_cycles_kib_per_10min": None if rss_across is None else round(rss_across, 1),
        "rss_limit_kib_per_10min": rss_limit_kib,
        "fds_max": max(r["fds"] for r in rows) if rows else None,
        "fds_own_per_cycle": [v for _, v in own_points], "fds_own_growth_per_10min": round(own_slope, 2),
        "fds_before_load": before, "fds_after_load": after,
    }
    failures = []
    if len(windows) < 2:
        failures.append(f"only {len(windows)} cycle(s) after the warm-up: run at least {warmup + 2 * CYCLE:.0f} s")
    if rss_within >= rss_limit_kib:
        failures.append(f"RSS grows {rss_within:.0f} KiB per 10 minutes under the steady base load (limit {rss_limit_kib})")
    if rss_across is not None and rss_across >= rss_limit_kib:
        failures.append(f"RSS grows {rss_across:.0f} KiB per 10 minutes from cycle to cycle after the warm-up (limit {rss_limit_kib}): "
                        f"per cycle {result['rss_per_cycle_mib']} MiB")
    if own_slope >= own_fd_limit:
        failures.append(f"descriptors other than connections grow {own_slope:.1f} per 10 minutes (per cycle {result['fds_own_per_cycle']})")
    if after is not None and before is not None:
        own_before = before["files"] + before["other"] + before["other_sockets"] + before["listen"]
        own_after = after["files"] + after["other"] + after["other_sockets"] + after["listen"]
        if own_after > own_before + 5:
            failures.append(f"descriptors other than connections: {own_before} before the load, {own_after} after")
        if after["clients"] > 0:
            failures.append(f"{after['clients']} client connections still open after every client closed")
        if after["upstream"] > max_in_flight + 16:
            failures.append(f"{after['upstream']} upstream connections kept, more than the {max_in_flight} requests ever in flight")
    return result, failures


def svg_plot(rows, path: Path, warmup: float, title: str):
    """RSS (MiB, left axis) and open descriptors (right axis) over time, with the warm-up shaded and the peaks marked."""
    width, height, left, right, top, bottom = 960, 420, 70, 70, 40, 50
    if not rows:
        path.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
        return
    t_max = max(r["t_s"] for r in rows) or 1
    rss = [r["rss_kib"] / 1024 for r in rows]
    fds = [r["fds"] for r in rows]
    r_lo, r_hi = min(rss) * 0.95, max(rss) * 1.05 or 1
    f_hi = max(fds) * 1.1 or 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t):
        return left + plot_w * t / t_max

    def y_rss(v):
        return top + plot_h * (1 - (v - r_lo) / ((r_hi - r_lo) or 1))

    def y_fd(v):
        return top + plot_h * (1 - v / f_hi)

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' font-family='sans-serif' font-size='12'>",
             f"<rect width='{width}' height='{height}' fill='white'/>",
             f"<text x='{width / 2}' y='22' text-anchor='middle' font-size='15'>{title}</text>",
             f"<rect x='{left}' y='{top}' width='{x(min(warmup, t_max)) - left:.1f}' height='{plot_h}' fill='#eeeeee'/>",
             f"<text x='{left + 4}' y='{top + 14}' fill='#777'>warm-up</text>"]
    cycle = 0.0
    while cycle < t_max:
        a, b = x(min(cycle + CYCLE * 40 / 60, t_max)), x(min(cycle + CYCLE * 50 / 60, t_max))
        if cycle + CYCLE * 40 / 60 < t_max:
            parts.append(f"<rect x='{a:.1f}' y='{top}' width='{b - a:.1f}' height='{plot_h}' fill='#fde9d9' opacity='0.7'/>")
        cycle += CYCLE
    for i in range(6):
        v = r_lo + (r_hi - r_lo) * i / 5
        parts.append(f"<line x1='{left}' x2='{width - right}' y1='{y_rss(v):.1f}' y2='{y_rss(v):.1f}' stroke='#e5e5e5'/>")
        parts.append(f"<text x='{left - 6}' y='{y_rss(v) + 4:.1f}' text-anchor='end' fill='#1f5fbf'>{v:.1f}</text>")
        fv = f_hi * i / 5
        parts.append(f"<text x='{width - right + 6}' y='{y_fd(fv) + 4:.1f}' fill='#c0392b'>{fv:.0f}</text>")
    for i in range(7):
        t = t_max * i / 6
        parts.append(f"<text x='{x(t):.1f}' y='{height - bottom + 18}' text-anchor='middle'>{t:.0f}</text>")
    parts.append(f"<text x='{width / 2}' y='{height - 10}' text-anchor='middle'>seconds (shaded orange: 1,000-connection peaks)</text>")
    parts.append(f"<text x='16' y='{top + plot_h / 2}' transform='rotate(-90 16 {top + plot_h / 2})' text-anchor='middle' fill='#1f5fbf'>RSS (MiB)</text>")
    parts.append(f"<text x='{width - 14}' y='{top + plot_h / 2}' transform='rotate(90 {width - 14} {top + plot_h / 2})' text-anchor='middle' fill='#c0392b'>open descriptors</text>")
    parts.append(f"<rect x='{left}' y='{top}' width='{plot_w}' height='{plot_h}' fill='none' stroke='#999'/>")
    fd_points = " ".join(f"{x(r['t_s']):.1f},{y_fd(r['fds']):.1f}" for r in rows)
    rss_points = " ".join(f"{x(r['t_s']):.1f},{y_rss(r['rss_kib'] / 1024):.1f}" for r in rows)
    parts.append(f"<polyline fill='none' stroke='#c0392b' stroke-width='1' opacity='0.6' points='{fd_points}'/>")
    parts.append(f"<polyline fill='none' stroke='#1f5fbf' stroke-width='1.6' points='{rss_points}'/>")
    parts.append("</svg>")
    path.write_text("\n".join(parts))


# ---------------------------------------------------------------------------------------------------------------

def soak_config(directory: Path, mock_url: str) -> Path:
    models = [("gpt-4o", "gpt-4o", 3, 5), ("gpt-4o", "gpt-4o-mini", 3, 5), ("o4-mini", "o4-mini", 3, 5), ("fallback", "gpt-4.1", 3, 5),
              ("gpt-35-turbo-instruct", "gpt-35-turbo-instruct", 3, 5), ("text-embedding-3-small", "text-embedding-3-small", 3, 5)]
    router = '  allowed_fails: 1000\n  cooldown_time: 1\n  fallbacks: [{"gpt-4o": ["fallback"]}, {"o4-mini": ["fallback"]}]\n'
    path = harness.write_config(directory, mock_url, models=models, router_settings=router)
    path.write_text(path.read_text().replace("  num_retries: 0\n", "  num_retries: 2\n"))
    return path


def run(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = out / "run"
    work.mkdir(exist_ok=True)
    bin_dir = Path(args.bin) if args.bin else harness.bin_path()
    # The allocator's high-water mark under the minute peaks takes ~8 minutes to form (docs/reliability.md, R8).
    warmup = args.warmup if args.warmup is not None else (600 if args.seconds >= 1200 else 300 if args.seconds >= 900 else CYCLE)
    if args.proxy_cmd:
        # A stand-in for the proxy (broken_proxy.py), to prove the pass rule can fail; no MockAzure needed.
        env = dict(os.environ, LITELLM_MASTER_KEY=harness.MASTER_KEY)
        mock = None
        proxy = harness.Process(args.proxy_cmd.split(), work / "proxy.log", env=env)
    else:
        mock = harness.start_mock(work, fault_rate=args.fault_rate, seed=args.seed, speed=1.0, hang_seconds=5.0,
                                  binary=bin_dir / "mock-azure")
        proxy = harness.start_proxy(work, soak_config(work, mock.url), binary=bin_dir / "proxy")
    print(f"soak: {args.seconds} s, warm-up {warmup} s, {args.base}→{args.peak} connections, fault rate {args.fault_rate}; "
          f"proxy pid {proxy.pid} at {proxy.url}", flush=True)
    stats, rows, stop = Stats(), [], threading.Event()
    alive = [True]
    upstream_port = mock.port if mock else None
    before = harness.fd_kinds(proxy.pid, proxy.port, upstream_port)
    started = time.monotonic()
    thread = threading.Thread(target=sampler, args=(proxy, mock, stats, started, rows, stop, alive), daemon=True)
    thread.start()
    failures = []
    try:
        asyncio.run(drive(proxy.host, proxy.port, harness.MASTER_KEY, args.seconds, args.base, args.peak, stats, args.seed, started))
        time.sleep(2)
        after = None
        if proxy.alive():
            # Every client has closed: its connections must go at once; nothing else may have been left open.
            deadline = time.monotonic() + args.settle
            while time.monotonic() < deadline:
                after = harness.fd_kinds(proxy.pid, proxy.port, upstream_port)
                if after["clients"] == 0 and after["files"] + after["other"] + after["other_sockets"] <= before["files"] + before["other"] + before["other_sockets"] + 5:
                    break
                time.sleep(0.5)
    finally:
        stop.set()
        thread.join(timeout=5)
        proxy_alive = proxy.alive() and alive[0]
        proxy.stop()
        if mock:
            mock.stop()
    with open(out / "soak.csv", "w", newline="") as handle:
        fields = ["t_s", "rss_kib", "fds", "fd_clients", "fd_upstream", "fd_own", "threads", "in_flight_requests", "in_flight_streams",
                  "client_connections", "requests", "errors", "mock_rss_kib"]
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    result, rule_failures = analyse(rows, warmup, before, after, own_fd_limit=args.fd_limit)
    failures += rule_failures
    if not proxy_alive:
        failures.append("the proxy died")
    if stats.timeouts:
        failures.append(f"{stats.timeouts} requests without an answer within 60 s")
    result.update({
        "seconds": args.seconds, "base_connections": args.base, "peak_connections": args.peak,
        "max_client_connections": stats.max_connections, "requests": stats.requests,
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())}, "stream_error_frames": stats.stream_errors,
        "client_timeouts": stats.timeouts, "connection_errors": stats.connection_errors, "max_latency_s": round(stats.max_latency, 2),
        "max_in_flight_requests": max((r["in_flight_requests"] for r in rows if r["in_flight_requests"] != ""), default=None),
        "max_in_flight_streams": max((r["in_flight_streams"] for r in rows if r["in_flight_streams"] != ""), default=None),
        "failures": failures,
    })
    (out / "soak.json").write_text(json.dumps(result, indent=2))
    svg_plot(rows, out / "soak.svg", warmup, f"proxy RSS (blue) and open descriptors (red), {args.seconds} s soak")
    print(json.dumps(result, indent=2))
    print("PASS" if not failures else "FAIL")
    return 0 if not failures else 1


def reanalyse(path: Path, warmup: int) -> int:
    """The pass rule applied again to a soak.csv (the descriptor checks after the load need the live run)."""
    rows = []
    with open(path) as handle:
        for row in csv.DictReader(handle):
            rows.append({k: (float(v) if k == "t_s" else int(v) if v not in ("", None) else "") for k, v in row.items()})
    result, failures = analyse(rows, warmup, None, None)
    print(json.dumps({**result, "failures": failures}, indent=2))
    return 0 if not failures else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description="soak the proxy")
    parser.add_argument("--analyse", help="apply the pass rule to this soak.csv instead of running")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", 1800)))
    parser.add_argument("--warmup", type=int, default=int(os.environ["SOAK_WARMUP"]) if os.environ.get("SOAK_WARMUP") else None)
    parser.add_argument("--base", type=int, default=int(os.environ.get("SOAK_BASE", 100)))
    parser.add_argument("--peak", type=int, default=int(os.environ.get("SOAK_PEAK", 1000)))
    parser.add_argument("--fault-rate", type=float, default=float(os.environ.get("SOAK_FAULT_RATE", 0.1)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", 1)))
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to wait for descriptors after the load")
    parser.add_argument("--fd-limit", type=float, default=1.0, help="growth of descriptors other than connections allowed per 10 minutes")
    parser.add_argument("--bin", default=os.environ.get("SWIFT_BIN_PATH"))
    parser.add_argument("--out", default=os.environ.get("SOAK_OUT", "artifacts/soak"))
    parser.add_argument("--proxy-cmd", help="run this instead of the proxy (e.g. broken_proxy.py --mode grow)")
    parser.add_argument("--cycle", type=float, default=60.0, help="the load's period in seconds")
    args = parser.parse_args(argv)
    set_cycle(args.cycle)
    if args.analyse:
        return reanalyse(Path(args.analyse), args.warmup if args.warmup is not None else 60)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
