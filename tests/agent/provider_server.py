#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/agent/provider_server.py - a scripted model provider on loopback for
# tests/cli/chat_test.sh: real HTTP and real server-sent events in the
# shapes of both the Anthropic Messages API and the OpenAI Chat
# Completions API, with tool calls.
#
# Listens on 127.0.0.1, on a port the system picks, prints that port on one
# line, and serves until its stdin is closed.  The first path segment names
# the script, so a test points a base URL at it:
#   ANTHROPIC_BASE_URL=http://127.0.0.1:PORT/SCRIPT  -> POST /SCRIPT/v1/messages
#   OPENAI_BASE_URL=http://127.0.0.1:PORT/SCRIPT     -> POST /SCRIPT/chat/completions
# A suffix after a dot names another log for the same script
# ("hello.oa": script hello, log hello.oa).
# The key must be "test-key" (x-api-key or Authorization: Bearer), else 401.
#   GET /log/SCRIPT    the request bodies SCRIPT received, as a JSON array
#   GET /count/SCRIPT  how many requests SCRIPT received
# Scripts (what the model "says"; each sees the request it answers):
#   hello      text, in several pieces
#   crlf       hello with CRLF line ends, comments, data split over two
#              lines and writes of a few bytes
#   activate   activate_skill code-review, then quotes the result
#   tool       word-count {"text": "one two three four"}, then quotes it
#   fetch      fetch-page http://127.0.0.1:9/, then quotes the result
#   badbytes   badbytes {}, then quotes the result
#   resource   activate docs-helper, read ../../etc/passwd, read
#              references/escape.md, read references/guide.md, then
#              quotes the results
#   parallel   two word-count calls in one answer, then the results
#   loop       calls word-count forever (the step bound must stop it)
#   memory     "You said: " and every user text so far, joined by " | "
#   catalog    "TOOLS: " and the names of the tools offered, whether the
#              system prompt has the catalog and carries code-review's
#              instructions as an activated skill, the messages count
#   drop       a few events, then the connection closes mid-answer
#   overloaded 529 (Anthropic) / 503 (OpenAI) the first time, then hello
#   midstream  an overloaded error event the first time, then hello
#   rate       429 with Retry-After: 0, always
#   badreq     400, always
#   badjson    a stream whose event data is not JSON
#   flaky-CODE-N-FORM  HTTP CODE (408, 409, 429, 500, 503, 529 ...) for the
#              first N requests, then hello; FORM says how it asks to wait:
#              secs (Retry-After: 0), date (an HTTP date 1 s ahead), ms
#              (retry-after-ms: 50), none
#   longwait   429 with Retry-After: 120, always
#   silent     reads the request and never answers
#   stall      starts the stream, a few events, then silence
#   cuttool    a tool call cut at the limit (max_tokens) while the request's
#              cap is under 1000 tokens, whole with more, then quotes it
#   cutalways  a tool call cut at the limit, always
#   cuttext    text cut at the limit twice, then its end (continued)
#   cutforever text cut at the limit, always
#   cutnocontinue  text cut at the limit; asked to continue it: 400
# A script name may start with "whole-": the answer then comes as one JSON
# body, not a stream (as when the request does not ask to stream).
#   fail500    word-count {"text": "side effect"}, then HTTP 500 for ever
#              (a turn that fails after its tool ran; resume it against
#              "tool", which answers from the stored result)
#   slow       text in 2-byte pieces, one every 0.2 s (about 20 s): time to
#              press Ctrl-C or hang up mid-stream
#   apimix     "slow" when the last user text holds "slowly", else "tool"
#   spinner    spin {} (a skill that loops until its time limit), then
#              quotes the result
#
# Prompt caching, as Anthropic publishes it: a request's prefix (tools,
# system, messages, in that order, block by block) is written to the cache
# at each block marked cache_control {"type": "ephemeral"} when it holds at
# least 1024 tokens (2048 for Haiku models; tokens estimated as bytes / 4);
# a later request reads the longest prefix written before that it starts
# with, ending at a block boundary at most 20 blocks before one of its
# breakpoints.  More than four breakpoints: 400.  usage then reports
# input_tokens (after the last breakpoint), cache_creation_input_tokens,
# cache_read_input_tokens.  OpenAI's caching is automatic: a prompt of
# 1024 tokens or more reads the longest prefix (in 128-token steps) it
# shares with an earlier prompt, reported as
# usage.prompt_tokens_details.cached_tokens, in a last chunk when
# stream_options.include_usage is set.
import email.utils
import hashlib
import http.server
import json
import sys
import threading
import time

