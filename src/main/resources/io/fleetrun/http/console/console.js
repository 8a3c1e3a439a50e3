// The fleetrun web console: sign-in, the list of invocations, one invocation's results, Stop for
// operators, live updates from /api/v1/events. Plain ES2020 modules, no build step.
import { EventStream } from './events.js';
import { el, invocationCells, badge, summary, record, cell } from './render.js';

const API = '/api/v1';
const TOKEN_KEY = 'fleetrun.token';
const PAGE = 25;
const HISTORY_PAGE = 20;

const $ = (id) => document.getElementById(id);

class Unauthorized extends Error {}

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
  }
}

const state = {
  role: null,
  events: null,
  filters: {},
  listToken: null,
  openId: null,
  recordsToken: null,
  recordsLoaded: 0,
  pending: new Set(),
  resultsQueue: Promise.resolve(),
  flushTimer: null,
};

// ---- token and API -----------------------------------------------------------------------

/** A token in the address (#token=...) is taken into this tab's storage and removed from it. */
function takeFragmentToken() {
  const m = /^#token=([^&]*)/.exec(window.location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]).trim();
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
    }
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
}

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function api(path, options = {}) {
  const response = await fetch(API + path, {
    ...options,
    headers: { ...authHeaders(), ...(options.headers || {}) },
    cache: 'no-store',
  });
  if (response.status === 401) {
    throw new Unauthorized();
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, body);
  }
  return body;
}

/** Who the caller is: /me, or (a daemon without it) a reader when the reads answer. */
async function whoAmI() {
  try {
    return await api('/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      await api('/invocations?maxResults=1');
      return { name: null, role: 'reader' };
    }
    throw e;
  }
}

function enc(id) {
  return encodeURIComponent(id);
}

// ---- sign-in --------------------------------------------------------------------------------

async function enter() {
  let me;
  try {
    me = await whoAmI();
  } catch (e) {
    if (e instanceof Unauthorized) {
      const had = sessionStorage.getItem(TOKEN_KEY) !== null;
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn(had ? 'That token was not accepted. Check it and sign in again.' : '');
      return;
    }
    notice(`The daemon did not answer: ${e.message}`);
    return;
  }
  state.role = me.role;
  const signedIn = sessionStorage.getItem(TOKEN_KEY) !== null;
  $('who').textContent = `${me.name ?? (signedIn ? 'token' : 'no token')} · ${me.role}`;
  $('signout').hidden = !signedIn;
  $('signin').hidden = true;
  document.body.classList.toggle('operator', me.role === 'operator');
  // A new sign-in (another role, perhaps) draws everything afresh.
  $('invocations').tBodies[0].replaceChildren();
  state.openId = null;
  startEvents();
  await route();
}

function showSignIn(message) {
  stopEvents();
  state.role = null;
  state.openId = null;
  $('who').textContent = '';
  $('signout').hidden = true;
  $('list-view').hidden = true;
  $('results-view').hidden = true;
  $('invocations').tBodies[0].replaceChildren();
  $('records').replaceChildren();
  $('signin').hidden = false;
  $('signin-message').textContent = message;
  $('token').focus();
}

/** Any 401 after sign-in: the token was removed from the config, or is wrong. */
function refused() {
  sessionStorage.removeItem(TOKEN_KEY);
  showSignIn('The daemon refused the token (401). Sign in again.');
}

function notice(text) {
  const n = $('notice');
  n.textContent = text;
  n.hidden = !text;
}

/** Runs an async step; a 401 sends back to sign-in, other errors show as a notice. */
async function guarded(step) {
  try {
    await step();
  } catch (e) {
    if (e instanceof Unauthorized) {
      refused();
    } else {
      notice(e.message);
    }
  }
}

// ---- views ----------------------------------------------------------------------------------

async function route() {
  if (state.role === null) {
    return;
  }
  const m = /^#\/invocations\/(.+)$/.exec(window.location.hash);
  if (m) {
    await guarded(() => openResults(decodeURIComponent(m[1])));
  } else {
    state.openId = null;
    $('results-view').hidden = true;
    $('list-view').hidden = false;
    if ($('invocations').tBodies[0].rows.length === 0) {
      await guarded(() => loadList(false));
    }
  }
}

