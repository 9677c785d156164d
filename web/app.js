// SPDX-License-Identifier: MIT
// web/app.js - the UI's behaviour: log-in, tabs, skills (attach, enable,
// detach, run, discover and install with capability approval, grants and
// limits per bot), bots, streamed chat and its conversations, the audit
// log, updates (re-asking only for new capabilities), verify and repair,
// the install log, and settings.  Text from the server is
// always set as text (never as HTML).
import { api, ApiError, chat, q, setToken, stream, token } from './api.js';

const $ = (sel) => document.querySelector(sel);

// el('li', {class: 'x', onclick: f}, 'text', child...) builds an element.
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat())
    if (c !== null && c !== undefined && c !== false)
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const state = { bot: '', skills: [], bots: [], settings: null, session: 0,
  audit: { pages: [], before: null } };

// The one notification area: a message stays 8 s (an error 20 s), and
// moving to another tab clears it.
let sayTimer = 0;
function say(msg, isError = false) {
  const s = $('#status');
  s.textContent = msg;
  s.classList.toggle('error', isError);
  clearTimeout(sayTimer);
  if (msg) sayTimer = setTimeout(() => { s.textContent = ''; }, isError ? 20000 : 8000);
}

function fail(e) {
  say(e instanceof ApiError ? e.message : `error: ${e.message || e}`, true);
}

function badge(text, kind) {
  return el('span', { class: `badge ${kind || ''} ${kind ? '' : 'b-' + text}` }, text);
}

// ---- dialogs: native modal <dialog> (inert page, Escape closes) plus a
// Tab wrap so focus cycles inside; focus returns to the opener.
function trapFocus(dlg) {
  dlg.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab') return;
    const f = [...dlg.querySelectorAll(
      'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')]
      .filter((x) => !x.disabled && x.offsetParent !== null);
    if (!f.length) return;
    const first = f[0], last = f[f.length - 1];
    if (ev.shiftKey && document.activeElement === first) {
      last.focus(); ev.preventDefault();
    } else if (!ev.shiftKey && document.activeElement === last) {
      first.focus(); ev.preventDefault();
    }
  });
}

function openDialog(dlg, focusSel) {
  const opener = document.activeElement;
  return new Promise((resolve) => {
    dlg.returnValue = '';
    dlg.addEventListener('close', () => {
      if (opener && opener.focus) opener.focus();
      resolve(dlg.returnValue);
    }, { once: true });
    dlg.showModal();
    const f = focusSel && dlg.querySelector(focusSel);
    if (f) f.focus();
  });
}

async function confirmBox(title, text, okLabel) {
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = okLabel || 'Confirm';
  return (await openDialog($('#confirm-dialog'), '.secondary')) === 'ok';
}

// ---- log-in --------------------------------------------------------------

async function login(t) {
  setToken(t);
  try {
    state.settings = await api('GET', '/settings');
  } catch (e) {
    setToken(null);
    $('#login-error').textContent = e.status === 401 ?
      'That token was refused.' : e.message;
    return;
  }
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#session-bar').hidden = false;
  $('#login-error').textContent = '';
  await loadBots();
  await showTab('skills');
}

function logout() {
  setToken(null);
  $('#app').hidden = true;
  $('#session-bar').hidden = true;
  $('#login').hidden = false;
  $('#token').value = '';
  $('#token').focus();
}

// ---- tabs ----------------------------------------------------------------

const TABS = ['skills', 'bots', 'chat', 'audit', 'updates', 'settings'];
const loaders = {
  skills: () => { closeSkill(); return loadSkills(); },
  bots: () => loadBots(),
  chat: () => ($('#chat-sessions-box').open ? loadSessions() : Promise.resolve()),
  audit: () => loadAudit(null, true),
  updates: () => loadUpdatesTab(),
  settings: () => loadSettings(),
};

async function showTab(name, focus = false) {
  say('');
  for (const t of TABS) {
    const tab = $(`#tab-${t}`), on = t === name;
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
    $(`#panel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  try { await loaders[name](); } catch (e) { fail(e); }
}

function setupTabs() {
  TABS.forEach((t, i) => {
    const tab = $(`#tab-${t}`);
    tab.addEventListener('click', () => showTab(t));
    tab.addEventListener('keydown', (ev) => {
      const d = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
      if (ev.key === 'Home') showTab(TABS[0], true);
      else if (ev.key === 'End') showTab(TABS[TABS.length - 1], true);
      else if (d) showTab(TABS[(i + d + TABS.length) % TABS.length], true);
      else return;
      ev.preventDefault();
    });
  });
}

// ---- bots ----------------------------------------------------------------

async function loadBots() {
  const r = await api('GET', '/bots');
  state.bots = r.bots;
  const sel = $('#bot-select');
  sel.replaceChildren(...r.bots.map((b) => el('option', { value: b.slug }, b.name || b.slug)));
  if (!r.bots.some((b) => b.slug === state.bot))
    state.bot = r.bots.length ? r.bots[0].slug : '';
  sel.value = state.bot;
  sel.disabled = !r.bots.length;
  for (const n of document.querySelectorAll('.bot-name'))
    n.textContent = state.bot || 'no bot (create one in Bots)';
  const list = $('#bots');
  list.replaceChildren(...r.bots.map((b) => el('li', { class: 'item' },
    el('div', { class: 'grow' },
      el('strong', {}, b.name || b.slug), ' ', el('code', {}, b.slug),
      el('p', { class: 'muted' }, b.persona || '(no persona)'),
      el('p', { class: 'muted' }, `${b.skills.length} skill(s)`)),
    el('button', { type: 'button', class: 'danger',
      'aria-label': `Remove bot ${b.slug}`,
      onclick: async () => {
        if (!await confirmBox('Remove bot', `Remove bot "${b.slug}" and its memories?`, 'Remove')) return;
        try { await api('DELETE', `/bots/${encodeURIComponent(b.slug)}`); say(`removed bot ${b.slug}`); await loadBots(); } catch (e) { fail(e); }
      } }, 'Remove'))));
  if (!r.bots.length) list.append(el('li', { class: 'muted' }, 'No bots yet.'));
}

async function createBot(ev) {
  ev.preventDefault();
  const body = { slug: $('#bot-slug').value.trim(),
    name: $('#bot-name').value.trim() || undefined,
    persona: $('#bot-persona').value };
  try {
    await api('POST', '/bots', body);
    state.bot = body.slug;
    say(`created bot ${body.slug}`);
    ev.target.reset();
    await loadBots();
  } catch (e) { fail(e); }
}

// ---- skills --------------------------------------------------------------

function skillBadges(s) {
  return el('span', { class: 'badges' }, badge(s.type, 'type'), badge(s.tier));
}

