#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bnity mcp serve` over stdio: the median time of a tools/call round trip
# (request line in, answer line out) for a trivial skill, local
# (in-process) and untrusted (a warm pooled worker), next to `bnity skill
# run` of the same skills; and the CPU the idle server spends watching
# its bot (the list_changed poll) with 20 skills attached.  Prints
# figures; asserts nothing.  Timings are noisy on a shared machine.
# Usage: bench/mcp/run.sh [BNITY] [N]
n=50
. "$(dirname "$0")/../lib.sh"
bench_init "$@"
"$bnity" skill list >/dev/null
mk() { # mk NAME TIER
  mkdir -p "$BNITY_HOME/skills/$1"
  printf -- '---\nname: %s\ndescription: echo for the bench\nmetadata:\n  type: tool\n  tier: %s\n---\nx\n' "$1" "$2" >"$BNITY_HOME/skills/$1/SKILL.md"
  cp "$top/bench/server/echo/skill.wat" "$BNITY_HOME/skills/$1/skill.wat"
  "$bnity" skill build "$1" >/dev/null
}
mk echo-untrusted untrusted
mk echo-local local
"$bnity" bot create mcp >/dev/null
for i in $(seq 18); do
  "$bnity" skill create "p$i" --description "prompt $i" >/dev/null
  "$bnity" skill attach "p$i" mcp >/dev/null
done
"$bnity" skill attach echo-local mcp >/dev/null
"$bnity" skill attach echo-untrusted mcp >/dev/null

python3 - "$bnity" "$n" <<'PY'
import json, os, subprocess, sys, time
bnity, n = sys.argv[1], int(sys.argv[2])
p = subprocess.Popen([bnity, "mcp", "serve"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
def rpc(i, method, params):
    p.stdin.write((json.dumps({"jsonrpc": "2.0", "id": i, "method": method,
                               "params": params}) + "\n").encode())
    p.stdin.flush()
    while True:
        m = json.loads(p.stdout.readline())
        if m.get("id") == i:
            return m
rpc(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                      "clientInfo": {"name": "bench", "version": "0"}})
def median(v):
    v = sorted(v)
    return v[len(v) // 2]
print(f"mcp tools/call round trip, median of {n} (microseconds):")
for tool in ("echo-local", "echo-untrusted"):
    t = []
    for i in range(n):
        s = time.perf_counter_ns()
        rpc(i + 1, "tools/call", {"name": tool, "arguments": {"text": "hi"}})
        t.append((time.perf_counter_ns() - s) // 1000)
    print(f"  {tool:16s} {median(t):8d}")
t = []
for i in range(n):
    s = time.perf_counter_ns()
    rpc(10000 + i, "tools/list", {})
    t.append((time.perf_counter_ns() - s) // 1000)
print(f"  tools/list (20 skills) {median(t):8d}")
def cpu():
    f = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
c0, w0 = cpu(), time.time()
time.sleep(10)
c1, w1 = cpu(), time.time()
print(f"idle server, 20 skills attached: {100 * (c1 - c0) / (w1 - w0):.2f}% "
      f"of one core ({1000 * (c1 - c0) / ((w1 - w0) * 2):.1f} ms CPU per "
      "500 ms watch)")
p.stdin.close()
p.wait()
PY
t_l=$(time_runs "$bnity" skill run echo-local --bot mcp --input '{"text":"hi"}' | median)
t_u=$(time_runs "$bnity" skill run echo-untrusted --bot mcp --input '{"text":"hi"}' | median)
printf 'skill run, median of %d (microseconds):\n' "$n"
printf '  echo-local       %8.0f\n' "$t_l"
printf '  echo-untrusted   %8.0f\n' "$t_u"