lock = threading.Lock()
logs = {}
caches = {}      # log name -> {prefix digest: tokens}
oa_prompts = {}  # log name -> [earlier prompt texts]


def tokens(n_bytes):
    return n_bytes // 4


class CacheError(Exception):
    pass


def anthropic_blocks(req):
    """The prompt as (block JSON text, has breakpoint) in cache order."""
    out = []
    for t in req.get("tools", []):
        out.append(t)
    system = req.get("system")
    if isinstance(system, str):
        out.append({"type": "text", "text": system})
    elif isinstance(system, list):
        out += system
    for m in req.get("messages", []):
        c = m.get("content")
        if isinstance(c, str):
            out.append({"role": m["role"], "text": c})
            continue
        for b in c:
            out.append(dict(b, role=m["role"]))
    return [(json.dumps({k: v for k, v in b.items()
                         if k != "cache_control"}, sort_keys=True),
             "cache_control" in b) for b in out]


def anthropic_cache(log, req):
    """(input, cache_creation, cache_read) for REQ; raises CacheError."""
    blocks = anthropic_blocks(req)
    marks = [i for i, (_, bp) in enumerate(blocks) if bp]
    if len(marks) > 4:
        raise CacheError("A maximum of 4 blocks with cache_control may be "
                         "provided. Found %d." % len(marks))
    minimum = 2048 if "haiku" in req.get("model", "") else 1024
    prefix, sizes, digests = hashlib.sha256(), [], []
    size = 0
    for text, _ in blocks:
        prefix.update(text.encode() + b"\0")
        size += len(text.encode())
        sizes.append(size)
        digests.append(prefix.hexdigest())
    total = tokens(size)
    with lock:
        cache = caches.setdefault(log, {})
        read = 0
        for m in marks:
            for i in range(max(0, m - 20), m + 1):
                if digests[i] in cache:
                    read = max(read, tokens(sizes[i]))
        written = 0
        for m in marks:
            t = tokens(sizes[m])
            if t >= minimum:
                if digests[m] not in cache:
                    cache[digests[m]] = t
                written = max(written, t)
    write = max(0, written - read)
    return total - read - write, write, read


def openai_cache(log, req):
    """(prompt_tokens, cached_tokens) for REQ."""
    text = json.dumps([req.get("tools", []), req.get("messages", [])])
    total = tokens(len(text.encode()))
    best = 0
    with lock:
        earlier = oa_prompts.setdefault(log, [])
        for e in earlier:
            n = 0
            for a, b in zip(e, text):
                if a != b:
                    break
                n += 1
            best = max(best, n)
        earlier.append(text)
    cached = tokens(best) // 128 * 128
    return total, cached if total >= 1024 and cached >= 1024 else 0


def results_since_user(msgs, api):
    """Tool results after the last plain user message, in order."""
    out = []
    for m in msgs:
        role = m.get("role")
        content = m.get("content")
        if api == "openai":
            if role == "user":
                out = []
            elif role == "tool":
                c = m.get("content", "")
                out.append((c, c.startswith("error: ")))
            continue
        if role != "user":
            continue
        if isinstance(content, str):
            out = []
            continue
        if any(b.get("type") == "text" for b in content):
            out = []
        for b in content:
            if b.get("type") == "tool_result":
                c = b.get("content")
                if isinstance(c, list):
                    c = "".join(x.get("text", "") for x in c)
                out.append((c, bool(b.get("is_error"))))
    return out


def last_cap(req):
    return req.get("max_tokens") or req.get("max_completion_tokens") or 0


def partial(msgs, api):
    """The answer so far when the request asks to continue it: Anthropic
    ends with it as an assistant message, OpenAI follows it with a user
    message asking to continue; else ""."""
    if api == "openai":
        if len(msgs) >= 2 and msgs[-1].get("role") == "user" and \
                msgs[-1].get("content", "").startswith("Your answer was"):
            return msgs[-2].get("content") or ""
        return ""
    if msgs and msgs[-1].get("role") == "assistant":
        c = msgs[-1]["content"]
        return c if isinstance(c, str) else \
            "".join(b.get("text", "") for b in c)
    return ""