async function loadSkills() {
  const [all, bot] = await Promise.all([api('GET', '/skills'),
    state.bot ? api('GET', `/bots/${encodeURIComponent(state.bot)}`) : null]);
  state.skills = all.skills;
  const byName = new Map(all.skills.map((s) => [s.name, s]));
  const attached = bot ? bot.skills : [];
  const names = new Set(attached.map((a) => a.skill));
  const ul = $('#attached');
  ul.replaceChildren(...attached.map((a) => attachedItem(a, byName.get(a.skill))));
  if (!attached.length)
    ul.append(el('li', { class: 'muted' }, state.bot ?
      (all.skills.length ? 'No skill attached yet: attach one from the list below.' :
        'No skill attached yet.') : 'No bot yet: create one in the Bots tab to attach skills to it.'));
  const av = $('#available');
  const free = all.skills.filter((s) => !names.has(s.name));
  av.replaceChildren(...free.map((s) => el('li', { class: 'item' },
    el('div', { class: 'grow' }, skillLink(s.name), ' ', skillBadges(s),
      el('p', { class: 'muted' }, s.description)),
    el('button', { type: 'button', disabled: !state.bot,
      'aria-label': `Attach ${s.name}`,
      onclick: () => attach(s.name) }, 'Attach'))));
  if (!free.length)
    av.append(el('li', { class: 'muted' }, all.skills.length ? 'Every skill is attached.' :
      'No skill is installed yet: find one in Discover below.'));
}

function attachedItem(a, s) {
  const id = `sw-${a.skill}`;
  const sw = el('input', { type: 'checkbox', role: 'switch', id,
    checked: a.enabled, onchange: (ev) => setEnabled(a.skill, ev.target.checked) });
  return el('li', { class: 'item', 'data-skill': a.skill },
    el('div', { class: 'grow' }, s ? skillLink(a.skill) : el('strong', {}, a.skill), ' ',
      s ? skillBadges(s) : badge('missing', 'warn'),
      el('p', { class: 'muted' }, s ? s.description : 'not found in the store')),
    el('span', { class: 'switch' }, sw, el('label', { for: id }, 'Enabled')),
    s && s.type === 'tool' ? el('button', { type: 'button', class: 'secondary',
      'aria-label': `Run ${a.skill}`, onclick: () => runSkill(a.skill) }, 'Run') : null,
    el('button', { type: 'button', class: 'danger', 'aria-label': `Detach ${a.skill}`,
      onclick: () => detach(a.skill) }, 'Detach'));
}

const botPath = () => `/bots/${encodeURIComponent(state.bot)}`;

// ---- a skill's page: what it is, its files, grants per bot, its audit --

function skillLink(name) {
  return el('button', { type: 'button', class: 'link', 'aria-label': `Open ${name}`,
    onclick: () => openSkill(name) }, name);
}

// Markdown as elements, never as HTML: headings, paragraphs, lists,
// fenced and indented code, `code`, **strong**, *em* and http(s) links.
function mdInline(text) {
  const out = [];
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(\[[^\]]+\]\((https?:\/\/[^\s)]+)\))/g;
  let at = 0, m;
  while ((m = re.exec(text))) {
    if (m.index > at) out.push(text.slice(at, m.index));
    if (m[1]) out.push(el('code', {}, m[1].slice(1, -1)));
    else if (m[2]) out.push(el('strong', {}, m[2].slice(2, -2)));
    else if (m[3]) out.push(el('em', {}, m[3].slice(1, -1)));
    else out.push(el('a', { href: m[5], rel: 'noopener noreferrer', target: '_blank' },
      m[4].slice(1, m[4].indexOf(']('))));
    at = re.lastIndex;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function mdRender(src) {
  const root = el('div', { class: 'md' });
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  let para = [], list = null;
  const flush = () => {
    if (para.length) root.append(el('p', {}, mdInline(para.join(' '))));
    para = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m;
    if (/^\s*```/.test(l)) {
      flush();
      const code = [];
      while (++i < lines.length && !/^\s*```/.test(lines[i])) code.push(lines[i]);
      root.append(el('pre', {}, el('code', {}, code.join('\n'))));
    } else if ((m = /^(#{1,6})\s+(.*)$/.exec(l))) {
      flush();
      root.append(el(`h${Math.min(6, m[1].length + 2)}`, {}, mdInline(m[2])));
    } else if (/^( {4}|\t)/.test(l) && !para.length && !list) {
      const code = [l.replace(/^( {4}|\t)/, '')];
      while (i + 1 < lines.length && /^( {4}|\t)/.test(lines[i + 1]))
        code.push(lines[++i].replace(/^( {4}|\t)/, ''));
      root.append(el('pre', {}, el('code', {}, code.join('\n'))));
    } else if ((m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(l))) {
      if (para.length) flush();
      const tag = /\d/.test(m[1]) ? 'ol' : 'ul';
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = el(tag, {});
        root.append(list);
      }
      list.append(el('li', {}, mdInline(m[2])));
    } else if (!l.trim()) {
      flush();
    } else {
      if (list) list = null;
      para.push(l.trim());
    }
  }
  flush();
  return root;
}

// "cap=scope" into [cap, scope or ''].
const capSplit = (spec) => {
  const i = spec.indexOf('=');
  return i < 0 ? [spec, ''] : [spec.slice(0, i), spec.slice(i + 1)];
};

// A scope as the host compares it: an origin without its default port.
function normScope(scope) {
  if (/^https?:\/\//i.test(scope)) {
    try { return new URL(scope).origin; } catch (e) { /* not a URL: as given */ }
  }
  return scope;
}

function grantsFor(sk, bot) {
  const box = el('div', {});
  const path = `/bots/${encodeURIComponent(bot)}/skills/${encodeURIComponent(sk.name)}/grants`;
  const refresh = () => openSkill(sk.name);
  for (const spec of sk.capabilities) {
    const [cap, scope] = capSplit(spec);
    const held = sk.grants.filter((g) => g.capability === cap && (g.bot === bot || g.bot === '*') &&
      (!scope || normScope(g.scope) === normScope(scope)));
    for (const g of held) {
      const what = `${cap}${g.scope ? '=' + g.scope : ''}`;
      const every = g.bot === '*';
      const who = every ? 'every bot' : bot;
      box.append(el('div', { class: 'grant-row' }, badge('granted', 'ok'), el('code', {}, what),
        every ? el('span', { class: 'muted' }, '(every bot)') : null,
        el('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${what} for ${who}`,
          onclick: async () => {
            const from = every ? `/skills/${encodeURIComponent(sk.name)}/grants` : path;
            try {
              await api('DELETE', `${from}${q({ capability: what })}`);
              say(`revoked ${what} for ${who}`);
              await refresh();
            } catch (e) { fail(e); }
          } }, 'Revoke')));
    }
    if (scope && held.length) continue;
    const input = scope ? null : el('input', { 'aria-label': `Scope of ${cap} for ${bot}`,
      placeholder: cap.startsWith('http') ? 'https://example.org' : 'scope' });
    box.append(el('div', { class: 'grant-row' }, badge('not granted', 'warn'), el('code', {}, spec),
      input,
      el('button', { type: 'button', 'aria-label': `Grant ${spec} to ${bot}`,
        onclick: async () => {
          const want = scope ? spec : `${cap}${input.value.trim() ? '=' + input.value.trim() : ''}`;
          try {
            await api('POST', path, { capabilities: [want] });
            say(`granted ${want} to ${bot}`);
            await refresh();
          } catch (e) { fail(e); }
        } }, 'Grant')));
  }
  if (!sk.capabilities.length) box.append(el('p', { class: 'muted' }, 'It declares no capability.'));
  if (sk.type === 'tool') box.append(limitsForm(sk, bot, path, refresh));
  return box;
}

