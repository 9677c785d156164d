// SPDX-License-Identifier: MIT
// tests/mcp/mcp_test.mjs - `bnity mcp serve` as the official MCP SDK
// client sees it, over stdio and Streamable HTTP; raw JSON-RPC for bad
// input; `bnity mcp config --write`.  Prints TAP.
// Usage: node mcp_test.mjs BNITY WORK (run.sh prepares WORK).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const [bnity, work] = process.argv.slice(2);
const env = { ...process.env };
let n = 0, failed = 0;
function check(name, ok, detail) {
  n++;
  if (!ok) failed++;
  console.log(`${ok ? 'ok' : 'not ok'} ${n} - ${name}`);
  if (!ok && detail !== undefined)
    console.log(`# ${String(typeof detail === 'string' ? detail : JSON.stringify(detail)).split('\n').join('\n# ')}`);
}
function cli(...args) {
  try {
    return { rc: 0, out: execFileSync(bnity, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { rc: e.status, out: String(e.stdout), err: String(e.stderr) };
  }
}
function audit(skill) {
  return JSON.parse(cli('audit', '--json', '--skill', skill).out);
}
const text = (res) => (res.content || []).map((c) => c.text || '').join('\n');
async function until(what, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return true;
    await sleep(50);
  }
  return false;
}
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

// The whole flow a client goes through, over either transport.
async function flow(client, how, stderr) {
  const tools = (await client.listTools()).tools;
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  check(`${how}: tools/list lists the enabled tool skills`,
    ['echo-tool', 'fetch-page', 'slow-tool'].every((t) => byName[t]) && !byName.notes && !byName.shout,
    tools.map((t) => t.name));
  const echo = byName['echo-tool'] || {};
  check(`${how}: a tool's inputSchema is its schema.json`,
    echo.inputSchema?.type === 'object' && echo.inputSchema?.properties?.text?.type === 'string', echo);
  check(`${how}: fetch-page's inputSchema requires url`,
    JSON.stringify(byName['fetch-page']?.inputSchema?.required) === '["url"]', byName['fetch-page']);
  check(`${how}: output-schema.json gives outputSchema`,
    echo.outputSchema?.required?.[0] === 'text', echo);
  check(`${how}: annotations follow the capabilities`,
    echo.annotations?.readOnlyHint === true && echo.annotations?.openWorldHint === false &&
    byName['fetch-page']?.annotations?.readOnlyHint === true, tools.map((t) => t.annotations));

  const ok = await client.callTool({ name: 'echo-tool', arguments: { text: `hello ${how}` } });
  check(`${how}: tools/call returns the skill's output`,
    !ok.isError && text(ok).includes(`hello ${how}`), ok);
  check(`${how}: and its structuredContent`, ok.structuredContent?.text === `hello ${how}`, ok);

  const bad = await client.callTool({ name: 'echo-tool', arguments: {} });
  check(`${how}: a failing call is isError with the reason`,
    bad.isError === true && text(bad).includes('expected'), bad);

  const denied = await client.callTool({ name: 'fetch-page', arguments: { url: 'http://127.0.0.1:9/' } });
  check(`${how}: a refused capability is isError naming the grant and the command`,
    denied.isError === true && text(denied).includes('http_get') &&
    text(denied).includes('bnity skill grant fetch-page http_get=http://127.0.0.1:9 --bot mcp'), denied);
  const runs = audit('fetch-page');
  const last = runs[0] || {};
  check(`${how}: the refusal is in the audit log, with the client's name`,
    (last.calls || []).some((c) => c.capability === 'http_get' && c.allowed === false) &&
    last.client === 'bnity-mcp-test', last);

  const prompts = (await client.listPrompts()).prompts;
  check(`${how}: prompts/list serves the prompt skill`,
    prompts.length === 1 && prompts[0].name === 'notes' && prompts[0].description === 'How we take notes', prompts);
  const p = await client.getPrompt({ name: 'notes' });
  check(`${how}: prompts/get returns its instructions`,
    p.messages?.[0]?.role === 'user' && p.messages[0].content.type === 'text' &&
    p.messages[0].content.text.length > 0, p);
  const resources = (await client.listResources()).resources.map((r) => r.uri);
  check(`${how}: resources list SKILL.md and its files`,
    resources.includes('skill://notes/SKILL.md') && resources.includes('skill://notes/references/guide.md'), resources);
  const guide = await client.readResource({ uri: 'skill://notes/references/guide.md' });
  check(`${how}: resources/read reads one`, guide.contents?.[0]?.text?.includes('Write short notes.'), guide);
  let missing = null;
  try { await client.readResource({ uri: 'skill://notes/../../etc/passwd' }); } catch (e) { missing = e; }
  check(`${how}: a resource outside the skill is not found`, missing && missing.code === -32002, String(missing));

  // progress, then cancellation: the worker ends, the record says so
  const ac = new AbortController();
  const progress = [];
  const call = client.callTool({ name: 'slow-tool', arguments: {} }, undefined,
    { signal: ac.signal, onprogress: (pr) => progress.push(pr), timeout: 60000 });
  const gotProgress = await until(() => progress.length >= 2, 8000);
  check(`${how}: a long call sends progress (start, then while running)`,
    gotProgress && progress[1].progress > progress[0].progress, progress);
  ac.abort('test cancels');
  let cancelErr = null;
  try { await call; } catch (e) { cancelErr = e; }
  check(`${how}: the cancelled call rejects on the client`, cancelErr !== null);
  let rec = {};
  const recorded = await until(() => {
    rec = audit('slow-tool')[0] || {};
    return rec.outcome === 'cancelled';
  });
  check(`${how}: the audit record of the call ends as cancelled`, recorded && rec.duration_ms < 9000, rec);
  if (stderr) {
    let pid = 0;
    await until(() => {
      const m = stderr.text.match(/cancelled: worker (\d+) ended/);
      pid = m ? Number(m[1]) : 0;
      return pid > 0;
    });
    check(`${how}: cancellation ends the worker process`, pid > 0 && !alive(pid),
      `pid ${pid}; stderr: ${stderr.text}`);
  }
}

// ---- stdio, with the SDK ----------------------------------------------------
async function stdio() {
  const transport = new StdioClientTransport({ command: bnity, args: ['mcp', 'serve'], env, stderr: 'pipe' });
  const stderr = { text: '' };
  transport.stderr.on('data', (d) => { stderr.text += d; });
  const client = new Client({ name: 'bnity-mcp-test', version: '1.0.0' });
  let changed = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed++; });
  await client.connect(transport);
  check('stdio: initialize agrees on a protocol version the SDK speaks',
    ['2025-06-18', '2025-03-26'].includes(transport._protocolVersion ?? client._protocolVersion ?? '2025-06-18') &&
    client.getServerVersion()?.name === 'boternity', client.getServerVersion());
  check('stdio: the server says it announces list changes',
    client.getServerCapabilities()?.tools?.listChanged === true, client.getServerCapabilities());
  await flow(client, 'stdio', stderr);
  // list_changed after another process attaches a skill
  const r = cli('skill', 'attach', 'shout', 'mcp');
  const noticed = await until(() => changed > 0, 10000);
  check('stdio: list_changed after `bnity skill attach` in another process', r.rc === 0 && noticed, r);
  const tools = (await client.listTools()).tools.map((t) => t.name);
  check('stdio: and the new tool is listed', tools.includes('shout'), tools);
  const shout = await client.callTool({ name: 'shout', arguments: { text: 'quiet' } });
  check('stdio: the new tool runs', !shout.isError && text(shout).includes('QUIET'), shout);
  cli('skill', 'disable', 'shout', 'mcp');
  const before = changed;
  check('stdio: disabling it is noticed too', await until(() => changed > before, 10000));
  await client.close();
}

