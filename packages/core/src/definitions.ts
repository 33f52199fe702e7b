import { isAssetDefinition } from './asset.js';
import type { AnyAssetDefinition } from './asset-types.js';
import type { AnyAssetCheckDefinition } from './checks/asset-check.js';
import type { Definitions, DefinitionsInput, NamedDefinition } from './definitions-types.js';
import { CairnError } from './errors.js';
import { AssetGraph } from './graph/asset-graph.js';
import { closeMatches, didYouMean } from './graph/close-matches.js';
import type { IOManager } from './io/io-manager.js';
import { markImplicitDefault, memoryIOManager } from './io/memory-io-manager.js';
import type { PartitionMapping } from './mappings/partition-mapping.js';
import { isResourceDefinition, type ResourceDefinition, resourceValue } from './resource.js';
import { selectAssets } from './selection/select-assets.js';

/**
 * Validates everything a code location declares, once, and returns it frozen: the lineage graph
 * (unique keys, known dependencies, no cycles, fitting partition mappings, unambiguous inputs),
 * checks on known assets with unique ids, configured IO managers, unique schedule and sensor
 * names. Every failure is a CairnError with a stable code that names the culprit.
 *
 * @example
 * export default definitions({
 *   assets: [rawOrders, orders, multiAsset(...)],
 *   checks: [noNegativeTotals],
 *   resources: { warehouse, apiKey: process.env.API_KEY },
 * });
 */
export function definitions(input: DefinitionsInput = {}): Definitions {
  if (typeof input !== 'object' || input === null) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      'definitions() needs an options object such as { assets: [...] }.',
      { input },
    );
  }
  const assets = flattenAssets(input.assets ?? []);
  const checkList = uniqueObjects(listOf(input.checks, 'checks'));
  const graph = new AssetGraph(assets, { checks: checkList });

  const { checks, checksByAsset } = validateChecks(graph, checkList);
  const ioManagers = resolveIOManagers(input.ioManagers);
  for (const key of graph.keys) {
    const io = graph.asset(key).io;
    if (!Object.hasOwn(ioManagers, io)) throw unknownIOManager(key, io, Object.keys(ioManagers));
  }
  const schedules = listOf(input.schedules, 'schedules');
  const sensors = listOf(input.sensors, 'sensors');
  validateNames(schedules, sensors);
  const resources = resolveResources(input.resources);
  const assetMap = readonlyMap(graph.keys.map((key) => [key, graph.asset(key)] as const));

  const defs: Definitions = Object.freeze({
    kind: 'definitions' as const,
    assets: assetMap,
    checks,
    checksByAsset,
    graph,
    schedules: Object.freeze([...schedules]),
    sensors: Object.freeze([...sensors]),
    resources,
    ioManagers,
    asset(key: string): AnyAssetDefinition {
      return graph.asset(key);
    },
    mapping(downstreamKey: string, upstreamKey: string, inputName?: string): PartitionMapping {
      graph.asset(downstreamKey);
      graph.asset(upstreamKey);
      const edge = graph.edge(upstreamKey, downstreamKey);
      if (edge === undefined) {
        throw new CairnError(
          'CAIRN_UNKNOWN_DEPENDENCY',
          `Asset "${downstreamKey}" does not depend on "${upstreamKey}", so there is no partition mapping between them. Its dependencies are: ${graph.parents(downstreamKey).join(', ') || 'none'}.`,
          { asset: downstreamKey, dependency: upstreamKey },
        );
      }
      if (inputName === undefined) return edge.mapping;
      return edge.deps.find((d) => d.inputName === inputName)?.mapping ?? edge.mapping;
    },
    select(selection: string): string[] {
      return selectAssets(graph, selection);
    },
  });
  // Targets are resolved against the finished definitions (selections need the graph).
  for (const def of [...schedules, ...sensors]) def.validate?.(defs);
  return defs;
}

type AssetsInput = NonNullable<DefinitionsInput['assets']>;

/**
 * Flattens arrays and records of handles (such as what multiAsset returns) into one list. The
 * same handle given twice counts once, so passing both a multi-asset's record and one of its
 * outputs is not a duplicate.
 */
function flattenAssets(input: AssetsInput): AnyAssetDefinition[] {
  if (!Array.isArray(input)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      'definitions({ assets }) must be an array of asset handles (records such as the result of multiAsset() may appear in it).',
      {},
    );
  }
  const result: AnyAssetDefinition[] = [];
  // Identity, not key: two separately declared handles with one key are a real duplicate (a
  // multi-asset's `multi.id` is derived from its keys, so it cannot tell them apart either).
  const seen = new Set<unknown>();
  const visit = (item: unknown, path: string): void => {
    if (isAssetDefinition(item)) {
      if (seen.has(item)) return;
      seen.add(item);
      result.push(item);
    } else if (Array.isArray(item)) {
      for (const [i, x] of item.entries()) visit(x, `${path}[${i}]`);
    } else if (
      typeof item === 'object' &&
      item !== null &&
      typeof (item as { kind?: unknown }).kind !== 'string'
    ) {
      for (const [name, x] of Object.entries(item)) visit(x, `${path}.${name}`);
    } else {
      const what =
        typeof item === 'function'
          ? 'a function (did you pass asset itself, or a factory you forgot to call?)'
          : typeof item === 'object' && item !== null
            ? `an object of kind "${String((item as { kind: unknown }).kind)}"`
            : String(item);
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `definitions({ assets }): ${path} is ${what}, not an asset handle. Pass what asset(), multiAsset(), externalAsset() or assetsOf() return.`,
        { path },
      );
    }
  };
  for (const [i, item] of input.entries()) visit(item, `assets[${i}]`);
  return result;
}

