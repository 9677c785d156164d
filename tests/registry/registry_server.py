#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/registry/registry_server.py - a registry on loopback for
# tests/cli/install_test.sh.  Usage: registry_server.py ROOT
# ROOT/github/OWNER/REPO/... are repositories served in GitHub's REST
# shape (under /gh: commits, git/trees, tarball; under /raw: file
# contents); /ss/api/search answers like skills.sh; ROOT/site/ is a site
# whose /.well-known/agent-skills/index.json is built from
# ROOT/site/index.json (digests filled in unless given).  Hostile servers
# on further ports: a digest mismatch, an escaping archive, a hang and a
# truncated index.  Prints "PORT_main PORT_mismatch PORT_escape PORT_hang
# PORT_trunc" on its first line, then serves until killed.
import hashlib
import http.server
import io
import json
import os
import sys
import tarfile
import threading
import time
import urllib.parse

ROOT = sys.argv[1]


def repo_dir(owner, repo):
    return os.path.join(ROOT, "github", owner, repo)


def repo_files(owner, repo):
    base = repo_dir(owner, repo)
    out = []
    for d, dirs, files in os.walk(base):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(d, f)
            out.append(os.path.relpath(p, base))
    return out


def repo_sha(owner, repo):
    h = hashlib.sha1()
    base = repo_dir(owner, repo)
    for rel in repo_files(owner, repo):
        h.update(rel.encode())
        with open(os.path.join(base, rel), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def tree_json(owner, repo):
    base = repo_dir(owner, repo)
    items, dirs = [], set()
    for rel in repo_files(owner, repo):
        parts = rel.split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
        items.append({"path": rel, "mode": "100644", "type": "blob",
                      "size": os.path.getsize(os.path.join(base, rel))})
    for d in sorted(dirs):
        items.append({"path": d, "mode": "040000", "type": "tree"})
    extra = os.path.join(ROOT, "github", owner, repo + ".extra.json")
    if os.path.exists(extra):
        with open(extra) as f:
            items += json.load(f)
    return {"sha": repo_sha(owner, repo), "tree": items, "truncated": False}


def tarball(owner, repo):
    buf = io.BytesIO()
    top = "%s-%s-%s" % (owner, repo, repo_sha(owner, repo)[:7])
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        t.add(repo_dir(owner, repo), arcname=top)
        evil = os.path.join(ROOT, "github", owner, repo + ".evil")
        if os.path.exists(evil):
            ti = tarfile.TarInfo(top + "/skills/x/../../../evil.txt")
            data = b"escaped\n"
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def wellknown_index(site):
    with open(os.path.join(site, "index.json")) as f:
        idx = json.load(f)
    for s in idx["skills"]:
        if "digest" not in s:
            path = s["url"].lstrip("/")
            if not s["url"].startswith("/"):
                path = ".well-known/agent-skills/" + path
            with open(os.path.join(site, path), "rb") as f:
                s["digest"] = "sha256:" + hashlib.sha256(f.read()).hexdigest()
    return idx


class Handler(http.server.BaseHTTPRequestHandler):
    mode = "main"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="application/json", etag=None):
        if isinstance(body, str):
            body = body.encode()
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, obj):
        body = json.dumps(obj)
        self.send(200, body, etag='"%s"' % hashlib.sha1(body.encode())
                  .hexdigest())

    def count(self):
        auth = self.headers.get("Authorization")
        with open(os.path.join(ROOT, "requests.log"), "a") as f:
            f.write("%s %s%s%s\n" % (
                self.mode, self.path,
                " auth=" + auth if auth else "",
                " if-none-match" if self.headers.get("If-None-Match")
                else ""))

    def do_GET(self):
        self.count()
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        parts = [p for p in u.path.split("/") if p]
        if self.mode == "hang":
            time.sleep(30)
            return self.send(200, "{}")
        if self.mode == "trunc":
            return self.send(200, '{"skills":[{"name":"a","type":"skill-m')
        site = os.path.join(ROOT, "site-" + self.mode if self.mode != "main"
                            else "site")
        if u.path == "/.well-known/agent-skills/index.json":
            idx = wellknown_index(site)
            if self.mode == "mismatch":
                for s in idx["skills"]:
                    s["digest"] = "sha256:" + "0" * 64
            return self.send_json(idx)
        if parts[:1] == ["ss"] and parts[1:3] == ["api", "search"]:
            with open(os.path.join(ROOT, "skillssh.json")) as f:
                allskills = json.load(f)
            word = q.get("q", [""])[0].lower()
            hits = [s for s in allskills if word in s["name"].lower()]
            return self.send_json({"skills": hits, "query": word})
        if parts[:2] == ["gh", "repos"] and len(parts) >= 6:
            owner, repo, what = parts[2], parts[3], parts[4]
            if not os.path.isdir(repo_dir(owner, repo)):
                return self.send(404, '{"message":"Not Found"}')
            if repo == "trunc":
                return self.send(200, '{"sha":"abc", "tree":[{"path":')
            if repo == "hang":
                time.sleep(30)
            if what == "commits":
                return self.send_json({"sha": repo_sha(owner, repo)})
            if what == "git" and parts[5] == "trees":
                return self.send_json(tree_json(owner, repo))
            if what == "tarball":
                return self.send(200, tarball(owner, repo),
                                 "application/gzip")
        if parts[:1] == ["raw"] and len(parts) >= 5:
            owner, repo = parts[1], parts[2]
            rel = "/".join(parts[4:])
            p = os.path.join(repo_dir(owner, repo), rel)
            if ".." in parts or not os.path.isfile(p):
                return self.send(404, "not found", "text/plain")
            with open(p, "rb") as f:
                return self.send(200, f.read(), "text/plain")
        p = os.path.join(site, u.path.lstrip("/"))
        if ".." not in parts and os.path.isfile(p):
            with open(p, "rb") as f:
                return self.send(200, f.read(), "application/octet-stream")
        return self.send(404, "not found", "text/plain")


def serve(mode):
    h = type("H" + mode, (Handler,), {"mode": mode})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def main():
    ports = [serve(m) for m in ("main", "mismatch", "escape", "hang",
                                "trunc")]
    print(" ".join(str(p) for p in ports), flush=True)
    while True:
        time.sleep(3600)


main()