// The limits a bot's grants set for a tool skill (each empty: the tier's
// default).  A grant sets only the limits it names, so a limit the user
// emptied is cleared first (all of them; the rest are set again).
const LIMITS = [['fuel', 'Fuel (instructions)'], ['memory_bytes', 'Memory (bytes)'],
  ['timeout_ms', 'Time (ms)'], ['output_bytes', 'Output (bytes)']];
function limitsForm(sk, bot, path, refresh) {
  const held = sk.grants.find((g) => g.bot === bot && g.limits &&
    Object.values(g.limits).some((v) => v !== null));
  const inputs = LIMITS.map(([k, label]) => {
    const id = `lim-${bot}-${k}`;
    const inp = el('input', { id, type: 'number', min: 1, step: 1, inputmode: 'numeric',
      placeholder: 'tier default' });
    if (held && held.limits[k] !== null) inp.value = String(held.limits[k]);
    return [k, label, id, inp];
  });
  return el('form', { class: 'limits', 'aria-label': `Limits for ${bot}`, onsubmit: async (ev) => {
    ev.preventDefault();
    const limits = {};
    for (const [k, , , inp] of inputs) if (inp.value.trim()) limits[k] = Number(inp.value);
    const cleared = held && LIMITS.some(([k]) => held.limits[k] !== null && !(k in limits));
    if (!Object.keys(limits).length && !cleared) { say('give at least one limit', true); return; }
    try {
      if (cleared) await api('DELETE', `${path}${q({ capability: 'limits' })}`);
      if (Object.keys(limits).length) await api('POST', path, { limits });
      say(Object.keys(limits).length ? `limits of ${sk.name} for ${bot} saved` :
        `limits of ${sk.name} for ${bot} back to the tier's defaults`);
      await refresh();
    } catch (e) { fail(e); }
  } },
  el('h5', {}, `Limits for ${bot}`),
  el('div', { class: 'limit-grid' }, inputs.map(([, label, id, inp]) =>
    el('div', {}, el('label', { for: id }, label), inp))),
  el('div', { class: 'row start' }, el('button', { type: 'submit', class: 'secondary',
    'aria-label': `Save limits for ${bot}` }, 'Save limits')));
}

async function showFile(sk, path, where) {
  try {
    const f = await api('GET', `/skills/${encodeURIComponent(sk.name)}/file${q({ path })}`);
    where.replaceChildren(el('h4', {}, `${path} (${f.size} bytes)`),
      f.binary ? el('p', { class: 'muted' }, 'A binary file: not shown.') :
        el('pre', { class: 'file-view' }, f.text));
  } catch (e) { where.replaceChildren(el('p', { class: 'error' }, e.message)); }
}

// A page still loading when another opens (or the lists come back) is
// dropped, so a slow answer never covers what the user went to.
let skillSeq = 0;
async function openSkill(name) {
  const seq = ++skillSeq;
  let sk, runs;
  try {
    [sk, runs] = await Promise.all([api('GET', `/skills/${encodeURIComponent(name)}`),
      api('GET', `/audit${q({ skill: name, limit: 10 })}`)]);
  } catch (e) { if (seq === skillSeq) fail(e); return; }
  if (seq !== skillSeq) return;
  $('#skill-lists').hidden = true;
  $('#skill-page').hidden = false;
  $('#skill-page-title').replaceChildren(sk.name, ' ', skillBadges(sk));
  const fileView = el('div', {});
  const editor = el('div', {});
  const own = sk.tier === 'local' && sk.origin === 'store';
  const bots = sk.bots.map((b) => b.bot);
  $('#skill-page-body').replaceChildren(...[
    el('p', {}, sk.description),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Version'), el('dd', {}, sk.version || '–'),
      el('dt', {}, 'Tier'), el('dd', {}, sk.tier),
      el('dt', {}, 'Origin'), el('dd', {}, `${sk.origin} (${sk.path})`),
      el('dt', {}, 'Hash'), el('dd', { class: 'hash' }, sk.hash || sk.files_error || '–'),
      el('dt', {}, 'Bots'), el('dd', {}, bots.join(', ') || 'none')),
    el('h3', {}, 'Capabilities and grants'),
    bots.length ? el('div', {}, bots.map((b) => el('section', {}, el('h4', {}, `Bot ${b}`),
      grantsFor(sk, b)))) :
      el('p', { class: 'muted' }, sk.capabilities.length ?
        `It declares ${sk.capabilities.join(', ')}; attach it to a bot to grant them.` :
        'It declares no capability.'),
    el('h3', {}, 'Instructions (SKILL.md)'),
    own ? el('div', { class: 'row start' }, el('button', { type: 'button', class: 'secondary',
      'aria-label': `Edit SKILL.md of ${sk.name}`, onclick: () => editSkill(sk, editor) }, 'Edit SKILL.md')) : null,
    editor,
    mdRender(sk.instructions || ''),
    el('h3', {}, 'Files'),
    el('ul', { class: 'items' }, (sk.files || []).map((f) => el('li', { class: 'item' },
      el('div', { class: 'grow' }, el('button', { type: 'button', class: 'link',
        'aria-label': `Show file ${f.path}`, onclick: () => showFile(sk, f.path, fileView) }, f.path),
      el('div', { class: 'hash' }, f.sha256))))),
    fileView,
    el('h3', {}, 'Recent runs'),
    runs.runs.length ? el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ['#', 'When', 'Bot', 'Outcome'].map((h) => el('th', {}, h)))),
      el('tbody', {}, runs.runs.map((x) => el('tr', {}, el('td', {}, String(x.id)),
        el('td', {}, new Date(x.at_ms).toLocaleString()), el('td', {}, x.bot || '–'),
        el('td', {}, badge(x.outcome, x.outcome === 'ok' ? 'ok' : 'warn'))))))) :
      el('p', { class: 'muted' }, 'No runs yet.'),
    own ? null : el('h3', {}, 'Source: update and verify'),
    own ? null : sourceChecks(sk.name),
    el('div', { class: 'row start' }, el('button', { type: 'button', class: 'danger',
      'aria-label': `Remove ${sk.name}`, onclick: () => removeSkill(sk.name, bots) }, 'Remove skill…'))]
    .filter((x) => x));
  $('#skill-page-title').scrollIntoView({ block: 'start' });
}

