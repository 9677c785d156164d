#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/sandbox/escape_test.sh - the escape suite.  Each probe (a native
# program from tests/sandbox/probes/) tries one attack under
# `bnity sandbox run`; the attack must be contained.  Prints TAP (one line
# per probe, `# SKIP` when this machine cannot run it) and a result table:
# probe, expected, observed, contained.
# Usage: escape_test.sh BNITY PROBES_DIR
set -u
bnity=$(realpath "$1")
probes=$(realpath "$2")

work=$(mktemp -d /tmp/bnity-escape.XXXXXX)
listener_pid=
unix_pid=
cleanup() {
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
  [ -n "$unix_pid" ] && kill "$unix_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"

# The world outside the sandbox.  File modes are permissive on purpose, so
# that what stops a probe is the confinement, not ordinary permissions.
scratch=$work/scratch            # the run's --write folder
home=$work/home                  # a user's HOME with a fake key
other=$work/skills/other-skill   # another skill's files
db=$work/bnity-home/bnity.db     # stands for the broker's database
outside=$work/outside            # a writable folder outside the sandbox
mkdir -p "$scratch" "$home/.ssh" "$other" "$(dirname "$db")" "$outside"
chown 65534:65534 "$scratch"
echo "-----BEGIN FAKE PRIVATE KEY-----" > "$home/.ssh/id_rsa"
echo "other skill's secret notes" > "$other/notes.txt"
echo "SQLite format 3 (stand-in)" > "$db"
echo "original" > "$outside/target.txt"
chmod 755 "$home" "$home/.ssh" "$(dirname "$db")" "$work/skills" "$other"
chmod 644 "$home/.ssh/id_rsa" "$other/notes.txt" "$db"
chmod 777 "$outside"
chmod 666 "$outside/target.txt"
broker_pid=$$

# A TCP listener on the host's loopback, for the connect probe.
port=
if command -v python3 >/dev/null; then
  # exec: LISTENER_PID is python itself, so cleanup() really ends it
  # (a leftover would hold meson's output pipe open).
  coproc LISTENER { exec python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(300)' 2>/dev/null; }
  listener_pid=$LISTENER_PID
  read -r port <&"${LISTENER[0]}"
fi

# Host services behind pathname UNIX sockets (like the D-Bus system bus
# and /dev/log): a stream listener and a datagram receiver, open to all.
unix_dir=$work/host-sockets
if command -v python3 >/dev/null; then
  mkdir -p "$unix_dir" && chmod 755 "$unix_dir"
  python3 -c '
import os, socket, sys, time
d = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(d + "/bus"); s.listen()
g = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); g.bind(d + "/log")
for n in ("bus", "log"): os.chmod(d + "/" + n, 0o777)
open(d + "/ready", "w").close(); time.sleep(300)' "$unix_dir" \
    >/dev/null 2>&1 </dev/null &
  unix_pid=$!
  for _ in $(seq 50); do [ -e "$unix_dir/ready" ] && break; sleep 0.1; done
fi

n=0
failed=0
table=()

# observe RC OUT ERR: one line saying what happened to the probe.
observe() {
  local rc=$1 out=$2 err=$3
  if [ "$rc" -eq 124 ]; then
    echo "limit: $(grep -o 'limit reached: [a-z-]*' <<<"$err" | head -n1 | sed 's/limit reached: //')"
  elif [ "$rc" -gt 128 ]; then
    echo "signal $((rc - 128))"
  elif [ -n "$out" ]; then
    tail -n1 <<<"$out"
  else
    echo "exit $rc: $(head -n1 <<<"$err")"
  fi
}

# probe NAME EXPECT-REGEX CHECK -- ARGS...: run `bnity sandbox run ARGS`.
# CHECK is a shell condition that must hold afterwards (":" for none).
probe() {
  local name=$1 expect=$2 check=$3 rc out err obs contained=yes
  shift 4
  out=$("$bnity" sandbox run "$@" 2>"$work/err" </dev/null); rc=$?
  err=$(cat "$work/err")
  obs=$(observe "$rc" "$out" "$err")
  if [ "$rc" -eq 99 ] || [[ $out == *ESCAPED* ]] || ! eval "$check"; then
    contained=no
  fi
  n=$((n + 1))
  if [ $contained = yes ] && [[ $obs =~ $expect ]]; then
    echo "ok $n - $name"
  else
    failed=$((failed + 1))
    echo "not ok $n - $name"
    echo "#   rc=$rc observed='$obs' expected=/$expect/ check='$check'"
    printf '%s\n' "$err" | head -n 5 | sed 's/^/#   err: /'
  fi
  table+=("$(printf '%-20s | %-30s | %-44s | %s' "$name" "$(label "$expect")" "${obs:0:44}" "$contained")")
}

# label REGEX: the expectation in words, for the table.
label() {
  case $1 in
    "$denied") echo "denied (EACCES/EPERM/EXDEV)" ;;
    "$seccomp") echo "killed: seccomp (SIGSYS)" ;;
    "$seccomp|$nosyscall") echo "SIGSYS, or SIGSEGV (no i386)" ;;
    *) sed -e 's/\^//g' -e 's/|/ or /g' <<<"$1" ;;
  esac
}

