#!/usr/bin/env python3
"""Hostile clients for bench/api.sh, against a server on 127.0.0.1:PORT.

  hold PORT IDLE SLOW   holds IDLE idle connections and SLOW ones that trickle a
                        request header one byte every 100 ms without ever ending
                        it, re-opening any the server closes, until SIGTERM; then
                        prints how many it had to re-open.
  range PORT PATH N     N connections each ask for PATH with a 7.9 KB header
                        repeating the range 0- and never read; held 3 s.
Each group connects from loopback addresses of its own, as separate clients would.
"""
import select
import signal
import socket
import sys
import time


def connect(port, source):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def hold(port, idle, slow):
    header = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    sources = [f"127.0.1.{10 + i % 10}" for i in range(idle)] + \
              [f"127.0.2.{10 + i % 2}" for i in range(slow)]
    socks = [connect(port, src) for src in sources]
    for s in socks[idle:]:
        s.send(header)
    print(f"held {idle} idle and {slow} slow-header connections", flush=True)
    reopened = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        time.sleep(0.1)
        closed, _, _ = select.select(socks, [], [], 0)
        for s in closed:
            i = socks.index(s)
            s.close()
            socks[i] = connect(port, sources[i])
            if i >= idle:
                socks[i].send(header)
            reopened += 1
        for s in socks[idle:]:
            try:
                s.send(b"X")
            except OSError:
                pass
    print(f"re-opened {reopened} connections the server closed", flush=True)


def ranges(port, path, n):
    spec = "bytes=0-" + ",0-" * 2630  # 7.9 KB
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: {spec}\r\n\r\n").encode()
    socks = [connect(port, f"127.0.3.{10 + i}") for i in range(n)]
    for s in socks:
        s.send(request)
    time.sleep(3)


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "hold":
        hold(port, int(sys.argv[3]), int(sys.argv[4]))
    else:
        ranges(port, sys.argv[3], int(sys.argv[4]))
