import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real webhook on 127.0.0.1, for alert tests. */
export interface TestWebhook {
  url: string;
  /** JSON bodies of the requests answered with a 2xx, in order. */
  bodies: Record<string, unknown>[];
  /** Requests received so far. */
  calls(): number;
  close(): Promise<void>;
}

/** Starts a webhook answering with `statuses` in turn (the last one repeats). */
export async function startWebhook(statuses: number[] = [200]): Promise<TestWebhook> {
  const bodies: Record<string, unknown>[] = [];
  let calls = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      const status = statuses[Math.min(calls, statuses.length - 1)]!;
      calls++;
      if (status < 300) bodies.push(JSON.parse(data) as Record<string, unknown>);
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
