import type { RunStatus, StepStatus } from '../schema.js';
import { IndexMiss, type PgIndexSnapshot, type StepRow } from './pg-index-snapshot.js';

/**
 * The `steps` rows a Postgres batch sees (the snapshot's, under this batch's changes), with the
 * semantics of the SQLite statements in sqlite-index-store.ts.
 */

/** The steps of the runs a batch touches, over a snapshot. */
export class PgStepOverlay {
  /** The changed rows, per run and step key (what the flush writes). */
  readonly rows = new Map<string, Map<string, StepRow>>();
  readonly #base: PgIndexSnapshot;

  constructor(base: PgIndexSnapshot) {
    this.#base = base;
  }

  #step(runId: string, stepKey: string): StepRow | undefined {
    const w = this.rows.get(runId)?.get(stepKey);
    if (w !== undefined) return w;
    const b = this.#base.steps.get(runId);
    if (b === undefined) throw new IndexMiss({ kind: 'steps', runId });
    return b.get(stepKey);
  }

  #setStep(row: StepRow): void {
    let m = this.rows.get(row.run_id);
    if (m === undefined) {
      m = new Map();
      this.rows.set(row.run_id, m);
    }
    m.set(row.step_key, row);
  }

  /** Starts (or restarts) a step. */
  startStep(
    runId: string,
    stepKey: string,
    assetKeys: string,
    partitionKey: string | null,
    at: string,
  ): void {
    const row = this.#step(runId, stepKey);
    this.#setStep({
      run_id: runId,
      step_key: stepKey,
      status: 'in_progress',
      asset_keys: row?.asset_keys ?? assetKeys,
      partition_key: row === undefined ? partitionKey : row.partition_key,
      attempts: 1,
      materializations: 0,
      started_at: at,
      ended_at: null,
      error: null,
    });
  }

  /** Records the attempt a step is about to make. */
  retryStep(runId: string, stepKey: string, attempt: number): void {
    const row = this.#step(runId, stepKey);
    if (row !== undefined) this.#setStep({ ...row, attempts: attempt });
  }

  /** Ends a step with a final status (creating the row for steps that never started). */
  endStep(
    runId: string,
    stepKey: string,
    status: StepStatus,
    assetKeys: string,
    partitionKey: string | null,
    at: string,
    error: string | null,
    attempts: number | null,
  ): void {
    const row = this.#step(runId, stepKey);
    if (row === undefined) {
      this.#setStep({
        run_id: runId,
        step_key: stepKey,
        status,
        asset_keys: assetKeys,
        partition_key: partitionKey,
        attempts: attempts ?? 0,
        materializations: 0,
        started_at: at,
        ended_at: at,
        error,
      });
      return;
    }
    this.#setStep({ ...row, status, ended_at: at, error, attempts: attempts ?? row.attempts });
  }

  /** Counts one materialization of a step. */
  countStepMaterialization(runId: string, stepKey: string, at: string): void {
    const row = this.#step(runId, stepKey);
    if (row !== undefined) {
      this.#setStep({ ...row, materializations: row.materializations + 1, ended_at: at });
    }
  }

  /** Closes the steps a run left open when it ended. */
  closeOpenSteps(runId: string, at: string, runStatus: RunStatus): void {
    const base = this.#base.steps.get(runId);
    if (base === undefined) throw new IndexMiss({ kind: 'steps', runId });
    const keys = new Set([...base.keys(), ...(this.rows.get(runId)?.keys() ?? [])]);
    for (const key of keys) {
      const row = this.#step(runId, key)!;
      if (row.status !== 'in_progress') continue;
      this.#setStep({
        ...row,
        status: row.materializations > 0 || runStatus === 'success' ? 'succeeded' : 'canceled',
        ended_at: row.ended_at ?? at,
      });
    }
  }
}