def user_texts(msgs):
    out = []
    for m in msgs:
        if m.get("role") != "user":
            continue
        c = m.get("content")
        if isinstance(c, str):
            out.append(c)
        else:
            out += [b["text"] for b in c if b.get("type") == "text"]
    return out


def tool_names(req, api):
    if api == "openai":
        return [t["function"]["name"] for t in req.get("tools", [])]
    return [t["name"] for t in req.get("tools", [])]


def quote(results):
    return " || ".join(("ERROR " if e else "") + c for c, e in results)


def script(name, req, api, nth):
    """What to answer: ("text", s), ("tools", [(name, input)]) or a
    special action."""
    name = name.split(".")[0]
    msgs = req.get("messages", [])
    res = results_since_user(msgs, api)
    if name in ("hello", "crlf"):
        return ("text", "Hello from the model.")
    if name == "activate":
        if not res:
            return ("tools", [("activate_skill", {"name": "code-review"})])
        return ("text", "ACTIVATED: " + quote(res))
    if name == "tool":
        if not res:
            return ("tools", [("word-count", {"text": "one two three four"})])
        return ("text", "RESULT: " + quote(res))
    if name == "fetch":
        if not res:
            return ("tools", [("fetch-page", {"url": "http://127.0.0.1:9/"})])
        return ("text", "RESULT: " + quote(res))
    if name == "badbytes":
        if not res:
            return ("tools", [("badbytes", {})])
        return ("text", "RESULT: " + quote(res))
    if name == "resource":
        steps = [("activate_skill", {"name": "docs-helper"}),
                 ("read_skill_resource",
                  {"name": "docs-helper", "path": "../../etc/passwd"}),
                 ("read_skill_resource",
                  {"name": "docs-helper", "path": "references/escape.md"}),
                 ("read_skill_resource",
                  {"name": "docs-helper", "path": "references/guide.md"})]
        if len(res) < len(steps):
            return ("tools", [steps[len(res)]])
        return ("text", "DONE: " + quote(res))
    if name == "parallel":
        if not res:
            return ("tools", [("word-count", {"text": "a b"}),
                              ("word-count", {"text": "c d e"})])
        return ("text", "BOTH: " + quote(res))
    if name == "loop":
        return ("tools", [("word-count", {"text": "again"})])
    if name == "memory":
        return ("text", "You said: " + " | ".join(user_texts(msgs)))
    if name == "catalog":
        system = req.get("system", "")
        if isinstance(system, list):
            system = "".join(b.get("text", "") for b in system)
        if api == "openai" and msgs and msgs[0].get("role") == "system":
            system = msgs[0]["content"]
        has = "<available_skills>" in system
        kept = "<activated_skills>" in system and "# Code review" in system
        return ("text", "TOOLS: " + ",".join(tool_names(req, api)) +
                " CATALOG: " + ("yes" if has else "no") +
                " ACTIVE: " + ("yes" if kept else "no") +
                " MESSAGES: %d" % len(msgs))
    if name == "drop":
        return ("drop", None)
    if name == "overloaded":
        return ("overloaded", None) if nth == 1 else ("text", "Recovered.")
    if name == "midstream":
        return ("midstream", None) if nth == 1 else ("text", "Recovered.")
    if name == "rate":
        return ("status", 429)
    if name == "badreq":
        return ("status", 400)
    if name == "badjson":
        return ("badjson", None)
    if name.startswith("flaky-"):
        _, code, n, form = name.split("-")
        if nth <= int(n):
            return ("flaky", (int(code), form))
        return ("text", "Recovered after %d." % int(n))
    if name == "longwait":
        return ("flaky", (429, "long"))
    if name in ("silent", "stall"):
        return (name, None)
    if name in ("cuttool", "cutalways"):
        if res:
            return ("text", "RESULT: " + quote(res))
        inp = {"text": "one two three four"}
        if name == "cutalways" or last_cap(req) < 1000:
            return ("cuttool", [("word-count", inp)])
        return ("tools", [("word-count", inp)])
    if name == "cuttext":
        parts = ["The answer begins", " and goes on", " and ends."]
        so_far = partial(msgs, api)
        k = sum(1 for p in parts[:2] if p.strip() in so_far)
        return ("cut" if k < 2 else "text", parts[k])
    if name == "cutforever":
        return ("cut", " more")
    if name == "cutnocontinue":
        if partial(msgs, api):
            return ("status", 400)
        return ("cut", "A partial answer")
    if name == "fail500":
        if not res:
            return ("tools", [("word-count", {"text": "side effect"})])
        return ("e500", None)
    if name == "slow":
        return ("slow", "This answer takes its time. " * 7)
    if name == "apimix":
        texts = user_texts(msgs)
        if texts and "slowly" in texts[-1]:
            return script("slow", req, api, nth)
        return script("tool", req, api, nth)
    if name == "spinner":
        if not res:
            return ("tools", [("spin", {})])
        return ("text", "SPUN: " + quote(res))
    return ("text", "unknown script " + name)


