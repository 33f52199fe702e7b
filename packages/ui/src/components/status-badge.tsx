import { type AssetStatusWord, STATUS_MEANING } from '../lib/asset-status.js';

/** A status shown by colour and by word (never colour alone). */
export function StatusBadge({ status }: { status: AssetStatusWord | string }) {
  const title = (STATUS_MEANING as Record<string, string>)[status] ?? status;
  return (
    <span className={`badge status-${status}`} title={title}>
      {status}
    </span>
  );
}