// The SKILL.md editor of a skill of the user's own: the strict rules
// shown as hints as you type (they do not stop a save), saved atomically.
let checkTimer = 0;
async function editSkill(sk, where) {
  let f;
  try { f = await api('GET', `/skills/${encodeURIComponent(sk.name)}/file${q({ path: 'SKILL.md' })}`); } catch (e) { fail(e); return; }
  const ta = el('textarea', { id: 'skill-editor', spellcheck: 'false' });
  ta.value = f.text || '';
  const hints = el('ul', { class: 'hints', 'aria-live': 'polite' });
  const check = async () => {
    try {
      const r = await api('POST', '/skills/check', { text: ta.value, name: sk.name });
      hints.replaceChildren(...[...r.errors, ...r.warnings].map((h) => el('li', {}, h)));
      if (!hints.children.length) hints.append(el('li', { class: 'muted' }, 'No problems found.'));
    } catch (e) { hints.replaceChildren(el('li', { class: 'error' }, e.message)); }
  };
  ta.addEventListener('input', () => { clearTimeout(checkTimer); checkTimer = setTimeout(check, 400); });
  where.replaceChildren(el('div', { class: 'editor' },
    el('label', { for: 'skill-editor' }, 'SKILL.md'), ta,
    el('h4', {}, 'Hints (the specification\'s strict rules)'), hints,
    el('div', { class: 'row start' },
      el('button', { type: 'button', onclick: async () => {
        try {
          await api('PUT', `/skills/${encodeURIComponent(sk.name)}/SKILL.md`, { text: ta.value });
          say(`saved ${sk.name}`);
          await openSkill(sk.name);
        } catch (e) { fail(e); }
      } }, 'Save'),
      el('button', { type: 'button', class: 'secondary', onclick: () => where.replaceChildren() }, 'Cancel'))));
  await check();
  ta.focus();
}

async function createSkill(ev) {
  ev.preventDefault();
  const name = $('#new-skill-name').value.trim();
  try {
    await api('POST', '/skills', { name, description: $('#new-skill-desc').value.trim(),
      instructions: $('#new-skill-body').value || undefined });
    say(`created ${name}`);
    ev.target.reset();
    $('#new-skill').open = false;
    await loadSkills();
    await openSkill(name);
  } catch (e) { fail(e); }
}

function closeSkill() {
  skillSeq++;
  $('#skill-page').hidden = true;
  $('#skill-lists').hidden = false;
}

async function removeSkill(name, bots) {
  const who = bots.length ? `These bots lose it: ${bots.join(', ')}.` : 'No bot has it attached.';
  if (!await confirmBox('Remove skill', `Remove "${name}" from the store? ${who}`, 'Remove')) return;
  try {
    await api('DELETE', `/skills/${encodeURIComponent(name)}`);
    say(`removed ${name}`);
    closeSkill();
    await loadSkills();
  } catch (e) { fail(e); }
}

async function attach(name) {
  try {
    await api('POST', `${botPath()}/skills`, { skill: name });
    say(`attached ${name} to ${state.bot}`);
    await loadSkills();
  } catch (e) { fail(e); }
}

async function setEnabled(name, on) {
  try {
    await api('POST', `${botPath()}/skills/${encodeURIComponent(name)}/${on ? 'enable' : 'disable'}`);
    say(`${on ? 'enabled' : 'disabled'} ${name}`);
  } catch (e) { fail(e); await loadSkills(); }
}

async function detach(name) {
  if (!await confirmBox('Detach skill', `Detach "${name}" from ${state.bot}?`, 'Detach')) return;
  try {
    await api('DELETE', `${botPath()}/skills/${encodeURIComponent(name)}`);
    say(`detached ${name}`);
    await loadSkills();
  } catch (e) { fail(e); }
}

let runTarget = '';
async function runSkill(name) {
  runTarget = name;
  $('#run-title').textContent = `Run ${name}`;
  $('#run-output').textContent = '';
  runOffer(null);
  await openDialog($('#run-dialog'), '#run-input');
}

async function runGo() {
  let input;
  try { input = JSON.parse($('#run-input').value); } catch (e) {
    $('#run-output').textContent = `The input is not JSON: ${e.message}`; return;
  }
  $('#run-output').textContent = 'running…';
  try {
    const r = await api('POST', `/skills/${encodeURIComponent(runTarget)}/run`,
      { input, bot: state.bot || undefined });
    $('#run-output').textContent = `${r.outcome} (${r.tier}, ${r.duration_ms} ms, audit #${r.audit_id})\n` +
      (r.output || '') + (r.error ? `\n${r.error}` : '');
    runOffer(r.grant);
  } catch (e) { $('#run-output').textContent = e.message; }
}

// A run refused a capability a grant can allow: offer that grant (for the
// bot the run was for; the command to type where it ran for every bot).
function runOffer(g) {
  const box = $('#run-grant');
  box.replaceChildren();
  box.hidden = !g;
  if (!g) return;
  const bot = state.bot;
  box.append(el('p', {}, 'Refused: ', el('code', {}, g.capability), '. ',
    bot ? `Grant it to ${bot}, or run:` : 'To allow it for every bot, run:'),
  el('pre', { class: 'output' }, g.command));
  if (!bot) return;
  box.append(el('button', { type: 'button', 'aria-label': `Grant ${g.capability} to ${bot}`,
    onclick: async () => {
      try {
        await api('POST', `${botPath()}/skills/${encodeURIComponent(runTarget)}/grants`,
          { capabilities: [g.capability] });
        say(`granted ${g.capability} to ${bot}`);
        box.replaceChildren(el('p', {}, `Granted ${g.capability} to ${bot}: run again.`));
      } catch (e) { fail(e); }
    } }, `Grant to ${bot}`));
}

// ---- discover and install ------------------------------------------------

let searchTimer = 0, searchSeq = 0;
function discoverInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(discover, 300);
}

async function discover() {
  const text = $('#discover-q').value.trim();
  const seq = ++searchSeq;
  const ul = $('#discover');
  if (!text) { ul.replaceChildren(); $('#discover-note').textContent = ''; return; }
  $('#discover-note').textContent = 'searching…';
  try {
    const r = await api('GET', `/registry/search${q({ q: text })}`);
    if (seq !== searchSeq) return;  // a newer search is on its way
    $('#discover-note').textContent = r.results.length ?
      `${r.results.length} result(s)` : 'nothing found';
    if (r.notes.length) $('#discover-note').textContent += ` (${r.notes.join('; ')})`;
    ul.replaceChildren(...r.results.map(discoverItem));
  } catch (e) {
    if (seq === searchSeq) $('#discover-note').textContent = e.message;
  }
}

