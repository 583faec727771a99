/**
 * The demo page: served on the site origin (the S3 website stand-in or an allowed local origin) and on the
 * foreign origin. It reads the plan from its own origin, makes every call with `fetch()` in this browser, and
 * shows a table of route x method x outcome: green when the browser let the page read the answer, red when it
 * blocked it, with the browser's error and the reason the preview found. The badge says what the module allows
 * (as its API answered a preflight at start-up) and, once the calls are done, what the browser let the page read,
 * in the same words as the summary. Results are also left in `window.__corsPreview` for tests.
 */

export type SiteRole = 'site' | 'foreign';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function demoPage(role: SiteRole, origin: string, allowed: boolean): string {
  const title = role === 'site' ? 'cors-gen preview: site origin' : 'cors-gen preview: foreign origin';
  const intro = allowed
    ? `Served from ${role === 'site' ? 'the site origin' : 'the foreign origin'}, which the module allows${role === 'foreign' ? ' too (it allows any origin, or a pattern matches this one)' : ''}: every route and the error route should be readable. A red row is a call the browser blocked, with its error and the reason the preview found.`
    : `Served from ${role === 'site' ? 'the site origin' : 'a foreign origin'}, which the module does not allow: the browser should block the calls to the API. A green row is a call this origin can read.`;
  const badge = allowed ? 'allowed origin' : 'not an allowed origin';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2328; }
  h1 { font-size: 1.4rem; margin-bottom: .25rem; }
  .role { display: inline-block; padding: .1rem .5rem; border-radius: .3rem; font-size: .8rem; font-weight: 600; color: #fff; background: #59636e; }
  .role.all { background: #1a7f37; } .role.some { background: #9a6700; } .role.none { background: #cf222e; }
  p.meta { color: #59636e; margin: .25rem 0; font-size: .9rem; }
  code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85em; }
  table { border-collapse: collapse; width: 100%; margin-top: 1rem; font-size: .9rem; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #d1d9e0; vertical-align: top; }
  th { background: #f6f8fa; }
  td.outcome { font-weight: 600; white-space: nowrap; }
  tr.ok td.outcome { color: #1a7f37; } tr.ok { background: #dafbe1; }
  tr.blocked td.outcome { color: #cf222e; } tr.blocked { background: #ffebe9; }
  tr.pending td.outcome { color: #9a6700; }
  .detail { color: #31363c; } .detail div + div { margin-top: .2rem; }
  .summary { margin-top: 1rem; font-weight: 600; }
  details { margin-top: 1.5rem; color: #59636e; font-size: .85rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)} <span class="role" id="badge">${escapeHtml(badge)}</span></h1>
<p class="meta">${escapeHtml(intro)}</p>
<p class="meta">This page: <code>${escapeHtml(origin)}</code> &middot; API: <code id="api">…</code> &middot; credentials: <code id="credentials">…</code></p>
<table>
  <thead><tr><th>Call</th><th>Route</th><th>Outcome</th><th>Detail</th></tr></thead>
  <tbody id="results"></tbody>
</table>
<p class="summary" id="summary">Running…</p>
<details><summary>Behaviour AWS does not document, assumed by the preview</summary><ul id="assumptions"></ul></details>
<script>
(async () => {
  const state = { done: false, role: ${JSON.stringify(role)}, allowed: ${JSON.stringify(allowed)}, origin: location.origin, results: [] };
  window.__corsPreview = state;
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  const plan = await (await fetch('/__preview/plan.json', { cache: 'no-store' })).json();
  document.getElementById('api').textContent = plan.api;
  document.getElementById('credentials').textContent = plan.credentials ? 'include (cookies, Authorization)' : 'same-origin';
  for (const a of plan.assumptions) document.getElementById('assumptions').append(el('li', a));
  const tbody = document.getElementById('results');
  for (const call of plan.calls) {
    const row = el('tr', undefined, 'pending');
    row.dataset.callId = call.id;
    const label = call.kind === 'route' ? call.method + ' ' + new URL(call.url).pathname : (call.kind === 'error' ? 'error route: ' : 'unknown path: ') + call.method + ' ' + new URL(call.url).pathname;
    const outcome = el('td', 'running…', 'outcome');
    const detail = el('td', undefined, 'detail');
    const route = call.kind === 'gateway' ? 'none: API Gateway answers itself' : call.route;
    row.append(el('td', label), el('td', route + (Object.keys(call.headers).length ? '  [' + Object.keys(call.headers).join(', ') + ']' : '')), outcome, detail);
    tbody.append(row);
    const result = { id: call.id, kind: call.kind, method: call.method, url: call.url, ok: false };
    try {
      const response = await fetch(call.url, { method: call.method, headers: call.headers, body: call.body, credentials: call.credentials, mode: 'cors', cache: 'no-store', redirect: 'manual' });
      const text = await response.text();
      result.ok = true;
      result.status = response.status;
      result.body = text.slice(0, 300);
      result.exposed = {};
      for (const name of plan.exposeHeaders) result.exposed[name] = response.headers.get(name);
      row.className = 'ok';
      outcome.textContent = 'readable: ' + response.status;
      detail.append(el('div', text.length > 120 ? text.slice(0, 117) + '…' : text || '(empty body)'));
      for (const [name, value] of Object.entries(result.exposed)) detail.append(el('div', name + ': ' + (value === null ? '(not readable)' : value)));
    } catch (error) {
      result.error = String(error);
      row.className = 'blocked';
      outcome.textContent = 'blocked';
      detail.append(el('div', 'browser: ' + String(error)));
      try {
        const why = await (await fetch('/__preview/explain?id=' + encodeURIComponent(call.id), { cache: 'no-store' })).json();
        result.reasons = why.reasons;
        for (const reason of why.reasons) detail.append(el('div', reason));
      } catch {}
    }
    state.results.push(result);
  }
  const ok = state.results.filter((r) => r.ok).length;
  const readable = ok + ' of ' + state.results.length + ' calls readable';
  document.getElementById('summary').textContent = readable + ', ' + (state.results.length - ok) + ' blocked by the browser.';
  // The badge ends with what the browser decided, so it never reads "allowed" above a page of blocked calls.
  const badge = document.getElementById('badge');
  badge.textContent = ${JSON.stringify(badge)} + ': ' + readable;
  badge.className = 'role ' + (ok === state.results.length ? 'all' : ok === 0 ? 'none' : 'some');
  state.badge = badge.textContent;
  state.summary = document.getElementById('summary').textContent;
  state.done = true;
})().catch((e) => { document.getElementById('summary').textContent = 'The demo failed: ' + e; window.__corsPreview = { done: true, failed: String(e), results: [] }; });
</script>
</body>
</html>
`;
}
