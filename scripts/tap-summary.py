#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Count TAP results of meson tests (testlog.json files) and extra TAP files.

A test binary that printed no TAP line counts as one result, judged by its
exit status.  Prints the skipped ones with their reasons, then the last line
"tests: N passed, N failed[, N skipped]"; exits 1 when anything failed.
"""
import json
import re
import sys

ok = re.compile(r'^ok\b.*?(#\s*SKIP\b\s*(.*))?$', re.I)
notok = re.compile(r'^not ok\b(.*)$')
passed = failed = skipped = 0
skips, fails = [], []


def count(source, text, exit_ok):
    global passed, failed, skipped
    seen = 0
    for line in text.splitlines():
        m = ok.match(line)
        if m:
            seen += 1
            if m.group(1):
                skipped += 1
                skips.append(f'{source}: {line}')
            else:
                passed += 1
            continue
        m = notok.match(line)
        if m:
            seen += 1
            failed += 1
            fails.append(f'{source}: {line}')
    plan_skip = re.search(r'^1\.\.0\s*#\s*SKIP\b\s*(.*)$', text, re.M | re.I)
    if seen == 0 and plan_skip and exit_ok:
        skipped += 1
        skips.append(f'{source}: {plan_skip.group(1)}')
    elif seen == 0:
        if exit_ok:
            passed += 1
        else:
            failed += 1
            fails.append(f'{source}: failed with no TAP output')
    elif not exit_ok and not any(f.startswith(source + ':') for f in fails):
        failed += 1
        fails.append(f'{source}: exited with failure after its TAP lines')


for arg in sys.argv[1:]:
    # [LABEL=]PATH: a meson testlog.json, or a TAP file; LABEL names the
    # build in front of each test's name (the gcc pass: "gcc/spec")
    label, _, path = arg.rpartition('=')
    prefix = label + '/' if label else ''
    if path.endswith('.json'):
        try:
            lines = open(path).read().splitlines()
        except OSError:
            count(prefix + path, '', False)
            continue
        for line in lines:
            t = json.loads(line)
            count(prefix + t['name'], t.get('stdout') or '',
                  t['result'] in ('OK', 'EXPECTEDFAIL', 'SKIP'))
        continue
    try:
        text = open(path).read()
    except OSError:
        continue
    if text.strip():
        count(prefix + path, text, True)

for s in skips:
    print('skipped:', s)
for f in fails:
    print('FAILED:', f)
line = f'tests: {passed} passed, {failed} failed'
if skipped:
    line += f', {skipped} skipped'
print(line)
sys.exit(1 if failed else 0)
