import type { StepLogger } from '../asset-types.js';
import type { LogEvent } from './events.js';

/** Where log lines go: the run's event sink and its clock. */
export interface LogSink {
  readonly runId: string;
  emit(event: LogEvent): void;
  timestamp(): string;
}

/**
 * The `ctx.log` of a step or check: each line becomes a `log` event tagged with the step. A class
 * rather than four closures per step keeps per-step allocation small.
 */
export class StepLog implements StepLogger {
  constructor(
    private readonly sink: LogSink,
    private readonly stepKey: string | undefined,
    private readonly assetKey: string | undefined,
    private readonly partitionKey: string | undefined,
  ) {}

  /** Logs at `debug`. */
  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }
  /** Logs at `info`. */
  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }
  /** Logs at `warn`. */
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }
  /** Logs at `error`. */
  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  private write(level: LogEvent['level'], message: string, fields?: Record<string, unknown>) {
    const event: LogEvent = {
      type: 'log',
      runId: this.sink.runId,
      timestamp: this.sink.timestamp(),
      level,
      message: String(message),
    };
    if (fields !== undefined) event.fields = fields;
    if (this.stepKey !== undefined) event.stepKey = this.stepKey;
    if (this.assetKey !== undefined) event.assetKey = this.assetKey;
    if (this.partitionKey !== undefined) event.partitionKey = this.partitionKey;
    this.sink.emit(event);
  }
}