async function installDialog(hit) {
  const body = $('#install-body');
  $('#install-title').textContent = `Install ${hit.name}`;
  $('#install-error').textContent = '';
  body.replaceChildren(el('p', {}, 'Fetching and checking the skill…'));
  $('#install-ok').disabled = true;
  const done = openDialog($('#install-dialog'), '.secondary');
  let preview;
  try {
    preview = await api('POST', '/skills/install/preview',
      { source: hit.source, skill: hit.name });
  } catch (e) {
    body.replaceChildren();
    $('#install-error').textContent = e.message;
    await done;
    return;
  }
  const sk = preview.skills[0];
  if (!sk) {
    body.replaceChildren(el('p', {}, 'The source has no such skill.'));
    await done;
    return;
  }
  body.replaceChildren(el('div', {},
    el('p', {}, sk.description || ''),
    el('p', {}, 'Trust tier: ', badge(sk.tier), ' ', badge(sk.type || 'prompt', 'type')),
    sk.install_as ? el('p', {}, 'Installs as ', el('code', {}, sk.install_as),
      ' (its name is not a store name; the original is kept as its display name).') : null,
    sk.warnings && sk.warnings.length ? el('div', {},
      el('h3', {}, 'Warnings about its form (they do not stop the install)'),
      el('ul', { class: 'findings' }, sk.warnings.map((w) => el('li', {}, w)))) : null,
    sk.signature ? el('p', { class: 'warn-text' }, `Signature: ${sk.signature}`) : null,
    el('h3', {}, 'Static scan'),
    sk.findings && sk.findings.length ?
      el('ul', { class: 'findings' }, sk.findings.map((f) => el('li', {},
        badge(f.kind, 'warn'), ` ${f.file || ''}${f.line ? ':' + f.line : ''} ${f.what}`))) :
      el('p', { class: 'muted' }, 'No findings.'),
    el('fieldset', {}, el('legend', {}, 'Capabilities it asks for (tick to approve)'),
      (sk.capabilities || []).length ? sk.capabilities.map(capChoice) :
        el('p', { class: 'muted' }, 'None.')),
    sk.errors && sk.errors.length ? el('p', { class: 'warn-text' },
      `Validation: ${sk.errors.join('; ')}`) : null,
    sk.error ? el('p', { class: 'error' }, sk.error) : null));
  $('#install-ok').disabled = false;
  if ((await done) !== 'ok') return;
  const approve = [...body.querySelectorAll('.cap-box')].filter((b) => b.checked).map((b) => b.value);
  const req = { source: hit.source, skill: hit.name, approve };
  let r;
  try {
    r = await api('POST', '/skills/install', req);
  } catch (e) {
    const as = sk.install_as || sk.name;
    if (!(e instanceof ApiError) || e.status !== 409 ||
        !await confirmBox('Replace skill', `A different skill named "${as}" is installed. ` +
          'Replace it with this one? Grants whose capability is unchanged are kept; ' +
          'of the rest, only what you ticked is granted.', 'Replace')) {
      fail(e);
      return;
    }
    try { r = await api('POST', '/skills/install', { ...req, force: true }); } catch (e2) { fail(e2); return; }
  }
  const x = r.installed[0];
  say(`installed ${x.name} (${x.tier}); granted: ${x.granted.join(', ') || 'nothing'}`);
  await loadSkills();
}

// What a scope looks like, for a capability declared without one.
const SCOPE_EXAMPLES = { http_get: 'https://api.example.com', http_post: 'https://api.example.com',
  read_file: '/path/to/folder', write_file: '/path/to/folder', exec_command: 'git',
  read_env: 'VARIABLE', get_secret: 'NAME@https://api.example.com' };

// A field for the scope of a capability declared without one (SPEC, with
// its box BOX): only a scope the user names can grant it, so the box stays
// disabled until one is named, and naming one ticks it.  Null when SPEC
// has its scope or its capability takes none.
function scopeField(spec, box) {
  if (spec.includes('=') || !SCOPE_EXAMPLES[spec]) return null;
  const f = el('input', { type: 'text', class: 'cap-scope', 'aria-label': `Scope of ${spec}`,
    placeholder: SCOPE_EXAMPLES[spec] });
  box.disabled = true;
  f.addEventListener('input', () => {
    const v = f.value.trim();
    box.value = v ? `${spec}=${v}` : spec;
    box.disabled = !v;
    box.checked = !!v;
  });
  return f;
}

// One capability of the install dialog, a box to tick (and its scope field).
function capChoice(c, i) {
  const box = el('input', { type: 'checkbox', id: `cap-${i}`, value: c.spec, class: 'cap-box' });
  const scope = scopeField(c.spec, box);
  return el('div', { class: 'cap' }, box, el('label', { for: box.id }, el('code', {}, c.capability),
    c.scope ? ` scope ${c.scope}` : scope ? ' declared without a scope: name one to grant it ' : ''), scope);
}

// A source typed by hand (owner/repo, owner/repo@skill, a git or archive
// URL, https://HOST): its one skill opens the dialog; several are listed.
async function installFrom(ev) {
  ev.preventDefault();
  const source = $('#source-q').value.trim();
  if (!source) return;
  const ul = $('#discover');
  $('#discover-note').textContent = `reading ${source}…`;
  let p;
  try { p = await api('POST', '/skills/install/preview', { source }); } catch (e) {
    $('#discover-note').textContent = e.message;
    return;
  }
  $('#discover-note').textContent = `${p.skills.length} skill(s) in ${source}`;
  if (p.skills.length === 1) { await installDialog({ source, name: p.skills[0].name }); return; }
  ul.replaceChildren(...p.skills.map((k) => discoverItem({ source, name: k.name,
    description: k.description || k.error })));
}

function discoverItem(h) {
  const have = state.skills.some((s) => s.name === h.name);
  return el('li', { class: 'item' },
    el('div', { class: 'grow' }, el('strong', {}, h.name), ' ',
      h.registry ? badge(h.registry, 'type') : null,
      h.installs ? el('span', { class: 'muted' }, ` ${h.installs} installs`) : null,
      el('p', { class: 'muted' }, h.description || h.source)),
    have ? el('button', { type: 'button', class: 'secondary', 'aria-label': `Open ${h.name}`,
      onclick: () => openSkill(h.name) }, 'Installed') :
      el('button', { type: 'button', 'aria-label': `Install ${h.name}`,
        onclick: () => installDialog(h) }, 'Install…'));
}

// ---- chat ----------------------------------------------------------------

