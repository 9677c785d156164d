#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/agent/pty_chat.py - drive interactive `bnity chat` in a
# pseudo-terminal, for tests/cli/turns_test.sh: Ctrl-C as a terminal sends
# it (the line discipline turns ^C into SIGINT while a turn runs).
#
#   pty_chat.py STEPS -- COMMAND...
# STEPS is a JSON array of ["expect", TEXT] (wait up to 60 s for TEXT in
# the output since the last expect), ["send", TEXT] (written as typed;
# "\u0003" is Ctrl-C) and ["sleep", SECONDS].  Prints the whole output,
# then "EXIT N" (N the exit status, or 128 + the signal), and exits 0; 1
# when an expect timed out (the output so far is printed).
import json
import os
import pty
import select
import sys
import time


def main():
    steps = json.loads(sys.argv[1])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(cmd[0], cmd)
    out = b""
    mark = 0

    def pump(timeout):
        nonlocal out
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        out += data
        return True

    ok = True
    for kind, arg in steps:
        if kind == "send":
            os.write(fd, arg.encode())
        elif kind == "sleep":
            end = time.time() + arg
            while time.time() < end and pump(0.05):
                pass
        elif kind == "expect":
            end = time.time() + 60
            want = arg.encode()
            while want not in out[mark:] and time.time() < end:
                if not pump(0.1):
                    break
            i = out.find(want, mark)
            if i < 0:
                ok = False
                break
            mark = i + len(want)
    # read until the child closes the terminal (it exited), 60 s at most
    end = time.time() + 60
    while time.time() < end and pump(0.1):
        pass
    if time.time() >= end:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else \
        128 + os.WTERMSIG(status)
    sys.stdout.write(out.decode("utf-8", "replace"))
    print("\nEXIT %d" % code)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
