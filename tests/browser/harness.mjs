// SPDX-License-Identifier: MIT
// tests/browser/harness.mjs - what the browser tests share: TAP lines,
// child processes (the server, stand-in registries and providers) that
// are killed at the end, polling, Chromium with a throw-away profile, and
// signing in to the UI.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const tap = { n: 0, failed: 0 };
const children = [];

export function ok(cond, name, detail) {
  tap.n++;
  if (cond) { console.log(`ok ${tap.n} - ${name}`); return; }
  tap.failed++;
  console.log(`not ok ${tap.n} - ${name}`);
  if (detail) for (const l of String(detail).split('\n').slice(0, 20)) console.log(`#   ${l}`);
}

// A known failure that is another module's to fix: TAP "# TODO".
export function todo(name, reason) {
  tap.n++;
  console.log(`not ok ${tap.n} - ${name} # TODO ${reason}`);
}

export function skip(name, reason) {
  tap.n++;
  console.log(`ok ${tap.n} - ${name} # SKIP ${reason}`);
}

// Start CMD and resolve with its first stdout match of RE.
export function startChild(cmd, args, env, re) {
  const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(p);
  let out = '', err = '';
  p.stderr.on('data', (d) => { err += d; });
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${cmd}: no start: ${err}`)), 15000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(re);
      if (m) { clearTimeout(t); res(m); }
    });
    p.on('exit', (c) => rej(new Error(`${cmd} exited ${c}: ${err}`)));
  });
}

export async function until(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

// Headless Chromium on a fresh profile; the page records console errors
// and every request that leaves BASE.
export async function launch(base) {
  const profile = mkdtempSync(join(tmpdir(), 'bnity-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const consoleErrors = [], offsite = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
  const close = async () => {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, consoleErrors, offsite, close };
}

export async function signIn(page, token) {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: 'Skills' }).waitFor();
  await until(async () => (await page.getByRole('tab', { name: 'Skills' })
    .getAttribute('aria-selected')) === 'true', 'the Skills tab after sign-in');
  await page.waitForLoadState('networkidle');
}

// Elements of the visible app wider than WIDTH (tables scroll in their box).
export async function overflowing(page, width) {
  return page.evaluate((w) => {
    const out = [];
    for (const e of document.querySelectorAll('#app *')) {
      const b = e.getBoundingClientRect();
      if (e.offsetParent !== null && b.width > 0 && (b.right > w + 0.5 || b.left < -0.5) &&
          !e.closest('.table-wrap'))
        out.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className} ${Math.round(b.left)}..${Math.round(b.right)}`);
    }
    return { sw: document.documentElement.scrollWidth, out: out.slice(0, 5) };
  }, width);
}

// Each tab of TABS at WIDTH px: the elements past the screen, one line a tab.
export async function tooWide(page, tabs, width) {
  const wide = [];
  for (const t of tabs) {
    await page.getByRole('tab', { name: t }).click();
    await page.waitForLoadState('networkidle');
    const r = await overflowing(page, width);
    if (r.sw > width || r.out.length) wide.push(`${t}: scrollWidth ${r.sw} ${r.out.join(', ')}`);
  }
  return wide;
}

// Drive the UI at BASE with WALK(browser) in a fresh Chromium; then no
// console error and no request elsewhere.  A failure is one TAP line
// and OUTDIR/NAME-failure.png.
export async function walk(base, outDir, name, fn) {
  mkdirSync(outDir, { recursive: true });
  const b = await launch(base);
  try {
    await fn(b);
    ok(b.consoleErrors.length === 0, 'no errors in the console (CSP included)', b.consoleErrors.join('\n'));
    ok(b.offsite.length === 0, 'no request leaves the server', b.offsite.join('\n'));
  } catch (e) {
    ok(false, name, e.stack || e);
    try { await b.page.screenshot({ path: join(outDir, `${name}-failure.png`), fullPage: true }); } catch (_) { /* ignore */ }
  } finally {
    await b.close();
  }
}

// Run MAIN, remove WORK, kill the children, print the plan and exit 1
// when a test failed.
export async function run(main, work) {
  try {
    await main();
  } catch (e) {
    ok(false, 'set-up', e.stack || e);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const c of children) { try { c.stdin.end(); c.kill(); } catch (_) { /* gone */ } }
  console.log(`1..${tap.n}`);
  process.exit(tap.failed ? 1 : 0);
}