function chatLine(cls, text) {
  const li = el('li', { class: cls }, text);
  $('#chat-log').append(li);
  li.scrollIntoView({ block: 'end' });
  return li;
}

// Opens the Audit tab on the runs of SKILL for the bot: from record ID
// down when it is known (a stored turn's), else the newest.
async function auditOf(skill, bot, id) {
  $('#audit-skill').value = skill;
  $('#audit-bot').value = bot || '';
  $('#audit-outcome').value = '';
  state.audit.start = id ? Number(id) + 1 : null;
  await showTab('audit', true);
}

// One tool call as it happens: collapsible, its input at once, its output
// when the result comes, and a link to its audit record.
function toolItem(name, input) {
  const out = el('div', { class: 'tool-out' }, el('p', { class: 'muted' }, 'running…'));
  const sum = el('summary', {}, `Tool ${name}`, ' ', badge('running', 'warn'));
  const li = el('li', { class: 'tool', 'data-tool': name },
    el('details', {}, sum, el('h5', {}, 'Input'),
      el('pre', {}, JSON.stringify(input, null, 2)), out));
  $('#chat-log').append(li);
  li.scrollIntoView({ block: 'end' });
  return { name, li, sum, out };
}

function toolDone(t, content, isError, auditId) {
  t.sum.replaceChildren(`Tool ${t.name}`, ' ', badge(isError ? 'error' : 'ok', isError ? 'warn' : 'ok'));
  t.li.classList.toggle('error', !!isError);
  t.out.replaceChildren(el('h5', {}, 'Output'), el('pre', {}, content),
    el('button', { type: 'button', class: 'link', 'aria-label': `Audit record of ${t.name}`,
      onclick: () => auditOf(t.name, state.bot, auditId) },
    auditId ? `Audit record #${auditId}` : 'Its audit record'));
}

// Streams one turn (a new message, or a resumed session) into the log.
async function streamTurn(start) {
  // lines in the order things happen: a reply's text after the tool
  // calls that produced it (a new bubble once a tool line came between)
  let reply = null;
  const pending = [];
  $('#chat-send').disabled = true;
  try {
    await start((name, d) => {
      if (name === 'text') {
        if (!reply) reply = chatLine('bot', '');
        reply.textContent += d.text;
      } else if (name === 'tool_call') {
        reply = null;
        pending.push(toolItem(d.name, d.input));
      } else if (name === 'tool_result') {
        reply = null;
        const i = pending.findIndex((t) => t.name === d.name);
        const t = i >= 0 ? pending.splice(i, 1)[0] : toolItem(d.name, null);
        toolDone(t, d.content, d.is_error, d.audit_id);
      } else if (name === 'done') state.session = d.session;
      else if (name === 'error') chatLine('error', d.error);
    });
  } catch (e) { chatLine('error', e.message); }
  $('#chat-send').disabled = false;
  if ($('#chat-sessions-box').open) loadSessions().catch(() => {});
}

async function sendChat(ev) {
  ev.preventDefault();
  const text = $('#chat-input').value.trim();
  if (!text || !state.bot) return;
  $('#chat-input').value = '';
  chatLine('user', text);
  await streamTurn((onEvent) => chat(state.bot, text, state.session, onEvent));
}

// ---- conversations: the session API of the agent-turns work -------------
// GET /bots/B/sessions ({sessions: [{id, title, last_used, turns,
// state}]}), GET /sessions/N (its "history": each turn's user message,
// tool calls with their audit row ids, reply and state), POST
// /sessions/N/resume (streamed like a chat turn), DELETE /sessions/N.

async function loadSessions() {
  const ul = $('#chat-sessions'), note = $('#chat-sessions-note');
  if (!state.bot) {
    ul.replaceChildren();
    note.textContent = 'No bot yet: create one in the Bots tab.';
    return;
  }
  let r;
  try { r = await api('GET', `${botPath()}/sessions`); } catch (e) {
    ul.replaceChildren();
    note.textContent = e.message;
    return;
  }
  const list = r.sessions || [];
  note.textContent = list.length ? '' : 'No conversations yet.';
  ul.replaceChildren(...list.map((x) => {
    const id = x.id, st = x.state || '';
    return el('li', { class: 'item' },
      el('div', { class: 'grow' }, el('strong', {}, `#${id}`), ' ', x.title || '', ' ',
        st ? badge(st, st === 'complete' ? 'ok' : 'warn') : null,
        el('p', { class: 'muted' }, `${x.turns} turn(s)`,
          x.last_used ? ` · ${fmtWhen(x.last_used)}` : '')),
      el('button', { type: 'button', class: 'secondary', 'aria-label': `Open conversation ${id}`,
        onclick: () => openSession(id) }, 'Open'),
      st === 'incomplete' ? el('button', { type: 'button', 'aria-label': `Resume conversation ${id}`,
        onclick: () => resumeSession(id) }, 'Resume') : null,
      el('button', { type: 'button', class: 'danger', 'aria-label': `Delete conversation ${id}`,
        onclick: () => deleteSession(id) }, 'Delete'));
  }));
}

// Seconds since the epoch as local time.
const fmtWhen = (secs) => new Date(secs * 1000).toLocaleString();

async function openSession(id) {
  let sess;
  try { sess = await api('GET', `/sessions/${id}`); } catch (e) { fail(e); return; }
  $('#chat-log').replaceChildren();
  state.session = id;
  for (const t of sess.history || []) {
    if (t.user) chatLine('user', t.user);
    for (const c of t.tool_calls || []) {
      const ti = toolItem(c.name, c.input);
      if (c.result === null) ti.out.replaceChildren(el('p', { class: 'muted' }, 'No result stored.'));
      else toolDone(ti, c.result, c.is_error, (c.audit || [])[0]);
    }
    if (t.reply) chatLine('bot', t.reply);
    if (t.state && t.state !== 'complete')
      chatLine('error', `This turn is ${t.state}${t.error ? `: ${t.error}` : ''}.`);
  }
  say(`conversation #${id}: new messages continue it`);
}

async function resumeSession(id) {
  state.session = id;
  await openSession(id);
  await streamTurn((onEvent) => stream(`/sessions/${id}/resume`, {}, onEvent));
}

async function deleteSession(id) {
  if (!await confirmBox('Delete conversation', `Delete conversation #${id} and its turns?`, 'Delete')) return;
  try {
    await api('DELETE', `/sessions/${id}`);
    if (state.session === id) { state.session = 0; $('#chat-log').replaceChildren(); }
    say(`deleted conversation #${id}`);
    await loadSessions();
  } catch (e) { fail(e); }
}

// ---- audit ---------------------------------------------------------------

