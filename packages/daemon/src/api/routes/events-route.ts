import { z } from 'zod';
import type { EventRecord } from '../../storage/index.js';
import type { ApiApp, ApiContext } from '../api-context.js';
import { errorResponses, intQuery } from '../api-schemas.js';
import type { EventFollower } from '../event-follower.js';

// Run and asset events; backfill and dynamic-partition events are included too (the UI's
// backfill and partition views follow them). Heartbeats every 15 s keep proxies from closing.
const HEARTBEAT_MS = 15_000;
// A client that does not read its stream is dropped once this many bytes are buffered for it.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

function frame(record: EventRecord): string {
  return `id: ${record.id}\nevent: ${record.event.type}\ndata: ${JSON.stringify({ id: record.id, ...record.event })}\n\n`;
}

/**
 * GET /api/events: server-sent events, with `after=<id>` (or Last-Event-ID) catch-up. Returns the
 * function that ends every open stream (called when the app closes).
 */
export function eventsRoute(
  app: ApiApp,
  ctx: ApiContext,
  follower: EventFollower,
  opts: { heartbeatMs?: number } = {},
): () => void {
  const { daemon } = ctx;
  const open = new Set<() => void>();
  app.get(
    '/api/events',
    {
      schema: {
        summary: 'Server-sent events: every committed event live; `id:` is the event id',
        description:
          'Reconnect with `after=<last id>` (or the Last-Event-ID header) to receive the events committed meanwhile first. Comment lines (`: heartbeat`) are sent every 15 s.',
        tags: ['events'],
        querystring: z.object({
          after: intQuery(0, Number.MAX_SAFE_INTEGER)
            .optional()
            .describe('Replay events after this id first'),
        }),
        response: { 200: z.string().describe('text/event-stream'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const fromHeader =
        typeof header === 'string' && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
      const after = request.query.after ?? fromHeader;
      await follower.start();
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...corsHeaders(reply.getHeaders()),
      });
      raw.write(': connected\n\n');
      let sent = after ?? follower.lastId;
      let closed = false;
      let catchingUp = true;
      const buffered: EventRecord[] = [];
      const write = (records: readonly EventRecord[]) => {
        let chunk = '';
        for (const r of records) {
          if (r.id <= sent) continue;
          chunk += frame(r);
          sent = r.id;
        }
        if (chunk === '' || closed) return;
        raw.write(chunk);
        if (raw.writableLength > MAX_BUFFERED_BYTES) close();
      };
      const unsubscribe = follower.subscribe((records) => {
        if (catchingUp) buffered.push(...records);
        else write(records);
      });
      const heartbeat = setInterval(() => {
        if (!closed) raw.write(': heartbeat\n\n');
      }, opts.heartbeatMs ?? HEARTBEAT_MS);
      const close = () => {
        if (closed) return;
        closed = true;
        open.delete(close);
        clearInterval(heartbeat);
        unsubscribe();
        raw.end();
      };
      open.add(close);
      request.raw.on('close', close);
      raw.on('close', close);
      raw.on('error', close);
      try {
        // Catch up from storage (subscribed first, so nothing committed meanwhile is lost;
        // duplicates are dropped by id).
        while (!closed && after !== undefined) {
          const page = await daemon.storage.getEventsAfter(sent, { limit: 1000 });
          write(page.records);
          if (page.nextCursor === undefined) break;
        }
      } catch {
        close();
        return;
      }
      catchingUp = false;
      write(buffered.splice(0));
    },
  );
  return () => {
    for (const close of [...open]) close();
  };
}

function corsHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith('access-control-') && typeof v === 'string') out[k] = v;
  }
  return out;
}
