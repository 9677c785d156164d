#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/server/registry_server.py - a stand-in for skills.sh on loopback,
# for tests/server/api_test.sh and tests/browser/ui_test.mjs.
#
# Usage: registry_server.py NAME=SOURCE...  Listens on 127.0.0.1 on a port
# the system picks, prints it on one line, and serves until its stdin is
# closed.  GET /api/search?q=Q answers {"skills": [...]} with every NAME
# that contains Q, each installing from its SOURCE (a local folder);
# anything else is a 404 (so a GitHub API pointed here fails quickly).
import http.server
import json
import sys
import threading
import urllib.parse

skills = dict(a.split('=', 1) for a in sys.argv[1:])


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path != '/api/search':
            self.send_response(404)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        q = urllib.parse.parse_qs(u.query).get('q', [''])[0].lower()
        hits = [{'id': 'test/' + n, 'name': n, 'source': s, 'installs': 7}
                for n, s in skills.items() if q in n]
        body = json.dumps({'skills': hits}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
print(srv.server_address[1], flush=True)
threading.Thread(target=srv.serve_forever, daemon=True).start()
sys.stdin.read()
srv.shutdown()