function stopButton(invokeId, instanceId) {
  const label = instanceId ? `Stop ${instanceId} of ${invokeId}` : `Stop invocation ${invokeId}`;
  const b = el('button', { type: 'button', class: 'danger small stop', 'aria-label': label,
    'data-invoke-id': invokeId, 'data-instance-id': instanceId }, 'Stop');
  b.addEventListener('click', () => confirmStop(invokeId, instanceId, b));
  return b;
}

function canStop(inv) {
  return state.role === 'operator' && inv.status === 'Running';
}

function invocationRow(inv) {
  const tr = el('tr', { 'data-invoke-id': inv.invokeId });
  fillRow(tr, inv);
  return tr;
}

function fillRow(tr, inv) {
  // Redrawn only when what it shows changed: a periodic job's runs do not take the focus away.
  const counts = (inv.instances || []).map((i) => i.status).sort().join();
  const sig = JSON.stringify([inv.status, inv.jobId, inv.commandId, inv.commandContent, inv.createdAt, counts,
    canStop(inv)]);
  if (signatures.get(tr) !== sig) {
    signatures.set(tr, sig);
    tr.replaceChildren(...invocationCells(inv, canStop(inv) ? stopButton(inv.invokeId, null) : null));
  }
}

/** What each drawn row or record showed when drawn, to leave unchanged ones alone. */
const signatures = new WeakMap();

/**
 * Makes `parent`'s children the nodes for `items` in order, reusing the node of an item whose
 * signature is unchanged (so focus and selection in it stay) and creating the others.
 */
function keep(parent, items, keyOf, make) {
  const old = new Map([...parent.children].map((n) => [n.getAttribute('data-key'), n]));
  const nodes = items.map((item) => {
    const sig = JSON.stringify(item);
    const existing = old.get(keyOf(item));
    if (existing && signatures.get(existing) === sig) {
      return existing;
    }
    const node = make(item);
    node.setAttribute('data-key', keyOf(item));
    signatures.set(node, sig);
    return node;
  });
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) {
      parent.insertBefore(node, parent.children[i] || null);
    }
  });
  while (parent.children.length > nodes.length) {
    parent.lastElementChild.remove();
  }
}

function readFilters() {
  const f = {};
  for (const [name, id] of [['status', 'f-status'], ['jobId', 'f-job'], ['instanceId', 'f-instance'],
    ['invokeId', 'f-invoke']]) {
    const v = $(id).value.trim();
    if (v) {
      f[name] = v;
    }
  }
  return f;
}

async function loadList(append) {
  // Busy while the answer is awaited: screen readers wait, and so do the browser tests.
  $('invocations').setAttribute('aria-busy', 'true');
  try {
    await drawList(append);
  } finally {
    $('invocations').removeAttribute('aria-busy');
  }
}

async function drawList(append) {
  const body = $('invocations').tBodies[0];
  const message = $('list-message');
  const f = state.filters;
  let items;
  let next = null;
  try {
    if (f.invokeId) {
      items = [await api(`/invocations/${enc(f.invokeId)}`)];
    } else {
      const q = new URLSearchParams();
      for (const k of ['status', 'jobId', 'instanceId']) {
        if (f[k]) {
          q.set(k, f[k]);
        }
      }
      q.set('maxResults', String(PAGE));
      if (append && state.listToken) {
        q.set('nextToken', state.listToken);
      }
      const page = await api(`/invocations?${q}`);
      items = page.invocations;
      next = page.nextToken;
    }
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
      body.replaceChildren();
      state.listToken = null;
      $('more').hidden = true;
      message.textContent = e.status === 404 ? `No invocation ${f.invokeId}.` : e.message;
      return;
    }
    throw e;
  }
  if (!append) {
    body.replaceChildren();
  }
  body.append(...items.map(invocationRow));
  state.listToken = next;
  $('more').hidden = !next;
  message.textContent = body.rows.length === 0 ? 'No invocations match.' : '';
}

