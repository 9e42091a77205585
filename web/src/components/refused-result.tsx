import { Result } from 'antd';
import { ApiError } from '../api/client.js';
import { QueryError } from './query-error.js';

/** A page's data the server refused: a 403 shows its own message as a Result; other failures as an error Alert. */
export function RefusedOrError({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  if (error instanceof ApiError && error.status === 403) {
    return <Result status="403" title={error.message} data-testid="page-refused" />;
  }
  return <QueryError error={error} onRetry={onRetry} />;
}
