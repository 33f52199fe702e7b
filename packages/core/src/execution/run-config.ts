import type { AnyAssetDefinition } from '../asset-types.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import type { ExecutionPlan } from './plan.js';

/** A zod issue as far as messages need it. */
interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

function describeIssue(issues: readonly Issue[]): string {
  const first = issues[0];
  if (first === undefined) return 'invalid value';
  const where = first.path.length > 0 ? `at "${first.path.map(String).join('.')}": ` : '';
  return `${where}${first.message}`;
}

/** Parses `value` with the asset's schema; a missing config is tried as `{}` so all-default objects need none. */
function parseConfig(a: AnyAssetDefinition, value: unknown): unknown {
  const schema = a.configSchema!;
  let parsed = schema.safeParse(value);
  if (!parsed.success && value === undefined) {
    const empty = schema.safeParse({});
    if (empty.success) return empty.data;
    parsed = empty;
  }
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues as readonly Issue[];
  throw new CairnError(
    'CAIRN_INVALID_CONFIG',
    `Run config of asset "${a.key}" is invalid ${describeIssue(issues)}. Pass config: { ${JSON.stringify(a.key)}: ... } matching the asset's config schema.`,
    {
      asset: a.key,
      config: value,
      issues: issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    },
    { cause: parsed.error },
  );
}

/**
 * Validates the run config of every asset node the plan runs against its zod schema, once, before
 * anything runs. Keys are asset keys (any output key of a multi-asset). Returns the parsed config
 * per plan node; throws CAIRN_INVALID_CONFIG naming the asset and the first zod issue, or
 * CAIRN_UNKNOWN_ASSET for a config key that is no asset.
 */
export function validateRunConfig(
  defs: Definitions,
  plan: ExecutionPlan,
  config: Readonly<Record<string, unknown>> = {},
): Map<string, unknown> {
  for (const key of Object.keys(config)) defs.asset(key);
  const out = new Map<string, unknown>();
  for (const step of plan.steps) {
    if (step.mode !== 'run' || out.has(step.node)) continue;
    const head = defs.asset(step.assetKeys[0]!);
    const givenKey = step.assetKeys.find((k) => Object.hasOwn(config, k));
    const value = givenKey === undefined ? undefined : config[givenKey];
    out.set(step.node, head.configSchema === undefined ? value : parseConfig(head, value));
  }
  return out;
}
