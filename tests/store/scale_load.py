#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/store/scale_load.py - load on bnity serve replicas that records
every request, for the scale test and bench/scale/run.sh.

  scale_load.py --url BASE [--url BASE ...] --until FILE [--conns N]
                [--path PATH] [--body JSON] --log FILE

N connections (default 8), each on one replica in turn (connection i on
BASE i mod the number given), POST PATH with the bearer token of
$BNITY_TOKEN until FILE exists.  Every request is a line of LOG:
"START END REPLICA STATUS AUDIT_ID" (times in seconds since the epoch,
STATUS 0 when the connection failed, AUDIT_ID the run's audit record of
a 200 or -); ERRORS, when given, has a line "STATUS BODY" for every
answer but a 200.  A failed connection is opened again at the next
request.

  scale_load.py --summary LOG [--after T] [--replicas N]

prints, per replica, the requests, the 200s and the errors, and of the
requests begun at or after time T (default 0) the 200s, the errors and
the end of the first and the last 200, as JSON.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def worker(i, args, out, errs, lock):
    base = urllib.parse.urlsplit(args.url[i % len(args.url)])
    headers = {"Authorization": "Bearer " + os.environ["BNITY_TOKEN"],
               "Content-Type": "application/json"}
    conn = None
    while not os.path.exists(args.until):
        t0 = time.time()
        status, audit = 0, "-"
        try:
            if conn is None:
                conn = http.client.HTTPConnection(base.hostname, base.port,
                                                  timeout=30)
            conn.request("POST", args.path, args.body, headers)
            resp = conn.getresponse()
            data = resp.read()
            status = resp.status
            if status == 200:
                audit = str(json.loads(data).get("audit_id", "-"))
            elif errs is not None:
                with lock:
                    errs.write("%d %s\n" % (status, data.decode(
                        "utf-8", "replace").replace("\n", " ")))
        except (OSError, http.client.HTTPException, ValueError):
            if conn is not None:
                conn.close()
            conn = None
            # a replica that is gone refuses at once: do not spin
            time.sleep(0.05)
        t1 = time.time()
        with lock:
            out.write("%.6f %.6f %d %d %s\n" % (t0, t1, i % len(args.url),
                                               status, audit))
            out.flush()       # read while the load goes on
    if conn is not None:
        conn.close()


def load(args):
    lock = threading.Lock()
    errs = open(args.errors, "w") if args.errors else None
    with open(args.log, "w") as out:
        threads = [threading.Thread(target=worker,
                                    args=(i, args, out, errs, lock))
                   for i in range(args.conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errs is not None:
        errs.close()


def summary(args):
    reps = [{"requests": 0, "ok": 0, "errors": 0, "statuses": {},
             "ok_after": 0, "first_ok_after": None, "last_ok": None,
             "errors_after": 0}
            for _ in range(args.replicas)]
    with open(args.summary) as f:
        for line in f:
            if not line.endswith("\n") or len(line.split()) != 5:
                continue      # a line being written
            t0, t1, rep, status, _ = line.split()
            r = reps[int(rep)]
            r["requests"] += 1
            r["statuses"][status] = r["statuses"].get(status, 0) + 1
            if status == "200":
                r["ok"] += 1
                if float(t0) >= args.after:
                    r["ok_after"] += 1
                    end = float(t1)
                    if r["first_ok_after"] is None or end < r["first_ok_after"]:
                        r["first_ok_after"] = end
                    if r["last_ok"] is None or end > r["last_ok"]:
                        r["last_ok"] = end
            else:
                r["errors"] += 1
                if float(t0) >= args.after:
                    r["errors_after"] += 1
    json.dump(reps, sys.stdout)
    print()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", action="append", default=[])
    p.add_argument("--until")
    p.add_argument("--conns", type=int, default=8)
    p.add_argument("--path", default="/api/v1/skills/echo/run")
    p.add_argument("--body", default='{"input": {"text": "load"}}')
    p.add_argument("--log")
    p.add_argument("--errors")
    p.add_argument("--summary")
    p.add_argument("--after", type=float, default=0.0)
    p.add_argument("--replicas", type=int, default=2)
    args = p.parse_args()
    if args.summary:
        summary(args)
    elif args.url and args.until and args.log:
        load(args)
    else:
        p.error("give --url, --until and --log, or --summary")


if __name__ == "__main__":
    main()
