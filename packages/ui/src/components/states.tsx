import type { ReactNode } from 'react';
import type { ApiError } from '../api/api-client.js';

/** A loading line. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/** An error box that says what went wrong and what to do (daemon unreachable, 404, other). */
export function ErrorState({ error, retry }: { error: ApiError; retry?: () => void }) {
  const title =
    error.status === 0
      ? 'The daemon is unreachable'
      : error.status === 404
        ? 'Not found'
        : error.status === 401
          ? 'Sign-in needed'
          : `Error ${error.status}`;
  const hint =
    error.status === 0 ? (
      <>
        Start it with <code>cairn dev</code> (or <code>cairn start</code>) and retry.
      </>
    ) : error.status === 401 ? (
      'Enter the API token in the field at the top right.'
    ) : error.status === 404 ? (
      'Check the address; the asset, run or backfill may not exist in these definitions.'
    ) : (
      ''
    );
  return (
    <div className="error-state" role="alert">
      <strong>{title}</strong>
      <p>
        {error.message} <code>{error.code}</code>
      </p>
      {hint && <p className="muted">{hint}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** An empty state: says there is nothing and how to get something. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty-state">{children}</div>;
}
