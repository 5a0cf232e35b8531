#!/usr/bin/env python3
"""Produced → queryable latency of a stream, as `playlake sql` sees it.

Runs `playlake sql` over the lake in a loop while plays stamped with the wall
clock (`playlake generate --realtime`) are produced and streamed. Each query
counts the plays in silver by 10 ms of time stamp; the plays a query counts
that the previous one did not became queryable before that query ended, so
an event's latency is that end minus its time stamp (an upper bound: it
includes the query's own time, as a user polling would see it).

  stream_latency.py --playlake BIN --lake DIR --events N [--timeout S]

Prints one row: events seen, p50, p99 and max latency in seconds, and the
queries' own mean duration.
"""
import argparse
import subprocess
import sys
import time

QUERY = ("select (epoch_ms(event_ts) // 10)::BIGINT as bucket, count(*) as n "
         "from plays group by 1")


def percentile(sorted_pairs, total, share):
    """sorted_pairs: (latency, count) by latency; the latency at `share` of total."""
    want = share * total
    seen = 0
    for latency, n in sorted_pairs:
        seen += n
        if seen >= want:
            return latency
    return sorted_pairs[-1][0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--playlake", required=True)
    parser.add_argument("--lake", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()

    seen = {}          # bucket → plays counted so far
    latencies = {}     # latency rounded to 10 ms → plays
    total = 0
    queries = 0
    query_seconds = 0.0
    deadline = time.time() + args.timeout
    while total < args.events and time.time() < deadline:
        started = time.time()
        out = subprocess.run(
            [args.playlake, "--log-level", "error", "sql", QUERY, "--lake", args.lake,
             "--format", "csv"], capture_output=True, text=True)
        ended = time.time()
        if out.returncode != 0:
            if "no lake" not in out.stderr and "plays" not in out.stderr:
                print(f"playlake sql failed: {out.stderr.strip()}", file=sys.stderr)
                return 1
            time.sleep(0.1)  # before the first commit silver has no plays table
            continue
        queries += 1
        query_seconds += ended - started
        for line in out.stdout.splitlines()[1:]:
            bucket, n = (int(x) for x in line.split(","))
            new = n - seen.get(bucket, 0)
            if new <= 0:
                continue
            seen[bucket] = n
            total += new
            latency = round(ended - (bucket * 10 + 5) / 1000.0, 2)
            latencies[latency] = latencies.get(latency, 0) + new
    if total == 0:
        print("no plays became queryable", file=sys.stderr)
        return 1
    pairs = sorted(latencies.items())
    print(f"{'run':<44} {'events':>10} {'p50 s':>8} {'p99 s':>8} {'max s':>8} {'query s':>8}")
    print(f"{'playlake stream → silver, polled by sql':<44} {total:>10} "
          f"{percentile(pairs, total, 0.50):>8.2f} {percentile(pairs, total, 0.99):>8.2f} "
          f"{pairs[-1][0]:>8.2f} {query_seconds / max(queries, 1):>8.2f}")
    if total < args.events:
        print(f"(only {total} of {args.events} plays became queryable within the timeout)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
