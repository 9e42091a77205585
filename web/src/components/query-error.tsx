import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';

export interface QueryErrorProps {
  error: Error;
  onRetry?: () => void;
}

/** A failed request: the server's own message when it sent one, otherwise "cannot reach the server". */
export function QueryError({ error, onRetry }: QueryErrorProps) {
  const { t } = useTranslation();
  const isApiError = error instanceof ApiError;
  return (
    <Alert
      type="error"
      showIcon
      title={isApiError ? error.message : t('common.networkError')}
      description={isApiError && error.requestId !== undefined ? t('common.requestId', { id: error.requestId }) : undefined}
      action={
        onRetry && (
          <Button size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )
      }
    />
  );
}
