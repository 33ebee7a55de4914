// The mab operator dashboard. Plain JavaScript, no framework, no build step. Every value from
// the API reaches the page through textContent or an attribute, never as HTML, and the page
// holds no data until the operator signs in with a token; the token lives in this tab's
// sessionStorage only and is sent as "Authorization: Bearer ...".
'use strict';

(() => {
  const TOKEN_KEY = 'mab.token';
  const PAGE_SIZE = 25;
  const FLAG_TYPES = ['INCOMPLETE', 'UNACKNOWLEDGED', 'UNDELIVERED', 'NO_FEEDBACK',
    'CONCERNS_NOT_ADDRESSED', 'HIGH_RISK_MISSING', 'CSE_CONSIDERATION',
    'RETURN_INTERVIEW_OVERDUE', 'DUE_SOON', 'DATA_QUALITY'];
  // A stream that has sent nothing, not even its 15 s heartbeat, for this long is dead.
  const STREAM_SILENCE_MS = 45000;

  const main = document.getElementById('main');
  const state = {
    generation: 0,      // bumps on every render; a slower, older render gives way
    agencies: null,     // cached /api/v1/agencies items, for the filters
    refreshTimer: null,
    held: false,        // a live update is waiting because the operator is typing
    navigating: false,  // a render for a navigation is under way: it moves focus when done
    changes: 0,
  };

  // ---------------------------------------------------------------- DOM helpers

  function append(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  // h('a', {href: '#/', class: 'x', onclick: fn}, 'text', child...)
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    return append(el, children);
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) el.setAttribute(k, String(v));
    }
    return append(el, children);
  }

  function announce(text) {
    const region = document.getElementById('announce');
    region.textContent = '';
    // A fresh text node after clearing makes screen readers speak repeated messages too.
    setTimeout(() => { region.textContent = text; }, 50);
  }

  // ---------------------------------------------------------------- formatting

  const dateTime = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
    second: '2-digit',
  });
  const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

  function when(iso) {
    if (!iso) return h('span', { class: 'muted' }, '—');
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return h('time', { datetime: iso }, dateTime.format(d));
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 10) return `${Math.max(0, Math.round(seconds * 10) / 10)} s`;
    const v = Math.round(seconds);
    if (v < 60) return `${v} s`;
    if (v < 600 && v % 60) return `${Math.floor(v / 60)} min ${v % 60} s`;
    if (v < 3600) return `${Math.round(v / 60)} min`;
    if (v < 86400) {
      const m = Math.round((v % 3600) / 60);
      return `${Math.floor(v / 3600)} h${m ? ` ${m} min` : ''}`;
    }
    const hours = Math.round((v % 86400) / 3600);
    const days = Math.floor(v / 86400);
    return `${days} day${days === 1 ? '' : 's'}${hours ? ` ${hours} h` : ''}`;
  }

  const isPast = (iso) => Boolean(iso) && new Date(iso).getTime() < Date.now();
  const words = (s) => String(s || '').toLowerCase().replace(/_/g, ' ');

  function badge(text, kind) {
    return h('span', { class: `badge ${kind || ''}` }, text);
  }
  function flagBadge(type, raised = true) {
    return badge(type, raised ? 'flag' : 'cleared');
  }
  function stateBadge(st) {
    const kinds = { open: 'open', complete: 'ok', acknowledged: 'ok', raised: 'flag',
      cleared: 'cleared', overdue: 'flag', fulfilled: 'ok' };
    return badge(words(st), kinds[st] || 'neutral');
  }

  // ---------------------------------------------------------------- the API

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  const token = () => sessionStorage.getItem(TOKEN_KEY);

  // `action` completes "Your role may not ..." when the answer is 403.
  async function api(path, { method = 'GET', body, action = 'see this' } = {}) {
    const headers = { Authorization: `Bearer ${token()}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, {
        method, headers, cache: 'no-store', credentials: 'omit',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'network', 'mabd did not answer. Check that it is running.');
    }
    if (res.status === 401) {
      signOut('Your token was not accepted: it may have been revoked or mistyped. Sign in again.');
      throw new ApiError(401, 'unauthenticated', 'Sign in again.');
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.status === 403) throw new ApiError(403, 'forbidden', `Your role may not ${action}.`);
    if (!res.ok) {
      const msg = data && data.error && data.error.message;
      throw new ApiError(res.status, data && data.error && data.error.code,
        msg ? `${msg} (${res.status})` : `The request failed (${res.status}).`);
    }
    return data;
  }

  async function agencies() {
    if (!state.agencies) {
      const list = await api('/api/v1/agencies?limit=500', { action: 'list agencies' });
      state.agencies = list.items || [];
    }
    return state.agencies;
  }

  // ---------------------------------------------------------------- live updates

  const live = { controller: null, timer: null, watchdog: null, attempt: 0, lastByte: 0 };

  function setLive(mode, detail) {
    const el = document.getElementById('live');
    const text = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…',
      off: 'Not live' }[mode];
    el.dataset.state = mode;
    document.getElementById('live-text').textContent = text;
    el.title = detail || '';
  }

  function stopLive() {
    if (live.controller) live.controller.abort();
    live.controller = null;
    clearTimeout(live.timer);
    clearInterval(live.watchdog);
    setLive('off');
  }

  // EventSource cannot send an Authorization header, so the stream is read with fetch() and a
  // streamed body reader, and the SSE framing is parsed here.
  async function startLive() {
    stopLive();
    if (!token()) return;
    const ctrl = new AbortController();
    live.controller = ctrl;
    setLive(live.attempt ? 'reconnecting' : 'connecting');
    try {
      const res = await fetch('/api/v1/events', {
        headers: { Authorization: `Bearer ${token()}`, Accept: 'text/event-stream' },
        cache: 'no-store', credentials: 'omit', signal: ctrl.signal,
      });
      if (res.status === 401) {
        signOut('Your token was not accepted: it may have been revoked. Sign in again.');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`the event stream answered ${res.status}`);
      live.attempt = 0;
      live.lastByte = Date.now();
      live.watchdog = setInterval(() => {
        if (Date.now() - live.lastByte > STREAM_SILENCE_MS) ctrl.abort();
      }, 5000);
      setLive('live', 'Changes to the ledger appear without reloading.');
      // What changed between the page's last load and now would otherwise be missed.
      scheduleRefresh();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        live.lastByte = Date.now();
        buffer += value;
        let end;
        while ((end = buffer.search(/\r\n\r\n|\n\n|\r\r/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + (buffer.startsWith('\r\n\r\n', end) ? 4 : 2));
          onStreamBlock(block);
        }
      }
    } catch (e) {
      // Aborted on purpose (sign-out, watchdog) or the connection failed: both retry below.
    }
    clearInterval(live.watchdog);
    if (live.controller !== ctrl || !token()) return;  // replaced or signed out meanwhile
    const delay = Math.min(30000, 1000 * 2 ** live.attempt);
    live.attempt += 1;
    setLive('reconnecting', `Trying again in ${Math.round(delay / 1000)} s.`);
    live.timer = setTimeout(startLive, delay);
  }

  function onStreamBlock(block) {
    let name = 'message';
    const data = [];
    for (const line of block.split(/\r\n|\r|\n/)) {
      if (line === '' || line.startsWith(':')) continue;  // comments are heartbeats
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (name !== 'ledger' || data.length === 0) return;
    let event = null;
    try { event = JSON.parse(data.join('\n')); } catch (e) { return; }
    if (!event || typeof event !== 'object') return;
    state.changes += 1;
    scheduleRefresh();
  }

  // Something is being typed (an acknowledgement note, a reveal reason): a redraw would lose
  // it, so the update waits until that form is closed.
  function typing() {
    return document.getElementById('reveal').open || Boolean(main.querySelector('form.ack-form'));
  }

  function hold() {
    state.held = true;
    const note = main.querySelector('.held');
    if (note) note.hidden = false;
  }

  // Events come in bursts (a deadline raises a flag, notes the timeline and sends it): one
  // redraw for the burst.
  function scheduleRefresh() {
    if (typing()) return hold();
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(() => {
      if (typing()) hold();
      else render({ quiet: true });
    }, 300);
  }

  function releaseHeld() {
    if (state.held && !typing()) {
      state.held = false;
      scheduleRefresh();
    }
  }

  // ---------------------------------------------------------------- routing and rendering

  function route() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    let m;
    if (path === '/' || path === '/overview') return { name: 'overview', view: overviewView, params };
    if (path === '/transfers') return { name: 'transfers', view: transfersView, params };
    if ((m = path.match(/^\/transfers\/([^/]+)$/))) {
      let id = m[1];
      try { id = decodeURIComponent(id); } catch (e) { /* a stray %: take it as typed */ }
      return { name: 'transfers', view: transferView, params, id };
    }
    if (path === '/agencies') return { name: 'agencies', view: agenciesView, params };
    return { name: '', view: notFoundView, params };
  }

  async function render({ quiet = false } = {}) {
    const generation = ++state.generation;
    // A live refresh that overtakes a navigation still owes it the navigation's focus move.
    if (!quiet) state.navigating = true;
    if (!token()) {
      state.navigating = false;
      showSignedIn(false);
      main.replaceChildren(loginView());
      if (!quiet) main.querySelector('input').focus();
      return;
    }
    showSignedIn(true);
    const r = route();
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === r.name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (!quiet) main.setAttribute('aria-busy', 'true');
    let content;
    try {
      content = await r.view(r);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      content = h('section', {}, h('h1', {}, 'Could not load this page'),
        h('p', { class: 'notice error', role: 'alert' }, e.message || String(e)),
        h('p', {}, h('button', { type: 'button', onclick: () => render() }, 'Try again')));
    }
    if (generation !== state.generation) return;  // a newer render is under way
    main.removeAttribute('aria-busy');
    const navigated = state.navigating;
    state.navigating = false;
    const active = document.activeElement;
    const hadFocus = active && main.contains(active) && active !== main;
    const focusedId = hadFocus ? active.id : '';
    const headingHadFocus = hadFocus && active.tagName === 'H1';
    main.replaceChildren(content);
    const heading = main.querySelector('h1');
    if (heading) heading.setAttribute('tabindex', '-1');
    if (navigated) {
      document.title = `${heading ? heading.textContent : 'mab'} — mab`;
      if (heading) heading.focus();
    } else {
      // Keep the operator where they were: the same control, or the page's heading.
      const again = focusedId && document.getElementById(focusedId);
      if (again) again.focus();
      else if (headingHadFocus && heading) heading.focus();
    }
    if (quiet && state.changes) announce(`Updated at ${clock.format(new Date())}.`);
    state.changes = 0;
  }

  function showSignedIn(on) {
    document.getElementById('nav').hidden = !on;
    document.getElementById('session').hidden = !on;
  }

  let signOutMessage = '';
  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.agencies = null;
    stopLive();
    const dialog = document.getElementById('reveal');
    if (dialog.open) dialog.close();
    signOutMessage = message || '';
    if (location.hash && location.hash !== '#/') history.replaceState(null, '', '#/');
    render();
  }

  // ---------------------------------------------------------------- sign in

  function loginView() {
    const error = h('p', { class: 'notice error', role: 'alert', id: 'login-error' },
      signOutMessage);
    error.hidden = !signOutMessage;
    signOutMessage = '';
    const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off',
      spellcheck: 'false', required: true, 'aria-describedby': 'token-help login-error' });
    const form = h('form', { class: 'login', novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      const value = input.value.trim();
      if (!value) {
        error.textContent = 'Paste your access token first.';
        error.hidden = false;
        input.focus();
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, value);
      try {
        await api('/api/v1/overview');
      } catch (e) {
        if (e.status === 401) {
          signOut('That token was not recognised.');
          return;
        }
        if (e.status !== 403) {
          sessionStorage.removeItem(TOKEN_KEY);
          error.textContent = e.message;
          error.hidden = false;
          return;
        }
      }
      live.attempt = 0;
      startLive();
      render();
    } },
    h('label', { for: 'token' }, 'Access token'),
    h('p', { id: 'token-help', class: 'help' },
      'The token you were issued (it starts with mab_). It is kept in this browser tab only.'),
    input,
    error,
    h('button', { type: 'submit' }, 'Sign in'));
    return h('section', { class: 'login-page' }, h('h1', {}, 'Sign in'),
      h('p', {}, 'The safeguarding ledger: transfers of children\'s records between areas, ' +
        'what is overdue, who owes it, and who has been told.'), form);
  }

  // ---------------------------------------------------------------- charts

  // A table whose rows carry a bar drawn to scale: the numbers are real text (for screen
  // readers and for copying) and the bars make the large ones stand out.
  function barTable({ caption, label, rows, empty, format = String, cls = '' }) {
    if (!rows.length) return h('p', { class: 'muted' }, empty);
    const max = Math.max(1, ...rows.map((r) => r.value));
    return h('table', { class: `bars ${cls}` },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, label),
        h('th', { scope: 'col', class: 'num' }, 'Count'),
        h('th', { scope: 'col', class: 'bar-col' }, h('span', { class: 'visually-hidden' }, 'Bar')))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('th', { scope: 'row' }, r.href ? h('a', { href: r.href }, r.label) : r.label),
        h('td', { class: 'num' }, format(r.value)),
        h('td', { class: 'bar-col', 'aria-hidden': 'true' },
          s('svg', { class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none',
            focusable: 'false' },
          s('rect', { x: 0, y: 0, width: Math.max(0.5, (100 * r.value) / max), height: 10,
            class: r.cls || '' })))))));
  }

  // The smallest "round" value at or above `v`, so the axis reads 0, 15 min, 30 min... rather
  // than 0, 13.7 min, ...; `steps` are the round values in the data's unit.
  function niceCeil(v, steps) {
    for (const step of steps) if (v <= step) return step;
    const last = steps[steps.length - 1];
    return Math.ceil(v / last) * last;
  }
  // Each divides by four into values duration() writes exactly (15 s, 1 min, 6 h, 1 day...).
  const DURATION_STEPS = [1, 2, 4, 10, 20, 40, 60, 120, 240, 480, 1200, 2400, 3600, 7200, 14400,
    28800, 57600, 86400, 172800, 345600, 691200, 1382400];
  const COUNT_STEPS = [4, 8, 12, 20, 40, 60, 100, 200, 400, 1000];

  // Horizontal grouped bars for the agency scorecards, with an axis. `series` names each bar of
  // a group ({key, name, cls}); an agency with no value for any series says so once.
  function groupedBars({ title, desc, rows, series, format, idBase, steps }) {
    const labelW = 170;
    const width = 900;
    const plotW = width - labelW - 90;
    const barH = 20;
    const groupH = series.length * barH + 14;
    const top = 30;
    const height = top + rows.length * groupH + 8;
    const max = niceCeil(Math.max(0, ...rows.flatMap((r) => series.map((k) => r[k.key] || 0))), steps);
    const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-labelledby': `${idBase}-title ${idBase}-desc`, focusable: 'false' },
    s('title', { id: `${idBase}-title` }, title),
    s('desc', { id: `${idBase}-desc` }, desc));
    for (let i = 0; i <= 4; i += 1) {
      const x = labelW + (plotW * i) / 4;
      svg.append(s('line', { x1: x, x2: x, y1: top - 8, y2: height - 4, class: 'grid' }),
        s('text', { x, y: top - 14, class: 'axis', 'text-anchor': 'middle' },
          format((max * i) / 4)));
    }
    rows.forEach((r, i) => {
      const y0 = top + i * groupH;
      svg.append(s('text', { x: labelW - 12, y: y0 + (series.length * barH) / 2 + 5,
        class: 'label', 'text-anchor': 'end' }, r.label));
      if (series.every((k) => r[k.key] === null || r[k.key] === undefined)) {
        svg.append(s('text', { x: labelW + 8, y: y0 + (series.length * barH) / 2 + 5,
          class: 'axis' }, r.none || 'no data'));
        return;
      }
      series.forEach((k, j) => {
        const v = r[k.key] || 0;
        const y = y0 + j * barH;
        const w = Math.max(2, (plotW * v) / max);
        svg.append(s('rect', { x: labelW, y: y + 2, width: w, height: barH - 5, class: k.cls },
          s('title', {}, `${r.label}, ${k.name}: ${format(v)}`)),
        s('text', { x: labelW + w + 6, y: y + barH - 5, class: 'value' }, format(v)));
      });
    });
    const legend = series.length < 2 ? null : h('ul', { class: 'legend', 'aria-hidden': 'true' },
      series.map((k) => h('li', {}, s('svg', { viewBox: '0 0 10 10', class: 'swatch' },
        s('rect', { width: 10, height: 10, class: k.cls })), k.name)));
    return h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), legend, svg);
  }

  // ---------------------------------------------------------------- overview

  async function overviewView() {
    const o = await api('/api/v1/overview', { action: 'see the overview' });
    const byType = Object.entries(o.raised_flags_by_type || {}).sort((a, b) => b[1] - a[1]);
    const byArea = Object.entries(o.raised_flags_by_area || {}).sort((a, b) => b[1] - a[1]);
    const stat = (label, value, href, alert) => {
      const inner = [h('span', { class: 'stat-value' }, String(value)),
        h('span', { class: 'stat-label' }, label)];
      return h('li', { class: `stat${alert && value ? ' alert' : ''}` },
        href ? h('a', { href }, inner) : h('div', {}, inner));
    };
    const oldest = o.oldest_overdue || [];
    return h('section', { class: 'overview' },
      h('div', { class: 'heading-row' }, h('h1', {}, 'Overview'),
        h('p', { class: 'muted' }, 'As of ', when(o.at))),
      h('ul', { class: 'stats', 'aria-label': 'Counts' },
        stat('Open transfers', o.open_transfers, '#/transfers?state=open'),
        stat('Raised flags', o.raised_flags, null, true),
        stat('Overdue obligations', o.overdue_obligations, null, true),
        stat('Due soon', o.due_soon, null, false)),
      h('div', { class: 'columns' },
        h('section', { 'aria-labelledby': 'by-type' }, h('h2', { id: 'by-type' }, 'Raised flags by type'),
          barTable({ caption: 'Raised flags by type', label: 'Flag type', empty: 'No flag is raised.',
            rows: byType.map(([k, v]) => ({ label: k, value: v, cls: 'flag',
              href: `#/transfers?state=open&flag=${encodeURIComponent(k)}` })) })),
        h('section', { 'aria-labelledby': 'by-area' }, h('h2', { id: 'by-area' }, 'Raised flags by area'),
          barTable({ caption: 'Raised flags by area', label: 'Area', empty: 'No flag is raised.',
            rows: byArea.map(([k, v]) => ({ label: k, value: v, cls: 'area',
              href: k === 'unknown' ? null : `#/transfers?area=${encodeURIComponent(k)}` })) }))),
      h('section', { 'aria-labelledby': 'oldest' },
        h('h2', { id: 'oldest' }, 'Oldest overdue first'),
        oldest.length === 0 ? h('p', { class: 'muted' }, 'Nothing is overdue.') :
          h('table', { class: 'list' },
            h('caption', { class: 'visually-hidden' }, 'Overdue items, oldest first'),
            h('thead', {}, h('tr', {}, ['Overdue by', 'Was due', 'What', 'Owed by', 'Subject',
              'Transfer'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, oldest.map((i) => h('tr', {},
              h('td', { class: 'late' }, duration(i.overdue_seconds)),
              h('td', {}, when(i.due_at)),
              h('td', {}, i.flag_type ? flagBadge(i.flag_type) : words(i.kind)),
              h('td', {}, i.owed_by || '—'),
              h('td', {}, h('code', {}, i.subject_key || '—')),
              h('td', {}, i.transfer_id
                ? h('a', { href: `#/transfers/${encodeURIComponent(i.transfer_id)}` }, i.transfer_id)
                : '—')))))));
  }

  // ---------------------------------------------------------------- transfers

  async function transfersView(r) {
    const p = r.params;
    const filters = {
      state: p.get('state') || '', flag: p.get('flag') || '', area: p.get('area') || '',
      agency: p.get('agency') || '',
    };
    const offset = Math.max(0, parseInt(p.get('offset') || '0', 10) || 0);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    q.set('limit', String(PAGE_SIZE));
    q.set('offset', String(offset));
    const [list, known] = await Promise.all([
      api(`/api/v1/transfers?${q}`, { action: 'list transfers' }),
      agencies().catch(() => []),
    ]);
    const items = list.items || [];
    const areas = [...new Set(known.map((a) => a.area).concat(filters.area ? [filters.area] : []))].sort();

    const select = (id, label, value, options) => h('div', { class: 'field' },
      h('label', { for: id }, label),
      h('select', { id, name: id }, options.map(([v, text]) =>
        h('option', { value: v, selected: v === value }, text))));
    const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter transfers',
      onsubmit: (ev) => {
        ev.preventDefault();
        const next = new URLSearchParams();
        for (const k of ['state', 'flag', 'area', 'agency']) {
          const v = form.elements[`f-${k}`].value;
          if (v) next.set(k, v);
        }
        location.hash = `#/transfers${next.toString() ? `?${next}` : ''}`;
      } },
    select('f-state', 'State', filters.state, [['', 'Any'], ['open', 'Open'], ['complete', 'Complete']]),
    select('f-flag', 'Open flag', filters.flag, [['', 'Any']].concat(FLAG_TYPES.map((t) => [t, t]))),
    select('f-area', 'Area', filters.area, [['', 'Any']].concat(areas.map((a) => [a, a]))),
    select('f-agency', 'Agency', filters.agency,
      [['', 'Any']].concat(known.map((a) => [a.id, `${a.id} (${a.name || a.kind})`]))),
    h('div', { class: 'field buttons' }, h('button', { type: 'submit', id: 'f-apply' }, 'Apply filters'),
      h('a', { href: '#/transfers', class: 'button quiet' }, 'Clear')));

    const from = items.length ? offset + 1 : 0;
    const to = offset + items.length;
    const table = items.length === 0
      ? h('p', { class: 'muted', id: 'transfers-empty' }, 'No transfer matches these filters.')
      : h('table', { class: 'list', id: 'transfers-table' },
        h('caption', {}, `Transfers ${from}–${to}`),
        h('thead', {}, h('tr', {}, ['Transfer', 'Subject', 'From → to', 'Opened', 'State',
          'Parts acknowledged', 'Open flags'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.map((t) => h('tr', { 'data-transfer': t.transfer_id },
          h('th', { scope: 'row' }, h('a', { href: `#/transfers/${encodeURIComponent(t.transfer_id)}` },
            t.transfer_id)),
          h('td', {}, h('code', {}, t.subject_key)),
          h('td', {}, `${t.from_area} → ${t.to_area}`),
          h('td', {}, when(t.opened_at)),
          h('td', {}, stateBadge(t.state)),
          h('td', {}, partsMeter(t.parts_acknowledged, t.parts_expected)),
          h('td', { class: 'flags-cell' }, (t.open_flags || []).length
            ? [...new Set(t.open_flags)].map((f) => flagBadge(f))
            : h('span', { class: 'muted' }, 'none'))))));

    const pageLink = (label, off, id) => {
      const next = new URLSearchParams(p);
      next.set('offset', String(off));
      return h('a', { href: `#/transfers?${next}`, class: 'button quiet', id }, label);
    };
    const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of transfers' },
      offset > 0 ? pageLink('← Previous page', Math.max(0, offset - PAGE_SIZE), 'page-prev') : null,
      h('span', {}, `Page ${Math.floor(offset / PAGE_SIZE) + 1}`),
      list.next_offset !== null && list.next_offset !== undefined
        ? pageLink('Next page →', list.next_offset, 'page-next') : null);
    return h('section', { class: 'transfers' }, h('h1', {}, 'Transfers'), form, table, pager);
  }

  function partsMeter(done, expected) {
    return h('span', { class: 'parts' },
      h('meter', { min: 0, max: Math.max(1, expected), value: done,
        'aria-label': `${done} of ${expected} parts acknowledged` }),
      ` ${done} of ${expected}`);
  }

  // ---------------------------------------------------------------- one transfer

  async function transferView(r) {
    const t = await api(`/api/v1/transfers/${encodeURIComponent(r.id)}`, { action: 'see transfers' });
    const flags = t.flags || [];
    const parts = t.parts || [];
    const held = h('p', { class: 'notice held', role: 'status' },
      'The ledger has changed; this page will update when you finish or cancel.');
    held.hidden = !state.held;
    return h('section', { class: 'transfer' },
      h('p', { class: 'crumbs' }, h('a', { href: '#/transfers' }, '← All transfers')),
      h('div', { class: 'heading-row' }, h('h1', {}, `Transfer ${t.transfer_id}`), stateBadge(t.state)),
      held,
      h('dl', { class: 'facts' },
        h('dt', {}, 'From → to'), h('dd', {}, `${t.from_area} → ${t.to_area}`),
        h('dt', {}, 'Opened'), h('dd', {}, when(t.opened_at)),
        t.completed_at ? [h('dt', {}, 'Completed'), h('dd', {}, when(t.completed_at))] : null,
        h('dt', {}, 'Reason'), h('dd', {}, t.reason || '—'),
        h('dt', {}, 'Subject'), h('dd', {}, h('code', { id: 'subject-key' }, t.subject_key), ' ',
          h('button', { type: 'button', class: 'small', id: 'reveal-open',
            onclick: () => openReveal(t.subject_key) }, 'Reveal identity…')),
        h('dt', {}, 'Parts'), h('dd', {}, partsMeter(t.parts_acknowledged, t.parts_expected))),
      h('section', { 'aria-labelledby': 'flags-h' }, h('h2', { id: 'flags-h' }, 'Flags'),
        flags.length === 0 ? h('p', { class: 'muted' }, 'No flag has been raised on this transfer.')
          : h('ul', { class: 'flag-list' }, flags.map(flagCard))),
      h('section', { 'aria-labelledby': 'parts-h' }, h('h2', { id: 'parts-h' }, 'Expected parts'),
        partsTable(parts)),
      h('section', { 'aria-labelledby': 'timeline-h' }, h('h2', { id: 'timeline-h' }, 'Timeline'),
        timeline(t)));
  }

  function partsTable(parts) {
    if (!parts.length) return h('p', { class: 'muted' }, 'No part is expected.');
    return h('table', { class: 'list' },
      h('caption', { class: 'visually-hidden' }, 'Expected parts of the record'),
      h('thead', {}, h('tr', {}, ['Part', 'Owed by', 'Why', 'Due', 'State', 'Sent',
        'Acknowledged', 'To'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, parts.map((p) => {
        const late = !p.sent_at && p.state !== 'acknowledged' && isPast(p.due_at);
        return h('tr', { class: late ? 'late-row' : '' },
          h('th', { scope: 'row' }, words(p.kind)),
          h('td', { class: 'id' }, p.owed_by),
          h('td', {}, p.why || '—'),
          h('td', {}, when(p.due_at), late ? [' ', badge('overdue', 'flag')] : null),
          h('td', {}, stateBadge(p.state),
            p.pieces_total > 1 ? ` ${p.pieces_acked}/${p.pieces_total} pieces` : null),
          h('td', {}, when(p.sent_at)),
          h('td', {}, when(p.acked_at)),
          h('td', { class: 'id' }, p.recipient || '—'));
      })));
  }

  function flagCard(f) {
    const raised = f.state === 'raised';
    const id = `flag-${f.flag_id}`;
    const acked = f.acked_by
      ? h('p', { class: 'acked' }, `Acknowledged by ${f.acked_by}`, f.acked_at ? [' at ', when(f.acked_at)] : null,
        f.ack_note ? [': ', h('q', {}, f.ack_note)] : null)
      : null;
    const card = h('li', { class: `flag-card${raised ? ' raised' : ''}`, id, 'data-flag-type': f.flag_type },
      h('h3', {}, flagBadge(f.flag_type, raised), ' ', stateBadge(f.state),
        h('span', { class: 'visually-hidden' }, ` flag ${f.flag_id}`)),
      h('dl', { class: 'facts compact' },
        h('dt', {}, 'Owed by'), h('dd', {}, f.owed_by || '—'),
        h('dt', {}, 'Raised'), h('dd', {}, when(f.raised_at)),
        f.due_at ? [h('dt', {}, 'Was due'), h('dd', {}, when(f.due_at))] : null,
        f.cleared_at ? [h('dt', {}, 'Cleared'), h('dd', {}, when(f.cleared_at))] : null,
        h('dt', {}, 'Told'), h('dd', {}, (f.recipients || []).join(', ') || '—',
          f.sends > 1 ? ` (sent ${f.sends} times)` : null),
        f.detail ? [h('dt', {}, 'Detail'), h('dd', {}, f.detail)] : null),
      acked);
    if (raised) {
      const open = h('button', { type: 'button', class: 'small', id: `ack-open-${f.flag_id}`,
        onclick: () => showAckForm(card, f, open) }, f.acked_by ? 'Acknowledge again…' : 'Acknowledge…');
      card.append(open);
    }
    return card;
  }

  function showAckForm(card, f, opener) {
    opener.hidden = true;
    const noteId = `ack-note-${f.flag_id}`;
    const error = h('p', { class: 'notice error', role: 'alert' });
    error.hidden = true;
    const note = h('textarea', { id: noteId, name: 'note', rows: 3, required: true, maxlength: 2000,
      'aria-describedby': `${noteId}-help` });
    const submit = h('button', { type: 'submit', id: `ack-submit-${f.flag_id}` }, 'Acknowledge flag');
    const close = () => {
      form.remove();
      opener.hidden = false;
      opener.focus();
      releaseHeld();
    };
    // novalidate: our own message (announced, next to the field) instead of the browser's bubble.
    const form = h('form', { class: 'ack-form', novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      const text = note.value.trim();
      if (!text) {
        error.textContent = 'Write a note: what you did or will do about this flag.';
        error.hidden = false;
        note.focus();
        return;
      }
      submit.disabled = true;
      try {
        await api(`/api/v1/flags/${encodeURIComponent(f.flag_id)}/ack`, {
          method: 'POST', body: { note: text }, action: 'acknowledge flags' });
        form.remove();
        announce(`${f.flag_type} flag acknowledged.`);
        state.held = false;
        await render({ quiet: true });
        const again = document.getElementById(`flag-${f.flag_id}`);
        if (again) {
          again.setAttribute('tabindex', '-1');
          again.focus();
        }
      } catch (e) {
        if (e.status === 401) return;
        submit.disabled = false;
        error.textContent = e.message;
        error.hidden = false;
      }
    } },
    h('label', { for: noteId }, `Note for the ${f.flag_type} flag (required)`),
    h('p', { class: 'help', id: `${noteId}-help` },
      'Say what you did or will do. The note and your token\'s name go in the audit trail; the flag stays raised until its cause is resolved.'),
    note, error,
    h('div', { class: 'actions' }, submit,
      h('button', { type: 'button', class: 'quiet', onclick: close }, 'Cancel')));
    form.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') close(); });
    card.append(form);
    note.focus();
  }

  // Everything that happened to the transfer, in time order: the ledger's own timeline (opened,
  // each part expected, sent, delivered and acknowledged, flags raised, completion) and what it
  // does not note: operators' acknowledgements of flags, flags clearing, and any flag raised
  // that it did not mention.
  function timeline(t) {
    const events = [];
    const add = (at, kind, text) => { if (at) events.push({ at, kind, text }); };
    const ledger = t.timeline || [];
    for (const e of ledger) {
      const kind = / raised[: ]/.test(e.what) ? 'flag'
        : /^(acknowledged|complete)/.test(e.what) ? 'ok' : 'ledger';
      add(e.at, kind, e.what);
    }
    for (const f of t.flags || []) {
      if (!ledger.some((e) => e.what.startsWith(`${f.flag_type} raised`))) {
        add(f.raised_at, 'flag', `${f.flag_type} raised against ${f.owed_by || 'nobody'}; told ${(f.recipients || []).join(', ') || 'nobody'}`);
      }
      if (f.acked_at) add(f.acked_at, 'ack', `${f.flag_type} acknowledged by ${f.acked_by}${f.ack_note ? `: “${f.ack_note}”` : ''}`);
      add(f.cleared_at, 'ok', `${f.flag_type} cleared`);
    }
    events.sort((a, b) => new Date(a.at) - new Date(b.at));
    if (!events.length) return h('p', { class: 'muted' }, 'Nothing has happened yet.');
    return h('ol', { class: 'timeline' }, events.map((e) => h('li', { class: `tl-${e.kind}` },
      when(e.at), h('span', { class: 'tl-text' }, e.text))));
  }

  // ---------------------------------------------------------------- reveal

  const reveal = {
    dialog: document.getElementById('reveal'),
    form: document.getElementById('reveal-form'),
    reason: document.getElementById('reveal-reason'),
    error: document.getElementById('reveal-error'),
    identity: document.getElementById('reveal-identity'),
    submit: document.getElementById('reveal-submit'),
    key: '',
  };

  function openReveal(key) {
    reveal.key = key;
    document.getElementById('reveal-key').textContent = key;
    reveal.reason.value = '';
    reveal.reason.disabled = false;
    reveal.submit.hidden = false;
    reveal.submit.disabled = false;
    reveal.error.hidden = true;
    reveal.identity.replaceChildren();
    reveal.identity.hidden = true;
    reveal.dialog.showModal();
    reveal.reason.focus();
  }

  reveal.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const reason = reveal.reason.value.trim();
    if (reason.length < 5) {
      reveal.error.textContent = 'Give a reason of at least 5 characters: it goes in the audit trail.';
      reveal.error.hidden = false;
      reveal.reason.focus();
      return;
    }
    reveal.submit.disabled = true;
    try {
      const r = await api(`/api/v1/subjects/${encodeURIComponent(reveal.key)}/reveal`, {
        method: 'POST', body: { reason }, action: 'reveal a child\'s identity' });
      const id = r.identity || {};
      const row = (label, value) => (value ? [h('dt', {}, label), h('dd', {}, value)] : null);
      const name = [id.given_name, id.family_name].filter(Boolean).join(' ');
      reveal.identity.replaceChildren(
        h('h3', {}, 'Identity'),
        h('dl', { class: 'facts' },
          row('Name', name),
          row('Date of birth', id.date_of_birth),
          row('NHS number', id.nhs_number),
          row('UPN', id.upn),
          (id.local_ids || []).map((l) => row(`Local id (${l.system})`, l.value)),
          row('Ethnicity', id.ethnicity),
          row('Preferred language', id.preferred_language),
          row('Interpreter', id.interpreter_required ? 'required' : null),
          row('Area', id.area)),
        h('p', { class: 'help' }, `From ${r.source ? r.source.sender : 'the latest notification'}`,
          r.source && r.source.received_at ? [', received ', when(r.source.received_at)] : null,
          `. Revealed to ${r.revealed_to}; audit entry ${r.audit_seq}.`));
      reveal.identity.hidden = false;
      reveal.error.hidden = true;
      reveal.reason.disabled = true;
      reveal.submit.hidden = true;
      document.getElementById('reveal-close').focus();
    } catch (e) {
      if (e.status === 401) return;
      reveal.submit.disabled = false;
      reveal.error.textContent = e.message;
      reveal.error.hidden = false;
    }
  });

  function closeReveal() {
    if (reveal.dialog.open) reveal.dialog.close();
  }
  document.getElementById('reveal-close').addEventListener('click', closeReveal);
  // The identity is dropped from the page as soon as the panel closes, however it closes.
  reveal.dialog.addEventListener('close', () => {
    reveal.identity.replaceChildren();
    reveal.identity.hidden = true;
    reveal.reason.value = '';
    const opener = document.getElementById('reveal-open');
    if (opener) opener.focus();
    releaseHeld();
  });

  // ---------------------------------------------------------------- agencies

  async function agenciesView() {
    const list = await api('/api/v1/agencies?limit=500', { action: 'see agencies' });
    const items = list.items || [];
    state.agencies = items;
    const cards = items.map((a) => ({ label: a.id, ...a.scorecard }));
    const hours = (v) => duration(v);
    return h('section', { class: 'agencies' },
      h('h1', {}, 'Agencies'),
      h('p', { class: 'muted' }, 'How fast each agency acknowledges what it is sent, and how much it owes late. ' +
        'The table below the charts has every figure.'),
      items.length === 0 ? h('p', { class: 'muted' }, 'No agency is configured.') : h('div', { class: 'charts' },
        groupedBars({ idBase: 'ack-chart', title: 'Acknowledgement time',
          desc: 'Median and 90th percentile time from receipt by mab to the recipient\'s acknowledgement, per agency.',
          rows: cards.map((c) => ({ label: c.label, median: c.ack_median_seconds, p90: c.ack_p90_seconds,
            none: 'nothing acknowledged yet' })),
          series: [{ key: 'median', name: 'Median', cls: 's-median' },
            { key: 'p90', name: '90th percentile', cls: 's-p90' }],
          format: hours, steps: DURATION_STEPS }),
        groupedBars({ idBase: 'overdue-chart', title: 'Overdue',
          desc: 'Overdue obligations and raised flags each agency owes.',
          rows: cards.map((c) => ({ label: c.label, overdue: c.overdue })),
          series: [{ key: 'overdue', name: 'Overdue items', cls: 's-overdue' }],
          format: (v) => String(Math.round(v * 10) / 10), steps: COUNT_STEPS })),
      h('table', { class: 'list numbers', id: 'scorecards' },
        h('caption', {}, 'Scorecards'),
        h('thead', {}, h('tr', {}, ['Agency', 'Kind', 'Area', 'Sent', 'Received', 'Acknowledged',
          'Pending', 'Overdue', 'Median acknowledgement', '90th percentile'].map((c) =>
          h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.map((a) => {
          const c = a.scorecard || {};
          return h('tr', { class: c.overdue ? 'late-row' : '' },
            h('th', { scope: 'row' }, a.id,
              a.name && a.name !== a.id ? h('span', { class: 'sub' }, a.name) : null),
            h('td', {}, a.kind), h('td', {}, a.area),
            h('td', { class: 'num' }, c.sent), h('td', { class: 'num' }, c.received),
            h('td', { class: 'num' }, c.acknowledged), h('td', { class: 'num' }, c.pending),
            h('td', { class: 'num' }, c.overdue),
            h('td', { class: 'num' }, duration(c.ack_median_seconds)),
            h('td', { class: 'num' }, duration(c.ack_p90_seconds)));
        }))));
  }

  function notFoundView() {
    return h('section', {}, h('h1', {}, 'No such page'),
      h('p', {}, h('a', { href: '#/' }, 'Go to the overview')));
  }

  // ---------------------------------------------------------------- start

  document.getElementById('sign-out').addEventListener('click', () => signOut('You signed out.'));
  window.addEventListener('hashchange', () => render());
  render();
  if (token()) startLive();
})();
