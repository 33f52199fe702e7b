import type { Clock, Definitions } from '@cairn/core';
import {
  type AlertDeliveryOptions,
  AlertDispatcher,
  type AlertTarget,
} from '../alerts/alert-dispatcher.js';
import type { RunRequest, SubmitResult } from '../runs/run-request.js';
import { InstigatorStore } from '../schedules/instigator-store.js';
import { ScheduleRunner } from '../schedules/schedule-runner.js';
import { SensorRunner } from '../schedules/sensor-runner.js';
import { StalenessService } from '../staleness/staleness-service.js';
import { StalenessTracker } from '../staleness/staleness-tracker.js';
import { StoredAssetState } from '../staleness/stored-asset-state.js';
import type { EventRecord } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import { type AutomationOptions, AutomationTicker } from './automation-ticker.js';
import { collectGarbage, LARGE_STATE } from './collect-garbage.js';
import { FreshnessMonitor } from './freshness-monitor.js';

/** The automation half of `createDaemon`'s options. */
export interface AutomationServicesOptions {
  /** The automation tick loop. Default: every 30 s. */
  automation?: AutomationOptions;
  /** Seconds between passes of the schedules and sensors loop; 0 turns it off. Default 5. */
  schedulerIntervalSeconds?: number;
  /** Webhooks to POST alerts to. Default none. */
  alerts?: AlertTarget[];
  /** Retry and timeout of alert deliveries. */
  alertDelivery?: AlertDeliveryOptions;
}

/** What the services need from the daemon. */
export interface AutomationServicesDeps {
  defs: Definitions;
  storage: Storage;
  clock: Clock;
  submit: (request: RunRequest) => Promise<SubmitResult>;
  addDynamicPartitions: (name: string, keys: readonly string[]) => Promise<void>;
  removeDynamicPartitions: (name: string, keys: readonly string[]) => Promise<void>;
  onError: (err: unknown) => void;
}

/**
 * Staleness, automation, schedules, sensors, freshness and alerts wired together: one stored
 * state fed by committed events (`onEvent`), the stale index kept from it, and the loops.
 */
export class AutomationServices {
  readonly state: StoredAssetState;
  readonly tracker: StalenessTracker;
  readonly staleness: StalenessService;
  readonly automation: AutomationTicker;
  readonly schedules: ScheduleRunner;
  readonly sensors: SensorRunner;
  readonly alerts: AlertDispatcher;
  readonly #schedulerIntervalMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> | undefined;
  #stopped = true;

  private constructor(
    deps: AutomationServicesDeps,
    options: AutomationServicesOptions,
    state: StoredAssetState,
  ) {
    const { defs, storage, clock } = deps;
    this.state = state;
    this.#onError = deps.onError;
    this.#schedulerIntervalMs = (options.schedulerIntervalSeconds ?? 5) * 1000;
    this.tracker = new StalenessTracker({ defs, state, storage, clock, onError: deps.onError });
    this.staleness = new StalenessService({ defs, state, tracker: this.tracker, storage, clock });
    this.alerts = new AlertDispatcher({
      storage,
      targets: options.alerts ?? [],
      clock,
      ...(options.alertDelivery === undefined ? {} : { delivery: options.alertDelivery }),
    });
    this.automation = new AutomationTicker({
      defs,
      state,
      storage,
      clock,
      submit: deps.submit,
      freshness: new FreshnessMonitor({ defs, state, clock }),
      onBreach: (b) =>
        this.alerts.notify('freshness_breach', {
          assetKey: b.assetKey,
          lagMinutes: b.lagMinutes ?? null,
          maxLagMinutes: b.maxLagMinutes,
          deadline: b.deadline?.toISOString() ?? null,
          description: b.description,
        }),
      ...(options.automation === undefined ? {} : { options: options.automation }),
    });
    const store = new InstigatorStore(storage);
    this.schedules = new ScheduleRunner({ defs, store, clock, submit: deps.submit });
    this.sensors = new SensorRunner({
      defs,
      store,
      storage,
      clock,
      submit: deps.submit,
      addDynamicPartitions: deps.addDynamicPartitions,
      removeDynamicPartitions: deps.removeDynamicPartitions,
    });
  }

  /** Loads the stored state and brings the stale index up to date with the definitions. */
  static async create(
    deps: AutomationServicesDeps,
    options: AutomationServicesOptions,
  ): Promise<AutomationServices> {
    const state = await StoredAssetState.load(deps.storage, { assetOrder: deps.defs.graph.keys });
    const large = state.materializedCount > LARGE_STATE;
    // The load and the first staleness pass each leave their garbage behind: drop it after each.
    if (large) collectGarbage();
    const services = new AutomationServices(deps, options, state);
    await services.tracker.initialize();
    if (large) collectGarbage();
    return services;
  }

  /** Feeds one committed event to the state, the stale index and the alerts. */
  onEvent(record: EventRecord): void {
    const wiped = this.state.wipedKeys(record);
    const update = this.state.apply(record);
    if (update !== undefined) this.tracker.enqueue(update);
    if (wiped.length > 0 && record.event.type === 'asset_wiped')
      this.tracker.enqueueWipe(record.event.assetKey, wiped);
    // Run and check failures: the alerts read them from the log after their stored cursor.
    this.alerts.follow(record);
  }

  /** Starts the automation loop and the schedules/sensors loop. */
  start(): void {
    this.#stopped = false;
    this.automation.start();
    this.#scheduleNext();
  }

  /** Stops the loops, waits for passes in flight, lets queued work finish. */
  async stop(): Promise<void> {
    await this.stopLoops();
    await this.tracker.idle();
    await this.alerts.stop();
  }

  /**
   * Stops the automation and the schedules/sensors loops and waits for passes in flight; the
   * state and alerts keep going, and `start()` resumes (a daemon that lost the leader lease).
   */
  async stopLoops(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.automation.stop();
    await this.#pass?.catch(() => undefined);
  }

  /** One pass of the schedules and sensors (the loop's body; tests call it directly). */
  async runInstigators(): Promise<void> {
    await this.schedules.tick();
    await this.sensors.tick();
  }

  #scheduleNext(): void {
    if (this.#stopped || this.#schedulerIntervalMs <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pass = this.runInstigators()
        .catch((err) => this.#onError(err))
        .finally(() => {
          this.#pass = undefined;
          this.#scheduleNext();
        });
    }, this.#schedulerIntervalMs);
    this.#timer.unref();
  }
}