def pieces(s, n=5):
    return [s[i:i + n] for i in range(0, len(s), n)] or [""]


# ---- Anthropic shapes ------------------------------------------------------

def anthropic_events(action, payload, usage=None):
    usage = usage or {"input_tokens": 12}
    ev = [("message_start", {"type": "message_start", "message": {
        "id": "msg_test", "type": "message", "role": "assistant",
        "content": [], "model": "test-model", "stop_reason": None,
        "usage": dict(usage, output_tokens=1)}}),
        ("ping", {"type": "ping"})]
    if action in ("text", "cut"):
        ev.append(("content_block_start", {"type": "content_block_start",
                   "index": 0, "content_block": {"type": "text",
                                                 "text": ""}}))
        for p in pieces(payload):
            ev.append(("content_block_delta", {
                "type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": p}}))
        ev.append(("content_block_stop", {"type": "content_block_stop",
                                          "index": 0}))
        stop = "end_turn" if action == "text" else "max_tokens"
    else:
        for i, (name, inp) in enumerate(payload):
            ev.append(("content_block_start", {
                "type": "content_block_start", "index": i,
                "content_block": {"type": "tool_use",
                                  "id": "toolu_%d_%d" % (i, time.time_ns()),
                                  "name": name, "input": {}}}))
            args = json.dumps(inp)
            if action == "cuttool":
                args = args[:len(args) // 2]
            for p in pieces(args, 7):
                ev.append(("content_block_delta", {
                    "type": "content_block_delta", "index": i,
                    "delta": {"type": "input_json_delta",
                              "partial_json": p}}))
            ev.append(("content_block_stop", {"type": "content_block_stop",
                                              "index": i}))
        stop = "tool_use" if action == "tools" else "max_tokens"
    ev.append(("message_delta", {"type": "message_delta",
               "delta": {"stop_reason": stop, "stop_sequence": None},
               "usage": {"output_tokens": 7}}))
    ev.append(("message_stop", {"type": "message_stop"}))
    return ev


def anthropic_whole(events):
    """The one JSON message the same answer is without streaming."""
    msg, blocks = None, {}
    for _, d in events:
        t = d.get("type")
        if t == "message_start":
            msg = dict(d["message"])
        elif t == "content_block_start":
            blocks[d["index"]] = dict(d["content_block"])
            blocks[d["index"]].pop("input", None)
            blocks[d["index"]]["_json"] = ""
        elif t == "content_block_delta":
            b, delta = blocks[d["index"]], d["delta"]
            if delta["type"] == "text_delta":
                b["text"] += delta["text"]
            else:
                b["_json"] += delta["partial_json"]
        elif t == "message_delta":
            msg["stop_reason"] = d["delta"]["stop_reason"]
            msg["usage"]["output_tokens"] = d["usage"]["output_tokens"]
    content = []
    for i in sorted(blocks):
        b = blocks[i]
        raw = b.pop("_json")
        if b["type"] == "tool_use":
            try:
                b["input"] = json.loads(raw or "{}")
            except ValueError:
                b["input"] = {}  # what a cut call looks like whole
                msg["_cut"] = raw
        content.append(b)
    msg["content"] = content
    msg.pop("_cut", None)
    return msg


def anthropic_error(status, text=None):
    kind = {401: "authentication_error", 400: "invalid_request_error",
            429: "rate_limit_error", 529: "overloaded_error"}.get(
                status, "api_error")
    msg = {401: "invalid x-api-key", 400: "messages: field required",
           429: "Number of request tokens has exceeded your rate limit",
           529: "Overloaded"}.get(status, "error %d" % status)
    return {"type": "error", "error": {"type": kind, "message":
                                       text or msg}}


# ---- OpenAI shapes ------------------------------------------------------------

def openai_chunk(delta, finish=None):
    return {"id": "chatcmpl-test", "object": "chat.completion.chunk",
            "created": 0, "model": "test-model",
            "choices": [{"index": 0, "delta": delta,
                         "finish_reason": finish}]}


def openai_events(action, payload, usage=None):
    ev = [openai_chunk({"role": "assistant", "content": ""})]
    if action in ("text", "cut"):
        ev += [openai_chunk({"content": p}) for p in pieces(payload)]
        ev.append(openai_chunk({}, "stop" if action == "text" else
                               "length"))
    else:
        for i, (name, inp) in enumerate(payload):
            ev.append(openai_chunk({"tool_calls": [{
                "index": i, "id": "call_%d_%d" % (i, time.time_ns()),
                "type": "function",
                "function": {"name": name, "arguments": ""}}]}))
            args = json.dumps(inp)
            if action == "cuttool":
                args = args[:len(args) // 2]
            for p in pieces(args, 7):
                ev.append(openai_chunk({"tool_calls": [{
                    "index": i, "function": {"arguments": p}}]}))
        ev.append(openai_chunk({}, "tool_calls" if action == "tools" else
                               "length"))
    if usage:
        ev.append({"id": "chatcmpl-test", "object": "chat.completion.chunk",
                   "created": 0, "model": "test-model", "choices": [],
                   "usage": usage})
    return [(None, e) for e in ev] + [(None, "[DONE]")]


def openai_whole(events):
    """The one JSON completion the same answer is without streaming."""
    msg, finish, usage, calls = {"role": "assistant", "content": None}, \
        None, None, {}
    for _, d in events:
        if d == "[DONE]":
            continue
        if d.get("usage"):
            usage = d["usage"]
        for c in d.get("choices", []):
            delta = c.get("delta", {})
            if delta.get("content"):
                msg["content"] = (msg["content"] or "") + delta["content"]
            for tc in delta.get("tool_calls", []):
                call = calls.setdefault(tc["index"], {
                    "id": "", "type": "function",
                    "function": {"name": "", "arguments": ""}})
                call["id"] = tc.get("id") or call["id"]
                fn = tc.get("function", {})
                call["function"]["name"] += fn.get("name", "") \
                    if not call["function"]["name"] else ""
                call["function"]["arguments"] += fn.get("arguments", "")
            finish = c.get("finish_reason") or finish
    if calls:
        msg["tool_calls"] = [calls[i] for i in sorted(calls)]
    out = {"id": "chatcmpl-test", "object": "chat.completion", "created": 0,
           "model": "test-model", "choices": [{"index": 0, "message": msg,
                                               "finish_reason": finish}]}
    if usage:
        out["usage"] = usage
    return out


def openai_error(status, text=None):
    msg = {401: "Incorrect API key provided: wron************6789. You "
                "can find your API key at https://platform.example/keys.",
           400: "Invalid value for 'messages'.",
           429: "Rate limit reached for requests",
           503: "The server is overloaded, please try again later."}.get(
               status, "error %d" % status)
    kind = {401: "invalid_request_error", 400: "invalid_request_error",
            429: "requests", 503: "server_error"}.get(status, "server_error")
    return {"error": {"message": text or msg, "type": kind, "param": None,
                      "code": "invalid_api_key" if status == 401 else None}}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply_json(self, status, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        with lock:
            got = list(logs.get(parts[-1], []))
        if parts[0] == "log":
            return self.reply_json(200, got)
        if parts[0] == "count":
            return self.reply_json(200, len(got))
        self.reply_json(404, {"error": "no such route"})

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

    def send_events(self, events, crlf=False, tiny=False):
        nl = "\r\n" if crlf else "\n"
        for name, data in events:
            text = data if isinstance(data, str) else json.dumps(data)
            out = ""
            if crlf:
                out += ": a comment line" + nl
            if name:
                out += "event: " + name + nl
            if crlf and len(text) > 10:
                half = len(text) // 2
                # a JSON text may be split anywhere outside a string only,
                # so split at a comma that JSON ignores the LF around
                cut = text.find(",", half)
                if cut > 0:
                    out += "data: " + text[:cut + 1] + nl
                    out += "data:" + text[cut + 1:] + nl
                else:
                    out += "data: " + text + nl
            else:
                out += "data: " + text + nl
            out += nl
            raw = out.encode()
            if tiny:
                for i in range(0, len(raw), 3):
                    self.wfile.write(raw[i:i + 3])
                    self.wfile.flush()
            else:
                self.wfile.write(raw)
                self.wfile.flush()

    def do_POST(self):
        parts = self.path.strip("/").split("/", 1)
        name = parts[0]
        rest = "/" + (parts[1] if len(parts) > 1 else "")
        api = "anthropic" if rest == "/v1/messages" else \
            "openai" if rest == "/chat/completions" else None
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if api is None:
            return self.reply_json(404, {"error": "no such route"})
        try:
            req = json.loads(raw)
        except ValueError:
            return self.reply_json(400, {"error": "body is not JSON"})
        with lock:
            logs.setdefault(name, []).append(req)
            nth = len(logs[name])
        if api == "anthropic":
            ok = self.headers.get("x-api-key") == "test-key" and \
                self.headers.get("anthropic-version") == "2023-06-01"
        else:
            ok = self.headers.get("Authorization") == "Bearer test-key"
        if not ok:
            return self.reply_json(401, anthropic_error(401)
                                   if api == "anthropic" else
                                   openai_error(401))
        log = name
        whole = name.startswith("whole-")
        if whole:
            name = name[len("whole-"):]
        err = anthropic_error if api == "anthropic" else openai_error
        if api == "anthropic":
            try:
                inp, write, read = anthropic_cache(log, req)
            except CacheError as e:
                return self.reply_json(400, err(400, str(e)))
            usage = {"input_tokens": inp,
                     "cache_creation_input_tokens": write,
                     "cache_read_input_tokens": read}
        else:
            total, cached = openai_cache(log, req)
            usage = None
            if whole or req.get("stream_options", {}).get("include_usage"):
                usage = {"prompt_tokens": total, "completion_tokens": 7,
                         "total_tokens": total + 7,
                         "prompt_tokens_details": {"cached_tokens": cached}}
        action, payload = script(name, req, api, nth)
        name = name.split(".")[0]
        if action == "status":
            return self.reply_json(payload, err(payload),
                                   [("Retry-After", "0")])
        if action == "overloaded":
            st = 529 if api == "anthropic" else 503
            return self.reply_json(st, err(st), [("Retry-After", "0")])
        if action == "flaky":
            code, form = payload
            hdrs = {"secs": [("Retry-After", "0")],
                    "date": [("Retry-After", email.utils.formatdate(
                        time.time() + 1, usegmt=True))],
                    "ms": [("retry-after-ms", "50"), ("Retry-After", "30")],
                    "long": [("Retry-After", "120")],
                    "none": []}[form]
            return self.reply_json(code, err(code), hdrs)
        if action == "silent":
            time.sleep(30)
            return
        if action == "e500":
            return self.reply_json(500, {"type": "error", "error": {
                "type": "api_error", "message": "Internal server error"}},
                [("Retry-After", "0")])
        render = anthropic_events if api == "anthropic" else openai_events
        if action in ("text", "cut", "tools", "cuttool") and whole:
            evs = render(action, payload, usage)
            body = anthropic_whole(evs) if api == "anthropic" else \
                openai_whole(evs)
            return self.reply_json(200, body)
        self.start_stream()
        if action == "stall":
            self.send_events(render("text", "This answer stalls")[:3])
            time.sleep(30)
            return
        if action == "drop":
            self.send_events(render("text", "This answer never ends")[:5])
            self.close_connection = True
            return
        if action == "midstream":
            evs = render("text", "x")[:1]
            if api == "anthropic":
                evs.append(("error", {"type": "error", "error": {
                    "type": "overloaded_error", "message": "Overloaded"}}))
            else:
                evs.append((None, {"error": {"type": "server_error",
                                             "message": "overloaded"}}))
            self.send_events(evs)
            return
        if action == "badjson":
            self.wfile.write(b"event: message_start\ndata: {not json\n\n")
            return
        if action == "slow":
            evs = render("text", payload, usage)
            try:
                for i, e in enumerate(evs):
                    self.send_events([e])
                    if 2 <= i < len(evs) - 3:
                        time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.send_events(render(action, payload, usage),
                         crlf=(name == "crlf"), tiny=(name == "crlf"))


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # returns when the test closes our stdin
    server.shutdown()


if __name__ == "__main__":
    main()
