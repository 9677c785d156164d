#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/server/slow_clients.py - slow HTTP clients for
# tests/server/slow_clients_test.sh: connections that never finish their
# request headers.
#
# Usage: slow_clients.py PORT N SOURCES INTERVAL LIFETIME
#   PORT      the server's port on 127.0.0.1
#   N         how many connections to open (at most 200)
#   SOURCES   "same:ADDR" (every connection from ADDR) or "spread:A.B.C"
#             (connection i from A.B.C.(i+1)); every address is loopback
#   INTERVAL  seconds between two header lines on each connection
#   LIFETIME  seconds after which it stops (at most 60)
# Each connection sends a request line, then one header line every
# INTERVAL seconds, never the blank line that ends the headers.  Prints
# "ready" once all are open, then on exit one summary line:
#   opened=N early=E cut=C open=O first_cut=S last_cut=S
# early: closed by the server within 1 s of opening (a connection limit);
# cut: closed later (a deadline), first_cut/last_cut seconds after opening;
# open: still open at the end.
import select
import socket
import sys
import time

port, n = int(sys.argv[1]), min(int(sys.argv[2]), 200)
mode, _, base = sys.argv[3].partition(':')
interval, lifetime = float(sys.argv[4]), min(float(sys.argv[5]), 60.0)

conns = []  # [sock, opened_at, closed_after or None]
for i in range(n):
    src = base if mode == 'same' else '%s.%d' % (base, i + 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(2)
    try:
        s.connect(('127.0.0.1', port))
        s.sendall(b'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n')
        s.setblocking(False)
        conns.append([s, time.monotonic(), None])
    except OSError:
        s.close()
        conns.append([None, time.monotonic(), 0.0])
print('ready', flush=True)

start = time.monotonic()
next_line = start + interval
line = 0
while time.monotonic() - start < lifetime:
    live = [c for c in conns if c[2] is None]
    if not live:
        break
    wait = max(0.0, min(next_line, start + lifetime) - time.monotonic())
    readable, _, _ = select.select([c[0] for c in live], [], [], wait)
    now = time.monotonic()
    for c in live:
        if c[0] in readable:
            try:
                data = c[0].recv(4096)
            except OSError:
                data = b''
            if not data:  # the server closed it (or reset it)
                c[2] = now - c[1]
                c[0].close()
    if now >= next_line:
        line += 1
        for c in live:
            if c[2] is None:
                try:
                    c[0].send(b'X-Slow-%d: y\r\n' % line)
                except OSError:
                    c[2] = now - c[1]
                    c[0].close()
        next_line = now + interval

early = [c for c in conns if c[2] is not None and c[2] < 1.0]
cut = [c[2] for c in conns if c[2] is not None and c[2] >= 1.0]
still = [c for c in conns if c[2] is None]
for c in still:
    c[0].close()
print('opened=%d early=%d cut=%d open=%d first_cut=%.1f last_cut=%.1f' %
      (len(conns), len(early), len(cut), len(still),
       min(cut) if cut else -1, max(cut) if cut else -1), flush=True)
