/** Freshness policies: the status of an asset against its `freshness` policy, by the rules `freshnessCheck()` uses. */
export {
  type CompiledFreshnessPolicy,
  compileFreshnessPolicy,
  latestDueTick,
} from './freshness-policy.js';
export { type FreshnessStatus, freshnessStatus } from './freshness-status.js';
