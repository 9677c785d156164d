#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/view/same_json.py - compare what the CLI printed with --json and
# what the HTTP API answered for the same objects, field by field, the
# order of an object's members aside (list order counts).
#
# Usage: same_json.py CLI_FILE API_FILE [MEMBER] [--skip FIELD]...
#   CLI_FILE   the CLI's output: one JSON document, or one per line
#              (`skill validate --json`); a single line is the document
#   API_FILE   the API's answer
#   MEMBER     the member of the API's answer that holds the objects (its
#              envelope: "skills" of {"skills": [...]}); none: all of it
#   --skip F   members named F may hold other values on each side (the
#              duration of two runs), but must be on both
# Prints one line per difference, "PATH: ..." and exits 1; or prints
# "N fields equal" and exits 0.  An empty list on both sides is a
# difference too: a comparison of nothing proves nothing.
import json
import sys


def load(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line]


def kind(v):
    # bool before int: True == 1 in Python, never in JSON
    for t, name in ((bool, 'boolean'), (int, 'integer'), (float, 'real'),
                    (str, 'string'), (list, 'array'), (dict, 'object')):
        if isinstance(v, t):
            return name
    return 'null'


def diff(cli, api, path, skip, out, count):
    if kind(cli) != kind(api):
        out.append(f'{path}: cli {kind(cli)} {json.dumps(cli)[:80]} != '
                   f'api {kind(api)} {json.dumps(api)[:80]}')
    elif isinstance(cli, dict):
        for k in sorted(set(cli) | set(api)):
            p = f'{path}.{k}'
            if k not in api:
                out.append(f'{p}: only in the cli')
            elif k not in cli:
                out.append(f'{p}: only in the api')
            elif k in skip:
                count[0] += 1
            else:
                diff(cli[k], api[k], p, skip, out, count)
    elif isinstance(cli, list):
        if len(cli) != len(api):
            out.append(f'{path}: cli has {len(cli)} items, api {len(api)}')
        for i, (a, b) in enumerate(zip(cli, api)):
            diff(a, b, f'{path}[{i}]', skip, out, count)
    elif cli != api:
        out.append(f'{path}: cli {json.dumps(cli)[:80]} != '
                   f'api {json.dumps(api)[:80]}')
    else:
        count[0] += 1


def main(argv):
    skip = set()
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == '--skip':
            skip.add(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    cli, api = load(args[0]), load(args[1])
    if len(args) > 2:
        api = api[args[2]]
    out, count = [], [0]
    if cli == [] and api == []:
        out.append('$: both are empty')
    diff(cli, api, '$', skip, out, count)
    for line in out:
        print(line)
    if not out:
        print(f'{count[0]} fields equal')
    return 1 if out else 0


sys.exit(main(sys.argv[1:]))
