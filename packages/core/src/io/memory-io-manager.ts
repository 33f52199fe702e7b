import { CairnError } from '../errors.js';
import type { IOContext, IOManager } from './io-manager.js';

/** An IO manager that keeps values in this process's memory; also lists what it holds. */
export interface MemoryIOManager extends IOManager {
  store(ctx: IOContext, value: unknown): void;
  load(ctx: IOContext): unknown;
  has(ctx: IOContext): boolean;
  delete(ctx: IOContext): void;
  /** Number of stored asset partitions. */
  readonly size: number;
  /** Removes every stored value. */
  clear(): void;
}

// A NUL byte cannot occur in an asset key, so `key\0partition` never collides between two pairs.
function slot(ctx: IOContext): string {
  return ctx.partitionKey === undefined ? ctx.assetKey : `${ctx.assetKey}\0${ctx.partitionKey}`;
}

/**
 * Creates an IO manager that keeps values in a Map in this process: the default for
 * `definitions()` and `materialize()` in tests. Values do not survive the process, so the daemon's
 * workers use the filesystem IO manager instead.
 *
 * @example
 * const io = memoryIOManager();
 * definitions({ assets, ioManagers: { default: io } });
 */
export function memoryIOManager(): MemoryIOManager {
  const values = new Map<string, unknown>();
  return {
    store(ctx, value) {
      values.set(slot(ctx), value);
    },
    load(ctx) {
      const k = slot(ctx);
      // `has` first: a stored `undefined` is a value, not a miss.
      if (!values.has(k)) {
        const where =
          ctx.partitionKey === undefined ? '' : ` partition "${ctx.partitionKey}" of asset`;
        throw new CairnError(
          'CAIRN_INPUT_NOT_FOUND',
          `No value stored for${where || ' asset'} "${ctx.assetKey}" in the memory IO manager (values live only in this process): materialize it first, in the same selection or the same process.`,
          { assetKey: ctx.assetKey, partitionKey: ctx.partitionKey, ioManager: 'memory' },
        );
      }
      return values.get(k);
    },
    has(ctx) {
      return values.has(slot(ctx));
    },
    delete(ctx) {
      values.delete(slot(ctx));
    },
    get size() {
      return values.size;
    },
    clear() {
      values.clear();
    },
  };
}

// Symbol.for, not a module-local symbol: the mark survives two copies of core in one process.
const IMPLICIT_DEFAULT = Symbol.for('cairn.implicitDefaultIOManager');

/** Marks the memory IO manager `definitions()` adds as `default` when the user configured none. */
export function markImplicitDefault<T extends object>(io: T): T {
  Object.defineProperty(io, IMPLICIT_DEFAULT, { value: true });
  return io;
}

/**
 * True when `io` is the in-memory `default` that `definitions()` added on its own (the user did
 * not configure one); hosts such as the daemon's workers replace it with a persistent one.
 */
export function isImplicitDefaultIOManager(io: unknown): boolean {
  return typeof io === 'object' && io !== null && Object.hasOwn(io, IMPLICIT_DEFAULT);
}