skip() {
  n=$((n + 1))
  echo "ok $n - $1 # SKIP $2"
  table+=("$(printf '%-20s | %-30s | %-44s | %s' "$1" "-" "skipped: $2" "-")")
}

# control NAME -- CMD...: the same attack unconfined must work, which
# shows the probe is able to escape at all.
control() {
  local name=$1 out rc
  shift 2
  out=$("$@" 2>&1 </dev/null); rc=$?
  n=$((n + 1))
  if [ "$rc" -eq 99 ] && [[ $out == *ESCAPED* ]]; then
    echo "ok $n - control: $name escapes when unconfined"
  else
    failed=$((failed + 1))
    echo "not ok $n - control: $name escapes when unconfined"
    echo "#   rc=$rc out=$out"
  fi
}

# cli NAME RC PATTERN ARGS...: `bnity sandbox ARGS` exits RC and its
# stdout+stderr match PATTERN.
cli() {
  local name=$1 want=$2 pat=$3 out rc
  shift 3
  out=$("$bnity" sandbox "$@" 2>&1 </dev/null); rc=$?
  n=$((n + 1))
  if [ "$rc" -eq "$want" ] && [[ $out =~ $pat ]]; then
    echo "ok $n - cli: $name"
  else
    failed=$((failed + 1))
    echo "not ok $n - cli: $name"
    echo "#   rc=$rc (want $want) out=${out:0:300}"
  fi
}

# --- the command itself ---------------------------------------------------
cli "no command is a usage error" 2 'name the command' run
cli "--net other than none is a usage error" 2 "only 'none'" run --net host -- /bin/true
cli "bad --memory is a usage error" 2 'bad size' run --memory lots -- /bin/true
cli "exit status is the program's" 7 '' run -- /bin/sh -c 'exit 7'
cli "a missing --read path fails (1), named" 1 'nonexistent-bnity' run --read /nonexistent-bnity -- /bin/true
cli "an unknown program fails (1), named" 1 'no-such-prog' run -- no-such-prog
cli "a --time limit exits 124, named" 124 'limit reached: time' run --time 0.3 -- /bin/sleep 5
cli "status --json" 0 '"landlock_abi"' status --json
cli "status says whether runs are confined" 0 'untrusted runs:' status

# The probes run as an unprivileged user, who may not be able to reach the
# build tree (a checkout in a 0700 folder): run copies from $work instead.
mkdir -p "$work/probes"
for p in fs net sys res; do
  cp "$probes/${p}_probes" "$work/probes/"
