#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/exec/http_server.py - a loopback HTTP server for tests/exec/http_test.c.
#
# Listens on 127.0.0.1 on two ports the system picks (two origins), prints
# them on one line, and serves until its stdin is closed.  Routes:
#   /hello              200 "hello, world\n" (text/plain)
#   /big?n=N            N bytes of "x" with a Content-Length
#   /big-nolen?n=N      N bytes of "x" without one (ends when closed)
#   /slow               answers after 3 seconds
#   /sleep?s=S          answers after S seconds (a decimal number)
#   /redirect-ok        302 to /hello
#   /redirect-out       302 to http://10.0.0.1/
#   /redirect-other     302 to http://127.0.0.1:1/ (an origin not granted)
#   /redirect-file      302 to file:///etc/passwd
#   /redirect-303       303 to /echo
#   /redirect-307       307 to /echo
#   /redirect-to?code=C&url=U   C (default 302) to U
#   /chain?n=K          302 to /chain?n=K-1, and /hello once K is 0
#   /echo               the method, the X-Api-Key header and the body
#   /count              how many requests came before (not counting /count)
#   /echo-forms         the X-Api-Key header back literally, in base64 (alone
#                       and inside "Authorization: Bearer ..."), percent- and
#                       JSON-escaped (short and \\u escapes)
#   /echo-split         the X-Api-Key header back in two writes, split inside
#                       the value, with a pause between them
import base64
import http.server
import json
import sys
import threading
import time
import urllib.parse

count = 0
count_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="text/plain", length=True,
             location=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if location is not None:
            self.send_header("Location", location)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def route(self):
        global count
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        n = int(q.get("n", ["0"])[0])
        if url.path == "/count":
            with count_lock:
                c = count
            return self.send(200, str(c).encode())
        with count_lock:
            count += 1
        body = b""
        length = int(self.headers.get("Content-Length", "0"))
        if length:
            body = self.rfile.read(length)
        if url.path == "/hello":
            return self.send(200, b"hello, world\n")
        if url.path == "/big":
            return self.send(200, b"x" * n, "application/octet-stream")
        if url.path == "/big-nolen":
            self.close_connection = True
            return self.send(200, b"x" * n, "application/octet-stream",
                             length=False)
        if url.path == "/slow":
            time.sleep(3)
            return self.send(200, b"late\n")
        if url.path == "/sleep":
            time.sleep(float(q.get("s", ["0"])[0]))
            return self.send(200, b"slept\n")
        redirects = {
            "/redirect-ok": (302, "/hello"),
            "/redirect-out": (302, "http://10.0.0.1/"),
            "/redirect-other": (302, "http://127.0.0.1:1/"),
            "/redirect-file": (302, "file:///etc/passwd"),
            "/redirect-303": (303, "/echo"),
            "/redirect-307": (307, "/echo"),
        }
        if url.path in redirects:
            status, where = redirects[url.path]
            return self.send(status, b"", location=where)
        if url.path == "/redirect-to":
            code = int(q.get("code", ["302"])[0])
            return self.send(code, b"", location=q.get("url", ["/"])[0])
        if url.path == "/chain":
            where = "/chain?n=%d" % (n - 1) if n > 0 else "/hello"
            return self.send(302, b"", location=where)
        if url.path == "/echo-forms":
            key = self.headers.get("X-Api-Key", "")
            kb = key.encode()
            uesc = "".join("\\u%04x" % ord(c) for c in key)
            out = b"literal=" + kb + b"\n"
            out += b"b64=" + base64.b64encode(kb) + b"\n"
            out += b"b64in=" + base64.b64encode(b"Authorization: Bearer " + kb) + b"\n"
            out += b"b64url=" + base64.urlsafe_b64encode(b"x" + kb) + b"\n"
            out += b"pct=" + urllib.parse.quote(key, safe="").encode() + b"\n"
            out += b"json=" + json.dumps({"k": key}).encode() + b"\n"
            out += b"uesc=" + uesc.encode() + b"\n"
            return self.send(200, out)
        if url.path == "/echo-split":
            kb = self.headers.get("X-Api-Key", "").encode()
            half = len(kb) // 2
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"split=" + kb[:half])
            self.wfile.flush()
            time.sleep(0.2)
            self.wfile.write(kb[half:] + b"\n")
            return None
        if url.path == "/echo":
            key = self.headers.get("X-Api-Key", "")
            out = b"method=" + self.command.encode() + b"\n"
            out += b"x-api-key=" + key.encode() + b"\n"
            out += b"body=" + body
            return self.send(200, out)
        return self.send(404, b"no such route\n")

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()


def main():
    servers = []
    for _ in range(2):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    print(" ".join(str(s.server_address[1]) for s in servers), flush=True)
    sys.stdin.read()  # returns when the test closes our stdin
    for server in servers:
        server.shutdown()


if __name__ == "__main__":
    main()
