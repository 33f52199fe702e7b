import { getToken } from './api-client.js';
import type { EventRecord } from './api-types.js';

/** A listener of live events. */
export type EventListener = (record: EventRecord) => void;

// Wait this long before reconnecting after the stream dropped (doubling up to 10 s), so a daemon
// restart is picked up within seconds without hammering it while it is down.
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/**
 * One shared connection to GET /api/events (server-sent events) for the whole page. It reconnects
 * with `after=<last id>` so no event is lost across a drop, and reports whether it is connected.
 */
export class EventStream {
  readonly #listeners = new Set<EventListener>();
  readonly #stateListeners = new Set<(connected: boolean) => void>();
  #abort: AbortController | null = null;
  #lastId: number | null = null;
  #retryMs = FIRST_RETRY_MS;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #connected = false;

  /** Subscribes to events; returns the unsubscribe function. Connects on the first subscriber. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    if (this.#abort === null && this.#timer === null) this.#connect();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Subscribes to connection state changes. */
  onState(listener: (connected: boolean) => void): () => void {
    this.#stateListeners.add(listener);
    listener(this.#connected);
    return () => {
      this.#stateListeners.delete(listener);
    };
  }

  #setConnected(c: boolean): void {
    if (c === this.#connected) return;
    this.#connected = c;
    for (const l of this.#stateListeners) l(c);
  }

  #connect(): void {
    this.#timer = null;
    const controller = new AbortController();
    this.#abort = controller;
    void this.#read(controller.signal).then(
      () => this.#retry(),
      () => this.#retry(),
    );
  }

  #retry(): void {
    this.#abort = null;
    this.#setConnected(false);
    if (this.#listeners.size === 0) return;
    this.#timer = setTimeout(() => this.#connect(), this.#retryMs);
    this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
  }

  // fetch() rather than EventSource: EventSource cannot send the Authorization header.
  async #read(signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    const token = getToken();
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const after = this.#lastId === null ? '' : `?after=${this.#lastId}`;
    const res = await fetch(`/api/events${after}`, { headers, signal });
    if (!res.ok || res.body === null) throw new Error(`GET /api/events answered ${res.status}`);
    this.#retryMs = FIRST_RETRY_MS;
    this.#setConnected(true);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      for (const f of frames) {
        const record = parseFrame(f);
        if (record === null) continue;
        if (Number.isFinite(record.id)) this.#lastId = record.id;
        for (const l of this.#listeners) l(record);
      }
    }
  }
}

/** Parses one server-sent event frame (`id:`, `event:`, `data:` lines); null for comments. */
export function parseFrame(frame: string): EventRecord | null {
  let id = Number.NaN;
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith('id:')) id = Number(line.slice(3).trim());
    else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
  }
  if (data.length === 0) return null;
  try {
    return toRecord(JSON.parse(data.join('\n')), id);
  } catch {
    return null;
  }
}

/** Normalizes an SSE payload: `{ id, event }`, or the stored event with its `id` spread in. */
export function toRecord(data: unknown, sseId: number): EventRecord {
  const d = data as { id?: unknown; event?: unknown; type?: unknown };
  if (d !== null && typeof d === 'object' && typeof d.event === 'object' && d.event !== null) {
    return { id: typeof d.id === 'number' ? d.id : sseId, event: d.event as EventRecord['event'] };
  }
  return { id: sseId, event: data as EventRecord['event'] };
}

/** The page's single event stream. */
export const events = new EventStream();