// ---- raw JSON-RPC over stdio: bad input ---------------------------------------
async function raw() {
  const child = spawn(bnity, ['mcp', 'serve'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  const lines = [];
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { lines.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
  });
  const send = (s) => child.stdin.write(s + '\n');
  // the next answer; notifications (list_changed) are not what is asked
  const next = async () => {
    for (;;) {
      if (!await until(() => lines.length > 0)) return undefined;
      const m = lines.shift();
      if (m.id !== undefined) return m;
    }
  };
  send('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
  let m = await next();
  check('raw: a request before initialize is refused', m?.error?.code === -32600 && m.id === 1, m);
  send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize',
    params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }));
  m = await next();
  check('raw: 2025-03-26 is negotiated when asked for', m?.result?.protocolVersion === '2025-03-26', m);
  send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  send('{"jsonrpc":"2.0","id":3,"method":"tools/list"}');
  m = await next();
  const echo = (m?.result?.tools || []).find((t) => t.name === 'echo-tool');
  check('raw: at 2025-03-26 a tool has no outputSchema', echo && !echo.outputSchema, m);
  send('{"jsonrpc":"2.0","id":4,"method":');
  m = await next();
  check('raw: malformed JSON is a parse error (-32700)', m?.error?.code === -32700 && m.id === null, m);
  send('[{"jsonrpc":"2.0","id":5,"method":"ping"}]');
  m = await next();
  check('raw: a batch is an invalid request (-32600)', m?.error?.code === -32600, m);
  send('{"jsonrpc":"1.0","id":6,"method":"ping"}');
  m = await next();
  check('raw: a wrong jsonrpc version is an invalid request', m?.error?.code === -32600 && m.id === 6, m);
  send('{"jsonrpc":"2.0","id":7,"method":"tools/destroy"}');
  m = await next();
  check('raw: an unknown method is -32601', m?.error?.code === -32601 && m.id === 7, m);
  const runsBefore = audit('word-count').length;
  send('{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"word-count","arguments":{}}}');
  m = await next();
  check('raw: a tool not attached is -32602', m?.error?.code === -32602 && m.id === 8, m);
  send('{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo-tool","arguments":"x"}}');
  m = await next();
  check('raw: arguments that are not an object are -32602', m?.error?.code === -32602, m);
  check('raw: nothing ran for them (no audit record)', audit('word-count').length === runsBefore);
  send('{"jsonrpc":"2.0","id":10,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}');
  m = await next();
  check('raw: a second initialize is refused', m?.error?.code === -32600, m);
  child.stdin.write('{"jsonrpc":"2.0","id":11,"method":"ping","params":{"pad":"' + 'x'.repeat(5 << 20) + '"}}\n');
  m = await next();
  check('raw: an oversized message is refused (-32600)', m?.error?.code === -32600 && /over \d+ bytes/.test(m.error.message), m);
  send('{"jsonrpc":"2.0","id":12,"method":"ping"}');
  m = await next();
  check('raw: the session goes on after it', m?.id === 12 && m.result !== undefined, m);
  child.stdin.write('\r\n\n{"jsonrpc":"2.0","id":13,"method":"ping"}\r\n');
  m = await next();
  check('raw: CRLF line ends and blank lines are taken', m?.id === 13 && m.result !== undefined, m);
  child.stdin.write('{"jsonrpc":"2.0","id":14,');
  await sleep(100);
  child.stdin.write('"method":"ping"}\n');
  m = await next();
  check('raw: a message split across reads is one message', m?.id === 14 && m.result !== undefined, m);
  // a call in flight when stdin ends still answers; a last line needs no newline
  child.stdin.end('{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"echo-tool","arguments":{"text":"bye"}}}');
  m = await next();
  check('raw: a last line without its newline is served, and its call answers after stdin ends',
    m?.id === 15 && JSON.stringify(m.result?.content || '').includes('bye'), m);
  const code = await new Promise((res) => child.exitCode !== null ? res(child.exitCode) : child.on('exit', res));
  check('raw: the server exits 0 when stdin ends', code === 0, code);
}