async function loadAudit(ev, first) {
  if (ev) ev.preventDefault();
  const a = state.audit;
  if (first || ev) { a.pages = []; a.before = a.start || null; a.start = null; }
  const r = await api('GET', `/audit${q({ skill: $('#audit-skill').value.trim(),
    bot: $('#audit-bot').value.trim(), outcome: $('#audit-outcome').value,
    limit: 20, before: a.before })}`);
  a.next = r.next_before;
  $('#audit-older').disabled = !r.next_before;
  const tb = $('#audit-table tbody');
  tb.replaceChildren(...r.runs.map((x) => el('tr', {},
    el('td', {}, String(x.id)),
    el('td', {}, new Date(x.at_ms).toLocaleString()),
    el('td', {}, x.skill), el('td', {}, x.bot || '–'), el('td', {}, badge(x.tier)),
    el('td', {}, badge(x.outcome, x.outcome === 'ok' ? 'ok' : 'warn'),
      x.error ? el('span', { class: 'muted' }, ` ${x.error}`) : null),
    el('td', {}, (x.calls || []).map((c) => el('div', {},
      `${c.allowed ? 'allowed' : 'DENIED'} ${c.capability} ${c.scope || ''}`))))));
  if (!r.runs.length) tb.append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No records.')));
}

function auditOlder() {
  state.audit.before = state.audit.next;
  loadAudit(null, false).catch(fail);
}

// ---- updates, verify and the install log --------------------------------

const shortHash = (h) => (h ? h.replace(/^sha256:/, '').slice(0, 12) : '–');

// One update entry: what changed, and Apply re-asking only for the
// capabilities new in this version (unchanged grants are kept).
function updateItem(u, after) {
  const head = el('span', {}, skillLink(u.name), ' ');
  if (u.error)
    return el('li', { class: 'item', 'data-update': u.name }, el('div', { class: 'grow' },
      head, badge('cannot check', 'warn'), el('p', { class: 'error' }, u.error)));
  if (!u.outdated)
    return el('li', { class: 'item', 'data-update': u.name }, el('div', { class: 'grow' },
      head, badge('up to date', 'ok')));
  head.append(badge('update', 'warn'));
  const boxes = u.new_capabilities.map((c, i) => el('input', { type: 'checkbox',
    id: `upd-${u.name}-${i}`, value: c, class: 'cap-box' }));
  const ver = u.installed_version !== u.latest_version && u.latest_version ?
    el('p', {}, `Version ${u.installed_version || '–'} → ${u.latest_version}`) : null;
  return el('li', { class: 'item', 'data-update': u.name }, el('div', { class: 'grow' }, head,
    el('p', { class: 'hash' }, `${shortHash(u.installed)} → ${shortHash(u.latest)}`),
    ver,
    el('p', { class: 'muted' }, `From ${u.source}`),
    u.new_capabilities.length ? el('fieldset', {},
      el('legend', {}, 'New capabilities it asks for (tick to approve; the rest stay refused)'),
      u.new_capabilities.map((c, i) => el('div', { class: 'cap' }, boxes[i],
        el('label', { for: boxes[i].id }, el('code', {}, c)), scopeField(c, boxes[i])))) :
      el('p', { class: 'muted' }, 'No new capability: the grants it holds are kept.'),
    u.dropped_capabilities.length ? el('p', {}, 'No longer asks for: ',
      u.dropped_capabilities.map((c) => el('code', {}, `${c} `))) : null,
    u.new_findings.length ? el('div', {}, el('h4', {}, 'New scan findings'),
      el('ul', { class: 'findings' }, u.new_findings.map((f) => el('li', {},
        badge(f.kind, 'warn'), ` ${f.file || ''}${f.line ? ':' + f.line : ''} ${f.what}`)))) :
      el('p', { class: 'muted' }, 'No new scan findings.'),
    el('div', { class: 'row start' }, el('button', { type: 'button',
      'aria-label': `Apply the update of ${u.name}`, onclick: async (ev) => {
        ev.target.disabled = true;
        const approve = boxes.filter((b) => b.checked).map((b) => b.value);
        try {
          const r = await api('POST', `/skills/${encodeURIComponent(u.name)}/update`, { approve });
          const x = r.installed[0] || {};
          say(`updated ${u.name} (${shortHash(x.hash)}); granted: ${(x.granted || []).join(', ') || 'nothing'}` +
            ((x.not_granted || []).length ? `; not granted: ${x.not_granted.join(', ')}` : ''));
          await after();
        } catch (e) { fail(e); ev.target.disabled = false; }
      } }, 'Apply update'))));
}

// One verified skill: what failed, and Repair (install it again from the
// source it was installed from, at the pinned ref) or Remove.
function verifyItem(v, after) {
  const li = el('li', { class: 'item', 'data-verify': v.name });
  if (v.ok) {
    li.append(el('div', { class: 'grow' }, skillLink(v.name), ' ', badge('as installed', 'ok')));
    return li;
  }
  li.append(el('div', { class: 'grow' }, skillLink(v.name), ' ', badge('changed', 'warn'),
    el('p', { class: 'error' }, v.error),
    el('p', { class: 'muted' }, v.source ? `Repair installs it again from ${v.source}` +
      `${v.ref ? ' at ' + v.ref : ''}, as pinned (${shortHash(v.hash)}); its grants are kept.` :
      'Its source is not recorded: remove it and install it again.')),
  v.source ? el('button', { type: 'button', 'aria-label': `Repair ${v.name}`, onclick: async (ev) => {
    ev.target.disabled = true;
    try {
      const r = await api('POST', `/skills/${encodeURIComponent(v.name)}/repair`, {});
      say(`repaired ${v.name} from ${v.source} (${shortHash((r.installed[0] || {}).hash)})`);
      await after();
    } catch (e) { fail(e); ev.target.disabled = false; }
  } }, 'Repair') : null,
  el('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${v.name}`,
    onclick: () => removeSkill(v.name, []).then(after) }, 'Remove'));
  return li;
}

let updSeq = 0;
async function loadUpdates() {
  const seq = ++updSeq, ul = $('#updates'), note = $('#updates-note');
  note.textContent = 'Checking each skill\'s source…';
  $('#updates-check').disabled = true;
  try {
    const r = await api('GET', '/updates');
    if (seq !== updSeq) return;
    const list = [...r.updates].sort((a, b) => (b.outdated - a.outdated) || a.name.localeCompare(b.name));
    const n = list.filter((u) => u.outdated).length;
    note.textContent = !list.length ? 'No skill here was installed from a source.' :
      n ? `${n} update(s) available.` : 'Every installed skill is up to date.';
    ul.replaceChildren(...list.map((u) => updateItem(u, () => loadUpdatesTab())));
  } catch (e) { if (seq === updSeq) note.textContent = e.message; }
  if (seq === updSeq) $('#updates-check').disabled = false;
}

