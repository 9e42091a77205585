/**
 * What an accept did: the records and files taken in, and, when some items went
 * back, a link to the returned hand-over that holds them (the workspace opens a
 * hand-over by `?id=`, so the link also opens in a new tab).
 */
import { Result, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Acceptance } from '../../api/transfers.js';
import { formatBytes } from './format-bytes.js';

export function AcceptResult({ result }: { result: Acceptance }) {
  const { t } = useTranslation('transfer');
  const returnedId = result.returnedTransferId;
  return (
    <div data-testid="accept-result" data-records={result.records} data-returned={result.returned} data-recoded={result.recoded}>
      <Result
        status="success"
        title={t('accept.done', { records: result.records, files: result.files, size: formatBytes(result.bytes) })}
        subTitle={
          (result.returned > 0 || result.recoded > 0) && (
            <Space orientation="vertical" size={0}>
              {result.returned > 0 && <span>{t('accept.returnedDone', { count: result.returned })}</span>}
              {result.recoded > 0 && <span>{t('accept.recodedDone', { count: result.recoded })}</span>}
            </Space>
          )
        }
        extra={
          returnedId && (
            <Link to={{ search: `?id=${encodeURIComponent(returnedId)}` }} data-testid="accept-returned-link">
              {t('accept.openReturned')}
            </Link>
          )
        }
      />
    </div>
  );
}