async function openResults(invokeId) {
  const changed = state.openId !== invokeId;
  state.openId = invokeId;
  $('list-view').hidden = true;
  $('results-view').hidden = false;
  if (changed) {
    $('records').replaceChildren();
    state.recordsLoaded = 0;
    state.recordsToken = null;
  }
  await renderResults(changed ? 'first' : 'refresh');
  if (changed) {
    $('r-title').focus();
  }
}

/**
 * Draws the open invocation: 'first' its first page of results, 'more' the next page, 'refresh'
 * the pages already shown again (live updates), keeping open outputs open.
 */
function renderResults(mode) {
  // One at a time: a live refresh must not draw over a page of older runs being added.
  const run = state.resultsQueue.then(() => drawResults(mode));
  state.resultsQueue = run.catch(() => {});
  return run;
}

async function drawResults(mode) {
  const invokeId = state.openId;
  let inv;
  try {
    inv = await api(`/invocations/${enc(invokeId)}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      $('r-title').textContent = invokeId;
      $('r-summary').replaceChildren();
      $('r-message').textContent = `No invocation ${invokeId}.`;
      return;
    }
    throw e;
  }
  if (state.openId !== invokeId) {
    return;
  }
  const periodic = inv.repeatMode !== 'Once';
  $('r-title').textContent = inv.invokeId;
  $('r-title').setAttribute('tabindex', '-1');
  keep($('r-actions'), canStop(inv) ? [{ stop: inv.invokeId }] : [], (a) => a.stop, () => stopButton(inv.invokeId, null));
  $('r-summary').replaceChildren(...summary(inv));
  const stoppable = canStop(inv);
  keep($('instances').tBodies[0], (inv.instances || []).map((i) => ({ ...i, stoppable, invokeId: inv.invokeId })), (i) => i.instanceId,
    (i) => el('tr', { 'data-instance-id': i.instanceId },
      cell('Instance', i.instanceId), cell('Status', badge(i.status)), cell('Runs', i.repeats),
      cell('Skipped', i.skipped),
      cell('Actions', i.stoppable && i.status === 'Running' ? stopButton(inv.invokeId, i.instanceId) : null)));
  $('records-title').textContent = periodic ? 'Runs, newest first' : 'Results';

  const q = new URLSearchParams();
  if (periodic) {
    q.set('includeHistory', 'true');
  }
  const list = $('records');
  const opened = new Set([...list.querySelectorAll('details[open]')]
    .map((d) => d.closest('li').getAttribute('data-record-id')));
  if (mode === 'more') {
    q.set('maxResults', String(HISTORY_PAGE));
    q.set('nextToken', state.recordsToken);
  } else {
    q.set('maxResults', String(Math.min(100, Math.max(HISTORY_PAGE, state.recordsLoaded))));
  }
  const page = await api(`/invocations/${enc(invokeId)}/results?${q}`);
  if (state.openId !== invokeId) {
    return;
  }
  if (mode === 'more') {
    const items = page.records.map((r) => record(r, periodic, false));
    items.forEach((li, i) => {
      li.setAttribute('data-key', String(page.records[i].recordId));
      signatures.set(li, JSON.stringify(page.records[i]));
    });
    list.append(...items);
  } else {
    keep(list, page.records, (r) => String(r.recordId), (r) => record(r, periodic, opened.has(String(r.recordId))));
  }
  state.recordsLoaded = list.children.length;
  state.recordsToken = page.nextToken;
  $('r-more').hidden = !page.nextToken;
  $('r-more').textContent = periodic ? 'Older runs' : 'More results';
  $('r-message').textContent = list.children.length === 0 ? 'No results yet.' : '';
}

// ---- stop -----------------------------------------------------------------------------------

function confirmStop(invokeId, instanceId, opener) {
  const dialog = $('confirm');
  $('confirm-text').textContent = instanceId
    ? `Stop instance ${instanceId} of invocation ${invokeId}?`
    : `Stop invocation ${invokeId} on every instance where it still runs?`;
  dialog.returnValue = '';
  dialog.addEventListener('close', () => {
    opener.focus();
    if (dialog.returnValue === 'stop') {
      guarded(() => stop(invokeId, instanceId));
    }
  }, { once: true });
  dialog.showModal();
}

async function stop(invokeId, instanceId) {
  const body = instanceId ? { instanceIds: [instanceId] } : {};
  try {
    await api(`/invocations/${enc(invokeId)}/stop`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    if (e instanceof ApiError) {
      notice(`Stop of ${invokeId} refused: ${e.message}`);
      return;
    }
    throw e;
  }
  notice(`Stop requested for ${instanceId ? `${instanceId} of ` : ''}${invokeId}.`);
  refreshSoon(invokeId);
}

// ---- live updates ---------------------------------------------------------------------------

function startEvents() {
  stopEvents();
  state.events = new EventStream(`${API}/events`, authHeaders, {
    onEvent,
    onState: (s) => {
      $('live').textContent = { live: '● Live', reconnecting: 'Reconnecting…', off: '' }[s];
      $('live').className = `live ${s}`;
    },
    onUnauthorized: refused,
  }).start();
}

function stopEvents() {
  if (state.events) {
    state.events.stop();
    state.events = null;
  }
}

function onEvent(event) {
  if (event.event === 'reset') {
    reloadAll();
    return;
  }
  let data;
  try {
    data = JSON.parse(event.data);
  } catch (e) {
    return;
  }
  if (data && typeof data.invokeId === 'string') {
    refreshSoon(data.invokeId);
  }
}

/** Coalesces the events of a burst (a periodic job on many instances) into one read per invocation. */
function refreshSoon(invokeId) {
  state.pending.add(invokeId);
  if (state.flushTimer === null) {
    state.flushTimer = setTimeout(flush, 300);
  }
}

async function flush() {
  state.flushTimer = null;
  const ids = [...state.pending];
  state.pending.clear();
  for (const id of ids) {
    await guarded(() => refreshInvocation(id));
  }
}

async function refreshInvocation(invokeId) {
  if (state.role === null) {
    return;
  }
  const inv = await api(`/invocations/${enc(invokeId)}`);
  const body = $('invocations').tBodies[0];
  const row = [...body.rows].find((r) => r.getAttribute('data-invoke-id') === invokeId);
  if (row) {
    fillRow(row, inv);
  } else if (matches(inv)) {
    body.prepend(invocationRow(inv));
    $('list-message').textContent = '';
  }
  if (state.openId === invokeId) {
    await renderResults('refresh');
  }
}

/** Whether a new invocation belongs in the list as filtered now. */
function matches(inv) {
  const f = state.filters;
  return (!f.invokeId || f.invokeId === inv.invokeId)
    && (!f.status || f.status === inv.status)
    && (!f.jobId || f.jobId === inv.jobId)
    && (!f.instanceId || (inv.instances || []).some((i) => i.instanceId === f.instanceId));
}

async function reloadAll() {
  await guarded(async () => {
    await loadList(false);
    if (state.openId) {
      await renderResults('refresh');
    }
  });
}

// ---- wiring ---------------------------------------------------------------------------------

function wire() {
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    $('token').value = '';
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      enter();
    }
  });
  $('signout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    window.location.hash = '';
    showSignIn('Signed out.');
  });
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    state.filters = readFilters();
    state.listToken = null;
    guarded(() => loadList(false));
  });
  $('filters').addEventListener('reset', () => {
    state.filters = {};
    state.listToken = null;
    guarded(() => loadList(false));
  });
  $('more').addEventListener('click', () => guarded(() => loadList(true)));
  $('r-more').addEventListener('click', () => guarded(() => renderResults('more')));
  // A stream left open by a page navigated away from (kept in the back/forward cache) holds one
  // of the browser's 6 connections to this host; a few such and the page's reads would queue.
  window.addEventListener('pagehide', () => stopEvents());
  window.addEventListener('pageshow', (e) => {
    if (e.persisted && state.role !== null) {
      startEvents();
      reloadAll();
    }
  });
  window.addEventListener('hashchange', () => {
    if (window.location.hash.startsWith('#token=')) {
      takeFragmentToken(); // a new link pasted into this tab's address bar
      enter();
    } else {
      route();
    }
  });
}

takeFragmentToken();
wire();
enter();
