// Server-Sent Events over fetch(): EventSource cannot send an Authorization header, so the
// stream is read with a ReadableStream reader and parsed here (the WHATWG SSE rules, minus
// `retry:`), reconnecting with backoff and Last-Event-ID.

/** Splits SSE text into events; feed() takes chunks, calls onEvent({id, event, data}). */
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.event = '';
    this.data = [];
    this.id = null;
  }

  feed(chunk) {
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) {
        return;
      }
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      if (this.data.length > 0 || this.event !== '') {
        this.onEvent({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) {
      return; // a comment: the server's keep-alive
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'data') {
      this.data.push(value);
    } else if (field === 'event') {
      this.event = value;
    } else if (field === 'id' && !value.includes('\0')) {
      this.id = value;
    }
  }
}

/**
 * Reads `url` as an event stream until stop() is called: on a lost connection it waits (1 s,
 * doubling to 30 s) and reconnects with Last-Event-ID. Callbacks: onEvent(event),
 * onState('live' | 'reconnecting' | 'off'), onUnauthorized().
 */
export class EventStream {
  constructor(url, headers, callbacks) {
    this.url = url;
    this.headers = headers;
    this.callbacks = callbacks;
    this.lastId = null;
    this.controller = null;
    this.stopped = false;
  }

  start() {
    this.run();
    return this;
  }

  stop() {
    this.stopped = true;
    if (this.controller) {
      this.controller.abort();
    }
    this.callbacks.onState('off');
  }

  async run() {
    let delay = 1000;
    while (!this.stopped) {
      try {
        const got = await this.once();
        if (got === 'unauthorized') {
          this.stopped = true;
          this.callbacks.onUnauthorized();
          return;
        }
        if (got === 'events') {
          delay = 1000; // it was up: the next gap starts the backoff again
        }
      } catch (e) {
        if (this.stopped) {
          return;
        }
      }
      if (this.stopped) {
        return;
      }
      this.callbacks.onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30000);
    }
  }

  /** One connection: resolves 'unauthorized', 'events' (some arrived) or 'none' when it ends. */
  async once() {
    this.controller = new AbortController();
    const headers = { ...this.headers(), Accept: 'text/event-stream' };
    if (this.lastId !== null) {
      headers['Last-Event-ID'] = this.lastId;
    }
    const response = await fetch(this.url, { headers, signal: this.controller.signal, cache: 'no-store' });
    if (response.status === 401) {
      return 'unauthorized';
    }
    if (!response.ok || !response.body) {
      return 'none';
    }
    this.callbacks.onState('live');
    let got = 'none';
    const parser = new SseParser((event) => {
      got = 'events';
      if (event.id !== null) {
        this.lastId = event.id;
      }
      this.callbacks.onEvent(event);
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return got;
      }
      parser.feed(value);
    }
  }
}