// ---- Streamable HTTP ------------------------------------------------------------
async function http() {
  const server = spawn(bnity, ['mcp', 'serve', '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const stderr = { text: '' };
  server.stdout.on('data', (d) => { out += d; });
  server.stderr.on('data', (d) => { stderr.text += d; });
  await until(() => /listening on (\S+)/.test(out));
  const url = (out.match(/listening on (\S+)/) || [])[1];
  check('http: serves on loopback and prints its URL', !!url && url.startsWith('http://127.0.0.1:'), out + stderr.text);
  if (!url) { server.kill(); return; }
  const token = readFileSync(`${process.env.BNITY_HOME}/api-token`, 'utf8').trim();
  const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '0' } } });
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
  let r = await fetch(url, { method: 'POST', headers, body: init });
  check('http: no token is 401', r.status === 401, r.status);
  r = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: 'Bearer ' + '0'.repeat(64) }, body: init });
  check('http: a wrong token is 401', r.status === 401, r.status);
  r = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: `Bearer ${token}`, Origin: 'https://evil.example' }, body: init });
  check('http: a foreign Origin is 403', r.status === 403, r.status);
  r = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: `Bearer ${token}`, Origin: 'http://localhost:6274' }, body: init });
  const sid = r.headers.get('mcp-session-id');
  check('http: a loopback Origin with the token starts a session', r.status === 200 && !!sid, r.status);
  r = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: `Bearer ${token}` },
    body: '{"jsonrpc":"2.0","id":2,"method":"ping"}' });
  check('http: a request without Mcp-Session-Id is 400', r.status === 400, r.status);
  r = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: `Bearer ${token}`, 'Mcp-Session-Id': 'nope' },
    body: '{"jsonrpc":"2.0","id":2,"method":"ping"}' });
  check('http: an unknown session is 404', r.status === 404, r.status);
  r = await fetch(url, { method: 'DELETE', headers: { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': sid } });
  check('http: DELETE ends a session', r.status === 200, r.status);

  // a named token (a user's): accepted, recorded in the audit log as the
  // caller, bound to the session it opened, refused once revoked
  const made = cli('token', 'create', 'mcp-user', '--role', 'user', '--json');
  const named = made.rc === 0 ? JSON.parse(made.out).token : '';
  check('http: a named token is made', !!named, made);
  const as = (t, extra = {}) => ({ ...headers, Authorization: `Bearer ${t}`, ...extra });
  r = await fetch(url, { method: 'POST', headers: as(named), body: init });
  const nsid = r.headers.get('mcp-session-id');
  check('http: a named token starts a session', r.status === 200 && !!nsid, r.status);
  await fetch(url, { method: 'POST', headers: as(named, { 'Mcp-Session-Id': nsid }),
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' });
  const call = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call',
    params: { name: 'echo-tool', arguments: { text: 'by a named token' } } });
  r = await fetch(url, { method: 'POST', headers: as(token, { 'Mcp-Session-Id': nsid }), body: call });
  check('http: another token cannot use that session (403)', r.status === 403, r.status);
  r = await fetch(url, { method: 'POST', headers: as(named, { 'Mcp-Session-Id': nsid }), body: call });
  const answer = await r.text();
  check('http: the named token calls a tool', r.status === 200 && answer.includes('by a named token'), answer);
  const rec = audit('echo-tool').find((x) => x.actor === 'mcp-user');
  check('http: the audit record names the token', !!rec, audit('echo-tool').map((x) => x.actor));
  cli('token', 'revoke', 'mcp-user');
  r = await fetch(url, { method: 'POST', headers: as(named, { 'Mcp-Session-Id': nsid }), body: call });
  check('http: a revoked token is refused on its next request (401)', r.status === 401, r.status);

  const transport = new StreamableHTTPClientTransport(new URL(url),
    { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'bnity-mcp-test', version: '1.0.0' });
  let changed = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed++; });
  await client.connect(transport);
  check('http: the SDK client initializes', client.getServerVersion()?.name === 'boternity');
  await flow(client, 'http', stderr);
  check('http: calls with the api-token file\'s token are recorded as "serve", over stdio as "local"',
    audit('echo-tool').some((x) => x.actor === 'serve') && audit('echo-tool').some((x) => x.actor === 'local'),
    audit('echo-tool').map((x) => x.actor));
  await sleep(300);  // the GET stream is open by now
  cli('skill', 'enable', 'shout', 'mcp');
  check('http: list_changed comes on the GET stream', await until(() => changed > 0, 10000));
  await client.close();
  server.kill('SIGTERM');
  const code = await new Promise((res) => server.on('exit', (c) => res(c)));
  check('http: SIGTERM stops it cleanly', code === 0, `${code} ${stderr.text}`);
}

