import { DaemonError } from '../errors.js';
import { ALERT_EVENT_TYPES, type AlertEventType, type AlertTarget } from './alert-dispatcher.js';

/** The environment variable naming the alert webhooks of `cairn start`, `cairn dev`, `cairn daemon`. */
export const ALERT_WEBHOOKS_ENV = 'CAIRN_ALERT_WEBHOOKS';

/**
 * The webhooks in `CAIRN_ALERT_WEBHOOKS`, undefined when it is unset or blank. Each entry is a URL,
 * optionally followed by `=` and the events it wants (`run_failure`, `check_failure`,
 * `freshness_breach`, separated by `+`); entries are separated by commas or whitespace:
 * `https://hooks.example.com/oncall=run_failure+freshness_breach, https://hooks.example.com/all`.
 * Throws CAIRN_INVALID_OPTIONS naming the bad entry.
 */
export function alertTargetsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): AlertTarget[] | undefined {
  const raw = env[ALERT_WEBHOOKS_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  return raw
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map((entry) => {
      const eq = entry.lastIndexOf('=');
      const hasEvents = eq > 0 && /^[a-z_+]+$/.test(entry.slice(eq + 1));
      const url = hasEvents ? entry.slice(0, eq) : entry;
      const bad = (why: string): never => {
        throw new DaemonError(
          'CAIRN_INVALID_OPTIONS',
          `${ALERT_WEBHOOKS_ENV}: "${entry}" ${why}. Write http(s) URLs separated by commas, each optionally followed by =event+event (events: ${ALERT_EVENT_TYPES.join(', ')}).`,
          { option: ALERT_WEBHOOKS_ENV, entry },
        );
      };
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return bad('is not a URL');
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        bad('is not an http or https URL');
      if (!hasEvents) return { url };
      const events = entry
        .slice(eq + 1)
        .split('+')
        .filter((e) => e !== '');
      for (const e of events)
        if (!ALERT_EVENT_TYPES.includes(e as AlertEventType)) bad(`names an unknown event "${e}"`);
      return { url, events: events as AlertEventType[] };
    });
}