function listOf<T>(list: readonly T[] | undefined, name: string): readonly T[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    throw new CairnError('CAIRN_INVALID_OPTIONS', `definitions({ ${name} }) must be an array.`, {
      option: name,
    });
  }
  return list;
}

function uniqueObjects<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

function validateChecks(
  graph: AssetGraph,
  list: readonly AnyAssetCheckDefinition[],
): Pick<Definitions, 'checks' | 'checksByAsset'> {
  const byId = new Map<string, AnyAssetCheckDefinition>();
  for (const [i, check] of list.entries()) {
    if (typeof check !== 'object' || check === null || check.kind !== 'check') {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `definitions({ checks }): checks[${i}] is not an asset check. Pass what assetCheck() returns.`,
        { path: `checks[${i}]` },
      );
    }
    if (!graph.has(check.assetKey)) {
      const matches = closeMatches(check.assetKey, graph.keys);
      throw new CairnError(
        'CAIRN_UNKNOWN_CHECK_ASSET',
        `Check "${check.name}" is declared on asset "${check.assetKey}", which is not among the assets passed to definitions().${didYouMean(matches)} Add the asset, or point the check at an existing one.`,
        { check: check.id, asset: check.assetKey, closeMatches: matches },
      );
    }
    if (byId.has(check.id)) {
      throw new CairnError(
        'CAIRN_DUPLICATE_CHECK',
        `Asset "${check.assetKey}" has two checks named "${check.name}" (id "${check.id}"). Give each check on an asset its own name.`,
        { check: check.id, asset: check.assetKey, name: check.name },
      );
    }
    byId.set(check.id, check);
  }
  // Stable order: by asset in topological order, then by check name.
  const ordered = [...byId.values()].sort(
    (a, b) =>
      graph.indexOf(a.assetKey) - graph.indexOf(b.assetKey) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const byAsset = new Map<string, AnyAssetCheckDefinition[]>();
  for (const check of ordered) {
    const group = byAsset.get(check.assetKey) ?? [];
    group.push(check);
    byAsset.set(check.assetKey, group);
  }
  return {
    checks: readonlyMap(ordered.map((c) => [c.id, c] as const)),
    checksByAsset: readonlyMap(
      [...byAsset].map(([key, group]) => [key, Object.freeze(group)] as const),
    ),
  };
}

function resolveIOManagers(
  given: DefinitionsInput['ioManagers'],
): Readonly<Record<string, IOManager>> {
  const result: Record<string, IOManager> = {};
  for (const [name, manager] of Object.entries(given ?? {})) {
    if (
      typeof manager !== 'object' ||
      manager === null ||
      typeof manager.store !== 'function' ||
      typeof manager.load !== 'function'
    ) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `IO manager "${name}" must be an object with store(ctx, value) and load(ctx) methods, such as memoryIOManager() or fsIOManager().`,
        { ioManager: name },
      );
    }
    result[name] = manager;
  }
  result.default ??= markImplicitDefault(memoryIOManager());
  return Object.freeze(result);
}

function unknownIOManager(asset: string, io: string, configured: string[]): CairnError {
  const matches = closeMatches(io, configured);
  return new CairnError(
    'CAIRN_UNKNOWN_IO_MANAGER',
    `Asset "${asset}" uses IO manager "${io}", which is not configured (configured: ${configured.map((n) => `"${n}"`).join(', ')}).${didYouMean(matches)} Add it with definitions({ ioManagers: { ${JSON.stringify(io)}: ... } }), or change the asset's io option.`,
    { asset, ioManager: io, configured, closeMatches: matches },
  );
}

function validateNames(
  schedules: readonly NamedDefinition[],
  sensors: readonly NamedDefinition[],
): void {
  // Schedules and sensors share one namespace: the daemon addresses both by name.
  const seen = new Map<string, 'schedule' | 'sensor'>();
  const entries = [
    ...schedules.map((d) => ['schedule', d] as const),
    ...sensors.map((d) => ['sensor', d] as const),
  ];
  for (const [what, def] of entries) {
    const name = def?.name;
    if (typeof name !== 'string' || name.length === 0) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `definitions(): every ${what} needs a non-empty "name".`,
        { kind: what },
      );
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new CairnError(
        'CAIRN_DUPLICATE_KEY',
        `The name "${name}" is used by two ${earlier === what ? `${what}s` : `definitions (a ${earlier} and a ${what})`}. Schedules and sensors need unique names: rename one.`,
        { name, kinds: [earlier, what] },
      );
    }
    seen.set(name, what);
  }
}

function resolveResources(
  given: DefinitionsInput['resources'],
): Readonly<Record<string, ResourceDefinition<any, any>>> {
  const result: Record<string, ResourceDefinition<any, any>> = {};
  for (const [name, value] of Object.entries(given ?? {})) {
    result[name] = isResourceDefinition(value) ? value : resourceValue(value);
  }
  return Object.freeze(result);
}

/** A Map whose mutating methods throw, frozen, so the definitions cannot change after validation. */
function readonlyMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map<K, V>(entries);
  const refuse = () => {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      'Definitions are frozen once validated: build a new definitions() object instead of changing this one.',
      {},
    );
  };
  Object.defineProperties(map, {
    set: { value: refuse },
    delete: { value: refuse },
    clear: { value: refuse },
  });
  return Object.freeze(map);
}