// ---- mcp config ----------------------------------------------------------------
function config() {
  let r = cli('mcp', 'config', '--agent', 'claude-code');
  let j = r.rc === 0 ? JSON.parse(r.out) : {};
  check('config: claude-code snippet', j.mcpServers?.boternity?.command === bnity ||
    j.mcpServers?.boternity?.args?.join(' ') === 'mcp serve', r);
  r = cli('mcp', 'config', '--agent', 'vscode', '--bot', 'helper');
  j = r.rc === 0 ? JSON.parse(r.out) : {};
  check('config: vscode uses "servers" and passes --bot',
    j.servers?.boternity?.args?.join(' ') === 'mcp serve --bot helper', r);
  r = cli('mcp', 'config', '--agent', 'codex');
  check('config: codex snippet is a TOML table', r.rc === 0 && r.out.startsWith('[mcp_servers.boternity]') &&
    r.out.includes('args = ["mcp", "serve"]'), r);
  r = cli('mcp', 'config', '--agent', 'emacs');
  check('config: an unknown agent is a usage error naming the choices', r.rc === 2 && r.err.includes('claude-code'), r);

  const proj = `${work}/project`;
  writeFileSync(`${proj}/.mcp.json`, JSON.stringify({ mcpServers: { other: { command: 'x' } }, keep: 1 }));
  r = cli('mcp', 'config', '--agent', 'claude-code', '--write');
  j = JSON.parse(readFileSync(`${proj}/.mcp.json`, 'utf8'));
  check('config --write merges into .mcp.json, keeping other entries',
    r.rc === 0 && j.mcpServers.other?.command === 'x' && j.keep === 1 && j.mcpServers.boternity?.type === 'stdio', j);
  r = cli('mcp', 'config', '--agent', 'claude-code', '--write', '--bot', 'b2');
  j = JSON.parse(readFileSync(`${proj}/.mcp.json`, 'utf8'));
  check('config --write again replaces its own entry', r.out.includes('replaced') &&
    j.mcpServers.boternity.args.join(' ') === 'mcp serve --bot b2' && Object.keys(j.mcpServers).length === 2, j);
  mkdirSync(`${proj}/.vscode`, { recursive: true });
  writeFileSync(`${proj}/.vscode/mcp.json`, '{ // a comment\n "servers": {} }');
  r = cli('mcp', 'config', '--agent', 'vscode', '--write');
  check('config --write refuses a file it cannot parse, naming it', r.rc === 1 && r.err.includes('.vscode/mcp.json') &&
    readFileSync(`${proj}/.vscode/mcp.json`, 'utf8').includes('// a comment'), r);
  r = cli('mcp', 'config', '--agent', 'cursor', '--write');
  check('config --write creates .cursor/mcp.json', r.rc === 0 && existsSync(`${proj}/.cursor/mcp.json`), r);
  mkdirSync(`${process.env.HOME}/.codex`, { recursive: true });
  const toml = `${process.env.HOME}/.codex/config.toml`;
  writeFileSync(toml, 'model = "o3"\n\n[mcp_servers.other]\ncommand = "x"\nargs = [\n  "a",\n]\n');
  r = cli('mcp', 'config', '--agent', 'codex', '--write');
  let t = readFileSync(toml, 'utf8');
  check('config --write appends to config.toml, keeping the rest', r.rc === 0 &&
    t.startsWith('model = "o3"\n\n[mcp_servers.other]\ncommand = "x"\nargs = [\n  "a",\n]\n') &&
    t.includes('[mcp_servers.boternity]'), t);
  r = cli('mcp', 'config', '--agent', 'codex', '--write', '--bot', 'b3');
  t = readFileSync(toml, 'utf8');
  check('config --write replaces its table in config.toml', r.rc === 0 &&
    t.split('[mcp_servers.boternity]').length === 2 && t.includes('"--bot", "b3"') && t.includes('[mcp_servers.other]'), t);
  writeFileSync(toml, 'this is not toml\n');
  r = cli('mcp', 'config', '--agent', 'codex', '--write');
  check('config --write refuses a config.toml it cannot read', r.rc === 1 && r.err.includes('config.toml:1') &&
    readFileSync(toml, 'utf8') === 'this is not toml\n', r);
}

try {
  await stdio();
  await raw();
  await http();
  config();
} catch (e) {
  check('no exception', false, e.stack || String(e));
}
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
