#!/usr/bin/env node
// Open local HTML reports in headless Chromium with every network request blocked, and print one
// JSON document describing what a reader's browser did with each file:
//
//   node tools/browser/check_page.mjs [--screenshots DIR] [--chromium PATH] [--text]
//                                     [--concurrency N] FILE.html [FILE.html ...]
//
// Output (stdout): {"chromium": "...", "axe": "...", "results": [ {file, name, ...}, ... ]}
// Per file: requests_blocked (every request that is not file:/data:/blob:, aborted before it
// leaves the machine), requests_failed, console_errors, page_errors, dialogs (alert/confirm/
// prompt that fired), images_not_decoded, axe_violations (WCAG 2.1 A/AA tags, run after every
// <details> has been opened so hidden tables are checked too), axe_incomplete (count only),
// scripts / inline_handlers / javascript_urls (DOM probe for the injection tests), screenshot
// (full page PNG, taken before anything is opened, when --screenshots is given) and, with
// --text, the visible text.
// Exit code: 0 when every file could be checked (whatever it found), 2 on a usage or launch error.

import { readFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_VERSION = require('axe-core/package.json').version;

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-extensions',
  '--disable-default-apps',
  '--mute-audio',
  // Defence in depth: even a request the route handler missed cannot resolve a host.
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

const LOCAL_SCHEMES = ['file:', 'data:', 'blob:', 'about:'];

function parseArgs(argv) {
  const opts = { screenshots: null, chromium: '/usr/bin/chromium', text: false, concurrency: 3, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--screenshots') opts.screenshots = argv[++i];
    else if (a === '--chromium') opts.chromium = argv[++i];
    else if (a === '--text') opts.text = true;
    else if (a === '--concurrency') opts.concurrency = Math.max(1, parseInt(argv[++i], 10) || 1);
    else if (a === '-h' || a === '--help') opts.help = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.files.push(a);
  }
  return opts;
}

function isLocal(url) {
  return LOCAL_SCHEMES.some((s) => url.startsWith(s));
}

function short(url) {
  return url.length > 200 ? `${url.slice(0, 200)}…` : url;
}

async function checkFile(browser, file, opts, axeSource) {
  const abs = resolve(file);
  const name = basename(abs).replace(/\.html?$/i, '');
  const result = {
    file: abs,
    name,
    requests_blocked: [],
    requests_failed: [],
    console_errors: [],
    page_errors: [],
    dialogs: [],
    images_total: 0,
    images_not_decoded: [],
    details_opened: 0,
    axe_violations: [],
    axe_incomplete: 0,
    axe_passes: 0,
    scripts: [],
    inline_handlers: [],
    javascript_urls: [],
    screenshot: null,
    text: null,
    error: null,
  };
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'sv-SE',
    serviceWorkers: 'block',
    offline: true,
    javaScriptEnabled: true,
  });
  const page = await context.newPage();
  try {
    // Every request that is not local is counted once (per request object) and aborted.
    const seen = new WeakSet();
    const noteBlocked = (req) => {
      if (seen.has(req) || isLocal(req.url())) return;
      seen.add(req);
      result.requests_blocked.push(short(req.url()));
    };
    await context.route('**/*', (route) => {
      const req = route.request();
      if (isLocal(req.url())) return route.continue();
      noteBlocked(req);
      return route.abort('blockedbyclient');
    });
    page.on('request', noteBlocked);
    page.on('websocket', (ws) => result.requests_blocked.push(short(ws.url())));
    page.on('requestfailed', (req) => {
      result.requests_failed.push({ url: short(req.url()), error: req.failure()?.errorText ?? '' });
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        const loc = msg.location();
        result.console_errors.push({ text: msg.text().slice(0, 500), url: short(loc?.url ?? '') });
      }
    });
    page.on('pageerror', (err) => result.page_errors.push(String(err?.message ?? err).slice(0, 500)));
    page.on('dialog', async (dialog) => {
      result.dialogs.push({ type: dialog.type(), message: dialog.message().slice(0, 200) });
      await dialog.dismiss().catch(() => {});
    });

    await page.goto(pathToFileURL(abs).href, { waitUntil: 'load', timeout: 60000 });

    // Images: force lazy ones to load, then wait for decoding to settle.
    const images = await page.evaluate(async () => {
      const imgs = Array.from(document.images);
      for (const img of imgs) if (img.loading === 'lazy') img.loading = 'eager';
      await Promise.all(imgs.map((img) => (img.complete ? Promise.resolve() : img.decode()).catch(() => {})));
      return imgs.map((img, i) => ({
        index: i,
        src: (img.getAttribute('src') || '').slice(0, 120),
        alt: img.getAttribute('alt'),
        naturalWidth: img.naturalWidth,
        naturalHeight: img.naturalHeight,
        complete: img.complete,
      }));
    });
    result.images_total = images.length;
    result.images_not_decoded = images.filter((i) => !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0));

    // DOM probe (used by the injection tests).
    const probe = await page.evaluate(() => {
      const scripts = Array.from(document.querySelectorAll('script')).map((s) => ({
        src: s.getAttribute('src'),
        type: s.getAttribute('type'),
        text: (s.textContent || '').trim().slice(0, 120),
      }));
      const handlers = [];
      const jsUrls = [];
      for (const el of document.querySelectorAll('*')) {
        for (const attr of Array.from(el.attributes)) {
          const n = attr.name.toLowerCase();
          if (n.startsWith('on')) handlers.push({ tag: el.tagName.toLowerCase(), attr: n, value: attr.value.slice(0, 120) });
          if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'].includes(n)) {
            const v = attr.value.replace(/[\s\u0000-\u001f]+/g, '').toLowerCase();
            if (v.startsWith('javascript:') || v.startsWith('vbscript:')) {
              jsUrls.push({ tag: el.tagName.toLowerCase(), attr: n, value: attr.value.slice(0, 120) });
            }
          }
        }
      }
      return { scripts, handlers, jsUrls, pwned: Boolean(window.__pwned) };
    });
    result.scripts = probe.scripts;
    result.inline_handlers = probe.handlers;
    result.javascript_urls = probe.jsUrls;
    result.pwned = probe.pwned;
    if (opts.text) result.text = await page.evaluate(() => document.body ? document.body.innerText : '');

    // Screenshot first: the page exactly as the reader first sees it.
    if (opts.screenshots) {
      mkdirSync(opts.screenshots, { recursive: true });
      const shot = join(resolve(opts.screenshots), `${name}.png`);
      await page.screenshot({ path: shot, fullPage: true, animations: 'disabled' });
      result.screenshot = shot;
    }
    // Open every <details> (e.g. "Visa siffrorna i tabellform") so axe checks what they hold.
    result.details_opened = await page.evaluate(() => {
      const all = Array.from(document.querySelectorAll('details:not([open])'));
      for (const d of all) d.open = true;
      return all.length;
    });

    // axe-core, injected through the DevTools protocol (not subject to the page's CSP).
    await page.evaluate(axeSource);
    const axe = await page.evaluate(async (tags) => {
      // eslint-disable-next-line no-undef
      const r = await window.axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      return {
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          helpUrl: v.helpUrl,
          tags: v.tags.filter((t) => t.startsWith('wcag')),
          nodes: v.nodes.map((n) => ({
            target: n.target.map(String),
            html: n.html.slice(0, 300),
            summary: (n.failureSummary || '').slice(0, 400),
          })),
        })),
        incomplete: r.incomplete.length,
        passes: r.passes.length,
      };
    }, WCAG_TAGS);
    result.axe_violations = axe.violations;
    result.axe_incomplete = axe.incomplete;
    result.axe_passes = axe.passes;
  } catch (err) {
    result.error = String(err?.stack ?? err).slice(0, 2000);
  } finally {
    await context.close().catch(() => {});
  }
  return result;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (opts.help || opts.files.length === 0) {
    process.stderr.write('usage: check_page.mjs [--screenshots DIR] [--chromium PATH] [--text] [--concurrency N] FILE.html...\n');
    return opts.help ? 0 : 2;
  }
  const axeSource = readFileSync(AXE_PATH, 'utf8');
  // playwright-core always starts Chromium with a fresh temporary --user-data-dir of its own
  // (it refuses one in args); TMPDIR is pointed at a private folder so nothing is shared.
  const userDataDir = mkdtempSync(join(tmpdir(), 'check-page-'));
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: opts.chromium,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, TMPDIR: userDataDir, HOME: userDataDir },
    });
  } catch (err) {
    process.stderr.write(`Kunde inte starta Chromium (${opts.chromium}): ${err.message}\n`);
    rmSync(userDataDir, { recursive: true, force: true });
    return 2;
  }
  try {
    const results = new Array(opts.files.length);
    let next = 0;
    const worker = async () => {
      while (next < opts.files.length) {
        const i = next++;
        results[i] = await checkFile(browser, opts.files[i], opts, axeSource);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.files.length) }, worker));
    process.stdout.write(`${JSON.stringify({ chromium: browser.version(), axe: AXE_VERSION, wcag_tags: WCAG_TAGS, results }, null, 1)}\n`);
  } finally {
    await browser.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main();