done
chmod 755 "$work/probes" "$work/probes"/*
probes=$work/probes
fs="$probes/fs_probes"; net="$probes/net_probes"
sys="$probes/sys_probes"; res="$probes/res_probes"
W=(--write "$scratch")
denied='^blocked: .*(Permission denied|Operation not permitted|Invalid cross-device link)'
seccomp='^limit: seccomp'
nosyscall='^signal 11$'

# --- the controls --------------------------------------------------------
control read-other-skill -- "$fs" read-file "$other/notes.txt"
[ -n "$port" ] && control tcp -- "$net" tcp "$port"
probe write-inside '^allowed' '[ -f "$scratch/inside" ]' -- "${W[@]}" -- "$fs" write-inside "$scratch"

# --- reading what is not ours -------------------------------------------
probe read-ssh-key "$denied" : -- "${W[@]}" -- "$fs" read-file "$home/.ssh/id_rsa"
probe read-etc-shadow "$denied" : -- "${W[@]}" -- "$fs" read-shadow
probe read-proc-1-environ "$denied|No such file" : -- "${W[@]}" -- "$fs" read-proc-environ
probe read-other-skill "$denied" : -- "${W[@]}" -- "$fs" read-file "$other/notes.txt"
probe read-broker-db "$denied" : -- "${W[@]}" -- "$fs" read-file "$db"

# --- writing outside ------------------------------------------------------
probe write-dotdot "$denied" '[ ! -e "$work/escape-dotdot" ]' -- "${W[@]}" -- "$fs" write-dotdot "$scratch"
probe write-absolute "$denied" '[ ! -e "$outside/abs-escape" ]' -- "${W[@]}" -- "$fs" write-abs "$outside/abs-escape"
probe write-symlink-out "$denied" '[ ! -e "$outside/via-symlink" ]' -- "${W[@]}" -- "$fs" write-symlink "$scratch" "$outside/via-symlink"
probe write-hardlink-out "$denied" '[ "$(cat "$outside/target.txt")" = original ]' -- "${W[@]}" -- "$fs" write-hardlink "$scratch" "$outside/target.txt"
probe rename-out "$denied" '[ ! -e "$outside/moved-out" ]' -- "${W[@]}" -- "$fs" rename-out "$scratch" "$outside"

# --- network --------------------------------------------------------------
probe tcp-connect "$denied" : -- "${W[@]}" --net none -- "$net" tcp "${port:-80}"
probe udp-socket "$denied" : -- "${W[@]}" -- "$net" udp
probe netlink-socket "$denied" : -- "${W[@]}" -- "$net" netlink
probe raw-socket "$denied" : -- "${W[@]}" -- "$net" raw
probe vsock-socket "$denied" : -- "${W[@]}" -- "$net" vsock
if [ -e "$unix_dir/ready" ]; then
  control unix-connect -- "$net" unix-connect "$unix_dir/bus"
  probe unix-connect "$denied|$seccomp" : -- "${W[@]}" -- "$net" unix-connect "$unix_dir/bus"
  probe unix-dgram "$denied|$seccomp" : -- "${W[@]}" -- "$net" unix-dgram "$unix_dir/log"
fi

# --- system calls ---------------------------------------------------------
if [ "$(uname -m)" = x86_64 ]; then
  # A kernel without 32-bit emulation (IA32_EMULATION off, or
  # ia32_emulation=0) raises SIGSEGV on `int 0x80` before any filter sees
  # it; one with it reaches seccomp, which kills the worker with SIGSYS.
  # Both keep the call from running; only "it ran" (ESCAPED) fails.
  probe int80-i386-syscall "$seccomp|$nosyscall" : -- "${W[@]}" -- "$sys" int80
  probe x32-syscall "$seccomp" : -- "${W[@]}" -- "$sys" x32
else
  skip int80-i386-syscall "not x86_64"
  skip x32-syscall "not x86_64"
fi
probe io-uring-setup "$seccomp" : -- "${W[@]}" -- "$sys" io-uring
probe ptrace-broker "$seccomp" : -- "${W[@]}" -- "$sys" ptrace "$broker_pid"
probe process-vm-readv "$seccomp" : -- "${W[@]}" -- "$sys" vm-readv "$broker_pid"
probe kill-broker '^blocked: .*(No such process|Operation not permitted)' : -- "${W[@]}" -- "$sys" kill-broker "$broker_pid"
probe setuid0-capset '^blocked' : -- "${W[@]}" -- "$sys" setuid0
for b in /usr/bin/su /usr/bin/passwd; do
  if [ -u "$b" ]; then
    case $b in
      */su) a=(root -c /bin/true) ;;
      *) a=(-S root) ;;
    esac
    probe "setuid-$(basename "$b")" '^blocked|^limit: seccomp' : -- "${W[@]}" -- "$sys" setuid-bin "$b" "${a[@]}"
  else
    skip "setuid-$(basename "$b")" "no setuid-root $b"
  fi
done
probe nested-userns "$seccomp" : -- "${W[@]}" -- "$sys" userns
probe ioctl-tiocsti "$seccomp" : -- "${W[@]}" -- "$sys" tiocsti

# --- resources ------------------------------------------------------------
probe fork-bomb '^limit: (pids|time)' : -- "${W[@]}" --time 3 -- "$res" fork-bomb
probe memory-bomb '^limit: memory|^blocked: malloc' : -- "${W[@]}" --memory 64m -- "$res" memory-bomb
probe fd-exhaustion '^blocked: Too many open files' : -- "${W[@]}" -- "$res" fd-exhaust 64
probe disk-fill '^limit: file-size|^blocked: File too large' '[ "$(stat -c %s "$scratch/fill")" -le 67108864 ]' -- "${W[@]}" -- "$res" disk-fill "$scratch" 67108864

# --- the table ------------------------------------------------------------
echo "# $(printf '%-20s | %-30s | %-44s | %s' probe expected observed contained)"
for row in "${table[@]}"; do
  echo "# $row"
done
echo "1..$n"
[ "$failed" -eq 0 ]
