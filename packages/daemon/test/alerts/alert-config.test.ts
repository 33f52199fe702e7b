import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALERT_WEBHOOKS_ENV, alertTargetsFromEnv } from '../../src/alerts/alert-config.js';
import { cleanup, RUNS_DEFS, spawnServer, tempDir } from '../cli/cli-helpers.js';
import { startWebhook } from './webhook-server.js';

afterEach(async () => {
  await cleanup();
});

describe('alert webhooks from CAIRN_ALERT_WEBHOOKS', () => {
  it('reads URLs separated by commas or spaces, each with optional events', () => {
    expect(alertTargetsFromEnv({})).toBeUndefined();
    expect(alertTargetsFromEnv({ [ALERT_WEBHOOKS_ENV]: '  ' })).toBeUndefined();
    expect(
      alertTargetsFromEnv({
        [ALERT_WEBHOOKS_ENV]:
          'https://hooks.example.com/oncall=run_failure+freshness_breach, http://127.0.0.1:9/all?x=1  https://h.example.com/q=check_failure',
      }),
    ).toEqual([
      { url: 'https://hooks.example.com/oncall', events: ['run_failure', 'freshness_breach'] },
      { url: 'http://127.0.0.1:9/all?x=1' },
      { url: 'https://h.example.com/q', events: ['check_failure'] },
    ]);
  });

  it('names the bad entry and says what to write', () => {
    expect(() => alertTargetsFromEnv({ [ALERT_WEBHOOKS_ENV]: 'hooks.example.com' })).toThrow(
      /CAIRN_ALERT_WEBHOOKS: "hooks.example.com" is not a URL\. Write http\(s\) URLs/,
    );
    expect(() => alertTargetsFromEnv({ [ALERT_WEBHOOKS_ENV]: 'ftp://h.example.com/x' })).toThrow(
      /is not an http or https URL/,
    );
    expect(() =>
      alertTargetsFromEnv({ [ALERT_WEBHOOKS_ENV]: 'https://h.example.com/x=run_failed' }),
    ).toThrow(/names an unknown event "run_failed".*run_failure, check_failure, freshness_breach/);
  });

  it('cairn start posts a failed run to the webhook in the environment', {
    timeout: 60_000,
  }, async () => {
    const webhook = await startWebhook();
    const { bodies } = webhook;
    const hook = webhook.url;
    try {
      const home = tempDir('cairn-alert-env-');
      writeFileSync(join(home, 'fail-a'), '');
      const cli = await spawnServer(
        ['start', '--defs', RUNS_DEFS, '--home', home, '--port', '0', '--workers', '1'],
        { env: { CAIRN_RUNS_FIXTURE_DIR: home, [ALERT_WEBHOOKS_ENV]: `${hook}=run_failure` } },
      );
      const res = await fetch(`${cli.url}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ selection: 'a' }),
      });
      const { runId } = (await res.json()) as { runId: string };
      await expect.poll(() => bodies.length, { timeout: 20_000 }).toBe(1);
      expect(bodies[0]).toMatchObject({ event: 'run_failure', runId });
      expect(await cli.stop()).toBe(0);
    } finally {
      await webhook.close();
    }
  });
});
