// SPDX-License-Identifier: MIT
// web/api.js - calls to /api/v1 with the bearer token kept in
// sessionStorage (gone when the tab closes), and the streamed chat.

const KEY = 'bnity-token';

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(t) {
  if (t) sessionStorage.setItem(KEY, t);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(json) {
  const h = { Authorization: `Bearer ${token()}` };
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

async function check(resp) {
  if (resp.ok) return resp;
  let msg = `${resp.status} ${resp.statusText}`;
  try {
    const j = await resp.json();
    if (j && j.error) msg = j.error;
  } catch (e) { /* not JSON: keep the status */ }
  if (resp.status === 401) window.dispatchEvent(new Event('bnity-logout'));
  throw new ApiError(resp.status, msg);
}

// api('GET', '/skills') -> parsed JSON (or null for an empty reply)
export async function api(method, path, body) {
  const resp = await check(await fetch(`/api/v1${path}`, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  }));
  const text = await resp.text();
  return text ? JSON.parse(text) : null;
}

export function q(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
}

// Stream one chat turn: onEvent(name, data) for each server-sent event.
export function chat(bot, message, session, onEvent, signal) {
  return stream(`/bots/${encodeURIComponent(bot)}/chat`,
    { message, session: session || null }, onEvent, signal);
}

// POST BODY to PATH and call onEvent(name, data) for each server-sent
// event of the answer (a chat turn, or a resumed one).
export async function stream(path, body, onEvent, signal) {
  const resp = await check(await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: headers(true),
    body: JSON.stringify(body),
    signal,
  }));
  const reader = resp.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'event') name = val;
        else if (field === 'data') data.push(val);
      }
      if (data.length) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}
