import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import type { EventRecord } from '../api/api-types.js';
import { events } from '../api/event-stream.js';

/** The state of one API read. */
export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Reads again (keeps showing the old data meanwhile). */
  reload: () => void;
}

/** Reads from the API when `deps` change; `reload()` reads again without clearing the page. */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): ApiState<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's, tick forces a reload
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => live && setState({ data, loading: false }),
      (err: unknown) =>
        live &&
        setState((s) => ({
          ...s,
          loading: false,
          error: err instanceof ApiError ? err : new ApiError(0, 'CAIRN_UI_ERROR', String(err)),
        })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/**
 * Calls `onEvent` for each live event that passes `filter`, batching the resulting reloads: at
 * most one `onBatch` per `delayMs` (250 ms by default) so a run writing 1,000 events/s causes four
 * reloads a second, not a thousand.
 */
export function useLiveEvents(
  filter: (r: EventRecord) => boolean,
  onBatch: () => void,
  delayMs = 250,
): void {
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const batchRef = useRef(onBatch);
  batchRef.current = onBatch;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = events.subscribe((r) => {
      if (!filterRef.current(r) || timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        batchRef.current();
      }, delayMs);
    });
    return () => {
      off();
      if (timer !== null) clearTimeout(timer);
    };
  }, [delayMs]);
}

/** Whether the live event stream is connected. */
export function useLiveConnected(): boolean {
  const [c, setC] = useState(false);
  useEffect(() => {
    // Subscribing keeps the stream open on every page, so the indicator tells the truth.
    const off = events.subscribe(() => {});
    const offState = events.onState(setC);
    return () => {
      off();
      offState();
    };
  }, []);
  return c;
}