async function loadVerify() {
  const ul = $('#verify'), note = $('#verify-note');
  const r = await api('GET', '/verify');
  const bad = r.skills.filter((v) => !v.ok);
  note.textContent = !r.skills.length ? 'No skill here was installed from a source.' :
    bad.length ? `${bad.length} of ${r.skills.length} changed since they were installed.` :
      `All ${r.skills.length} are as installed.`;
  ul.replaceChildren(...[...bad, ...r.skills.filter((v) => v.ok)]
    .map((v) => verifyItem(v, () => loadUpdatesTab())));
}

async function loadInstallLog() {
  const r = await api('GET', `/audit/installs${q({ limit: 50 })}`);
  const tb = $('#installs-table tbody');
  tb.replaceChildren(...r.installs.map((x) => el('tr', {},
    el('td', {}, new Date(x.at_ms).toLocaleString()), el('td', {}, x.skill),
    el('td', {}, badge(x.action, x.action === 'install' ? 'ok' : 'type')),
    el('td', {}, x.source, x.ref ? el('span', { class: 'muted' }, ` @ ${x.ref}`) : null),
    el('td', { class: 'hash', title: x.hash }, shortHash(x.hash)),
    el('td', {}, badge(x.tier)),
    el('td', { class: 'wrap' }, x.granted.length ? x.granted.join(', ') : 'nothing'),
    el('td', {}, String(x.findings)))));
  if (!r.installs.length) tb.append(el('tr', {}, el('td', { colspan: 8, class: 'muted' },
    'Nothing installed from a source yet.')));
}

async function loadUpdatesTab() {
  loadUpdates();
  await Promise.all([loadVerify(), loadInstallLog()]);
}

// On a skill's page: check its source for an update, verify its files.
function sourceChecks(name) {
  const where = el('ul', { class: 'items' });
  const reopen = () => openSkill(name);
  return el('div', {}, el('div', { class: 'row start' },
    el('button', { type: 'button', class: 'secondary', 'aria-label': `Check ${name} for an update`,
      onclick: async () => {
        where.replaceChildren(el('li', { class: 'muted' }, 'Checking its source…'));
        try {
          const r = await api('GET', `/updates${q({ skill: name })}`);
          where.replaceChildren(...r.updates.map((u) => updateItem(u, reopen)));
        } catch (e) { where.replaceChildren(el('li', { class: 'error' }, e.message)); }
      } }, 'Check for an update'),
    el('button', { type: 'button', class: 'secondary', 'aria-label': `Verify ${name}`,
      onclick: async () => {
        try {
          const r = await api('GET', `/verify${q({ skill: name })}`);
          where.replaceChildren(...r.skills.map((v) => verifyItem(v, reopen)));
        } catch (e) { where.replaceChildren(el('li', { class: 'error' }, e.message)); }
      } }, 'Verify its files')), where);
}

// ---- settings ------------------------------------------------------------

async function loadSettings() {
  const s = state.settings = await api('GET', '/settings');
  const rows = [];
  for (const [k, v] of Object.entries(s.env))
    rows.push(el('li', { class: 'item' }, el('code', { class: 'grow' }, k),
      badge(v ? 'set' : 'not set', v ? 'ok' : ''), ' environment'));
  for (const [k, v] of Object.entries(s.secrets))
    rows.push(el('li', { class: 'item' }, el('code', { class: 'grow' }, k),
      badge(v ? 'set' : 'not set', v ? 'ok' : ''), ' secret'));
  $('#providers').replaceChildren(...rows);
  const sec = await api('GET', '/secrets');
  $('#secrets').replaceChildren(...sec.secrets.map((x) => el('li', { class: 'item' },
    el('code', { class: 'grow' }, x.name),
    el('span', { class: 'muted' }, new Date(x.updated_at * 1000).toLocaleString()),
    el('button', { type: 'button', class: 'danger', 'aria-label': `Remove secret ${x.name}`,
      onclick: async () => {
        if (!await confirmBox('Remove secret', `Remove secret ${x.name}?`, 'Remove')) return;
        try { await api('DELETE', `/secrets/${encodeURIComponent(x.name)}`); await loadSettings(); } catch (e) { fail(e); }
      } }, 'Remove'))));
  if (!sec.secrets.length) $('#secrets').append(el('li', { class: 'muted' }, 'No secrets.'));
  const k = await api('GET', '/keys');
  $('#keys').replaceChildren(...k.keys.map((x) => el('li', { class: 'item' },
    el('code', { class: 'grow' }, x.id), el('span', { class: 'muted' }, x.comment || ''))));
  if (!k.keys.length) $('#keys').append(el('li', { class: 'muted' }, 'No trusted keys.'));
}

async function setSecret(ev) {
  ev.preventDefault();
  const name = $('#secret-name').value.trim();
  try {
    await api('PUT', `/secrets/${encodeURIComponent(name)}`, { value: $('#secret-value').value });
    ev.target.reset();
    say(`secret ${name} set`);
    await loadSettings();
  } catch (e) { fail(e); }
}

// ---- start ---------------------------------------------------------------

function start() {
  for (const d of document.querySelectorAll('dialog')) trapFocus(d);
  setupTabs();
  $('#login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    login($('#token').value.trim());
  });
  $('#logout').addEventListener('click', logout);
  window.addEventListener('bnity-logout', logout);
  $('#bot-select').addEventListener('change', (ev) => {
    state.bot = ev.target.value;
    state.session = 0;
    $('#chat-log').replaceChildren();
    for (const n of document.querySelectorAll('.bot-name')) n.textContent = state.bot;
    loadSkills().catch(fail);
    if ($('#chat-sessions-box').open) loadSessions().catch(fail);
  });
  $('#bot-form').addEventListener('submit', createBot);
  $('#discover-q').addEventListener('input', discoverInput);
  $('#source-form').addEventListener('submit', installFrom);
  $('#run-go').addEventListener('click', runGo);
  $('#skill-back').addEventListener('click', closeSkill);
  $('#new-skill-form').addEventListener('submit', createSkill);
  $('#chat-form').addEventListener('submit', sendChat);
  $('#chat-new').addEventListener('click', () => { state.session = 0; $('#chat-log').replaceChildren(); });
  $('#chat-sessions-box').addEventListener('toggle', (ev) => {
    if (ev.target.open) loadSessions().catch(fail);
  });
  $('#updates-check').addEventListener('click', () => loadUpdates());
  $('#verify-all').addEventListener('click', () => loadVerify().catch(fail));
  $('#audit-form').addEventListener('submit', (ev) => loadAudit(ev, true).catch(fail));
  $('#audit-first').addEventListener('click', () => loadAudit(null, true).catch(fail));
  $('#audit-older').addEventListener('click', auditOlder);
  $('#secret-form').addEventListener('submit', setSecret);
  if (token()) login(token());
  else $('#token').focus();
}

start();
