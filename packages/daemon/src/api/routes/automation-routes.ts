import { CairnError, type Definitions, type PartitionsSnapshot } from '@cairn/core';
import { z } from 'zod';
import { DaemonError } from '../../errors.js';
import { type ApiApp, type ApiContext, notAvailable } from '../api-context.js';
import type { TickerControl } from '../api-daemon.js';
import { invalidRequest } from '../api-error.js';
import { cursorQuery, errorResponses, limitQuery, nameParams } from '../api-schemas.js';

const anyObject = z.record(z.string(), z.unknown());
const notAvailableResponse = { 501: errorResponses[500].describe('Not available on this daemon') };

/** The `before` of tick/evaluation pages: both page by numeric ids; any other cursor is a 400. */
function beforeOf(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,15}$/.test(text)) {
    throw invalidRequest(
      `Cursor "${cursor.slice(0, 40)}" is not one this API returned; pass the nextCursor of the previous page.`,
      { cursor: cursor.slice(0, 200) },
    );
  }
  return Number(text);
}

function cursorOf(page: unknown): string | null {
  const p = page as { nextCursor?: unknown } | undefined;
  const next = p?.nextCursor;
  return next === undefined || next === null
    ? null
    : Buffer.from(String(next)).toString('base64url');
}

/** A list without a cursor (plain array of `{ id }` rows, newest first): a full page may go on. */
function cursorOfFullPage(items: Record<string, unknown>[], limit: number): string | null {
  const last = items[items.length - 1];
  return items.length === limit && typeof last?.id === 'number'
    ? Buffer.from(String(last.id)).toString('base64url')
    : null;
}

function itemsOf(page: unknown, field: string): Record<string, unknown>[] {
  if (Array.isArray(page)) return page as Record<string, unknown>[];
  const v = (page as Record<string, unknown> | undefined)?.[field];
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
}

/** Schedules, sensors, automation evaluations and dynamic partitions. */
export function automationRoutes(app: ApiApp, ctx: ApiContext): void {
  const { daemon } = ctx;

  for (const kind of ['schedules', 'sensors'] as const) {
    const control = (): TickerControl => {
      const c = daemon[kind];
      if (c === undefined) throw notAvailable(kind);
      return c;
    };
    const noun = kind === 'schedules' ? 'schedule' : 'sensor';
    app.get(
      `/api/${kind}`,
      {
        schema: {
          summary: `The ${kind} with their status and last tick`,
          tags: ['automation'],
          response: {
            200: z.object({ [kind]: z.array(anyObject) }),
            ...errorResponses,
            ...notAvailableResponse,
          },
        },
      },
      async () => ({ [kind]: await control().list() }),
    );
    for (const op of ['start', 'stop'] as const) {
      app.post(
        `/api/${kind}/:name/${op}`,
        {
          schema: {
            summary: `${op === 'start' ? 'Starts' : 'Stops'} a ${noun}`,
            tags: ['automation'],
            params: nameParams,
            response: {
              200: z.object({ [noun]: anyObject }),
              ...errorResponses,
              ...notAvailableResponse,
            },
          },
        },
        async (request) => {
          const c = control();
          const returned = (await c[op](request.params.name)) as
            | Record<string, unknown>
            | undefined;
          const state =
            typeof returned === 'object' && returned !== null
              ? returned
              : ((await c.list()).find((s) => s.name === request.params.name) ?? {
                  name: request.params.name,
                });
          return { [noun]: state };
        },
      );
    }
    app.get(
      `/api/${kind}/:name/ticks`,
      {
        schema: {
          summary: `Ticks of a ${noun}, newest first`,
          tags: ['automation'],
          params: nameParams,
          querystring: z.object({ limit: limitQuery, cursor: cursorQuery }),
          response: {
            200: z.object({ ticks: z.array(anyObject), nextCursor: z.string().nullable() }),
            ...errorResponses,
            ...notAvailableResponse,
          },
        },
      },
      async (request) => {
        const before = beforeOf(request.query.cursor);
        const limit = request.query.limit ?? 100;
        const page = await control().ticks(request.params.name, {
          limit,
          ...(before === undefined ? {} : { before }),
        });
        const ticks = itemsOf(page, 'ticks');
        return { ticks, nextCursor: cursorOf(page) ?? cursorOfFullPage(ticks, limit) };
      },
    );
  }

  app.get(
    '/api/automation/evaluations',
    {
      schema: {
        summary: 'Automation condition evaluations, newest first',
        tags: ['automation'],
        querystring: z.object({
          asset: z.string().min(1).max(1000).optional(),
          limit: limitQuery,
          cursor: cursorQuery,
        }),
        response: {
          200: z.object({ evaluations: z.array(anyObject), nextCursor: z.string().nullable() }),
          ...errorResponses,
          ...notAvailableResponse,
        },
      },
    },
    async (request) => {
      const automation = daemon.automation;
      if (automation === undefined) throw notAvailable('automation');
      const { asset, limit = 100, cursor } = request.query;
      const assetKey = asset === undefined ? undefined : daemon.definitions.asset(asset).key;
      const before = beforeOf(cursor);
      const page = await automation.evaluations({
        limit,
        ...(assetKey === undefined ? {} : { assetKey }),
        ...(before === undefined ? {} : { before }),
      });
      return { evaluations: itemsOf(page, 'evaluations'), nextCursor: cursorOf(page) };
    },
  );

  app.post(
    '/api/dynamic-partitions/:name',
    {
      schema: {
        summary: 'Adds and/or removes keys of a dynamic partitions definition',
        tags: ['assets'],
        params: nameParams,
        body: z
          .object({
            add: z.array(z.string().min(1).max(1000)).min(1).max(100_000).optional(),
            remove: z.array(z.string().min(1).max(1000)).min(1).max(100_000).optional(),
          })
          .strict(),
        response: {
          200: z.object({ name: z.string(), keys: z.number().describe('Number of keys now') }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const { add, remove } = request.body;
      if (!dynamicNames(daemon.definitions).has(name)) {
        throw new CairnError(
          'CAIRN_UNKNOWN_PARTITION',
          `No asset uses a dynamic partitions definition named "${name}"; check the name in your definitions.`,
          { name },
        );
      }
      if (add === undefined && remove === undefined) {
        throw new DaemonError(
          'CAIRN_INVALID_REQUEST',
          'Give "add" and/or "remove" (arrays of keys).',
          {
            name,
          },
        );
      }
      if (add !== undefined) await daemon.addDynamicPartitions(name, add);
      if (remove !== undefined) await daemon.removeDynamicPartitions(name, remove);
      return { name, keys: daemon.storage.getDynamicPartitionKeys(name).length };
    },
  );
}

const namesCache = new WeakMap<Definitions, Set<string>>();

/** Names of the dynamic partitions definitions the assets use (also inside multi definitions). */
function dynamicNames(defs: Definitions): Set<string> {
  let names = namesCache.get(defs);
  if (names === undefined) {
    const found = new Set<string>();
    const visit = (s: PartitionsSnapshot): void => {
      if (s.type === 'dynamic') found.add(s.name);
      else if (s.type === 'multi') for (const d of s.dimensions) visit(d.partitions);
    };
    for (const asset of defs.assets.values()) {
      if (asset.partitions !== undefined) visit(asset.partitions.snapshot());
    }
    names = found;
    namesCache.set(defs, names);
  }
  return names;
}
