// Builds the console's DOM from API data. Data only ever becomes text (textContent, attribute
// values), never markup: an output holding "<script>" is shown as those characters.

/** An element: attrs are attributes (class, href, data-*, aria-*), children are nodes or text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/** A status as a coloured badge that says the status in words too (colour is never alone). */
export function badge(status) {
  return el('span', { class: `badge s-${String(status).replace(/[^A-Za-z]/g, '')}` }, status);
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** An API time as a <time> in the browser's zone (YYYY-MM-DD HH:MM:SS), the UTC value on hover. */
export function time(iso) {
  if (!iso) {
    return el('span', { class: 'muted' }, '—');
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return el('span', {}, iso);
  }
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return el('time', { datetime: iso, title: iso }, text);
}

/** "2 Finished, 1 Running" from an invocation's instances, in a stable order of statuses. */
export function instanceCounts(instances) {
  const order = ['Running', 'Finished', 'Failed', 'PartialFailed', 'Stopped'];
  const counts = new Map();
  for (const i of instances || []) {
    counts.set(i.status, (counts.get(i.status) || 0) + 1);
  }
  const keys = [...counts.keys()].sort((a, b) => {
    const x = order.indexOf(a) < 0 ? 99 : order.indexOf(a);
    const y = order.indexOf(b) < 0 ? 99 : order.indexOf(b);
    return x - y || a.localeCompare(b);
  });
  if (keys.length === 0) {
    return el('span', { class: 'muted' }, 'none');
  }
  return el('span', { class: 'counts' },
    keys.map((k) => el('span', { class: `count s-${k.replace(/[^A-Za-z]/g, '')}` }, `${counts.get(k)} ${k}`)));
}

/** A table cell with the column's name for the phone layout (rows become cards). */
export function cell(label, ...children) {
  return el('td', { 'data-label': label }, ...children);
}

/** The cells of one invocation's row in the list; stop is a button or null. */
export function invocationCells(inv, stop) {
  return [
    cell('Status', badge(inv.status)),
    cell('Invocation', el('a', { href: `#/invocations/${encodeURIComponent(inv.invokeId)}`, class: 'invoke-link' },
      inv.invokeId)),
    cell('Job', inv.jobId ?? el('span', { class: 'muted' }, '—')),
    cell('Command', el('div', { class: 'command-cell' }, el('span', { class: 'command-id' }, inv.commandId),
      inv.commandContent ? el('code', { class: 'command', title: inv.commandContent }, inv.commandContent) : null)),
    cell('Instances', instanceCounts(inv.instances)),
    cell('Created', time(inv.createdAt)),
    cell('Actions', stop),
  ];
}

function pair(term, ...value) {
  return [el('dt', {}, term), el('dd', {}, ...value)];
}

/** A term and its value kept together on one line of a wrapping list. */
function fact(term, ...value) {
  return el('div', {}, pair(term, ...value));
}

/** The facts of an invocation above its results. */
export function summary(inv) {
  return [
    ...pair('Status', badge(inv.status)),
    ...pair('Job', inv.jobId ?? '—'),
    ...pair('Command', inv.commandId),
    ...pair('Script', el('code', {}, inv.commandContent ?? '')),
    ...pair('Repeat', inv.repeatMode + (inv.frequency ? ` (${inv.frequency})` : '')),
    ...pair('Created', time(inv.createdAt)),
    ...(inv.finishedAt ? pair('Finished', time(inv.finishedAt)) : []),
    ...(inv.stoppedAt ? pair('Stopped', time(inv.stoppedAt)) : []),
  ];
}

/** One record (a run on one instance) with its output collapsed; open: show the output. */
export function record(r, periodic, open) {
  const lines = r.output ? r.output.replace(/\n$/, '').split('\n').length : 0;
  const facts = el('dl', { class: 'facts' },
    fact('Exit code', r.exitCode ?? '—'),
    fact('Error', r.errorCode ? el('span', { class: 'error-code' }, r.errorCode) : '—',
      r.errorInfo ? el('span', { class: 'error-info' }, ` ${r.errorInfo}`) : null),
    fact('Scheduled', time(r.scheduledAt)),
    fact('Started', time(r.startTime)),
    fact('Finished', time(r.finishTime)),
    r.stopTime ? fact('Stopped', time(r.stopTime)) : null,
    r.node ? fact('Node', r.node) : null);
  let output;
  if (r.output) {
    const dropped = r.dropped ? `, ${r.dropped} bytes dropped` : '';
    output = el('details', { class: 'output', open },
      el('summary', {}, `Output (${lines} line${lines === 1 ? '' : 's'}${dropped})`),
      el('pre', { tabindex: 0 }, el('code', {}, r.output)));
  } else {
    output = el('p', { class: 'muted' }, 'No output');
  }
  return el('li', { class: 'record', 'data-record-id': r.recordId, 'data-instance-id': r.instanceId },
    el('div', { class: 'record-head' },
      el('strong', { class: 'instance' }, r.instanceId),
      badge(r.status),
      el('span', { class: 'detail' }, r.detailStatus),
      periodic ? el('span', { class: 'muted' }, `run ${r.repeatNo}`) : null),
    facts,
    output);
}
