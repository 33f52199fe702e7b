import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * Runs one full garbage collection now. Loading a large stored state leaves hundreds of MB of
 * short-lived objects behind; V8 sizes its next heap limit from the live size after a collection,
 * so collecting right after the load keeps the daemon's heap near its live size instead of letting
 * it grow to twice the garbage-inflated one. Uses V8's `gc` function, exposed once for this
 * purpose; a no-op if the runtime refuses.
 */
export function collectGarbage(): void {
  try {
    if (gc === undefined) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
    gc();
  } catch {
    // Not exposed here (another embedder, a locked-down runtime): nothing to do.
  }
}
