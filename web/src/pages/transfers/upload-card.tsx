/**
 * 上传文件: files or a whole folder into a draft, each by the resumable chunked
 * protocol (transfer-uploads.ts), three at a time, with a progress bar per file
 * and for everything chosen. A file keeps its path inside the folder
 * (webkitRelativePath), which is how items name their files. An upload that
 * failed can be tried again: the server resumes it where it stopped.
 */
import { FolderOpenOutlined, RedoOutlined, UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Progress, Space, Table, Tag, Typography, Upload, type TableColumnsType, type UploadProps } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.js';
import { uploadTransferFile } from '../../api/transfer-uploads.js';
import { formatBytes } from './format-bytes.js';
import { createLimiter } from './upload-queue.js';

type UploadStatus = 'waiting' | 'uploading' | 'done' | 'exists' | 'error';

interface UploadRow {
  uid: string;
  path: string;
  size: number;
  received: number;
  status: UploadStatus;
  error?: string;
}

/** Files an operating system leaves in folders; handed over they would be files no item names. */
const SYSTEM_FILES = /^(\.|Thumbs\.db$|desktop\.ini$)/i;

const statusColours: Record<UploadStatus, string> = { waiting: 'default', uploading: 'processing', done: 'success', exists: 'warning', error: 'error' };

export interface UploadCardProps {
  transferId: string;
  disabled: boolean;
  /** A file is in the hand-over, under the path the server gave it. */
  onUploaded: (path: string) => void;
  /** Whether uploads are running (submitting must wait for them). */
  onBusy: (busy: boolean) => void;
}

export function UploadCard({ transferId, disabled, onUploaded, onBusy }: UploadCardProps) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<UploadRow[]>([]);
  const files = useRef(new Map<string, File>());
  const limited = useMemo(() => createLimiter(3), []);
  const busy = rows.some((r) => r.status === 'waiting' || r.status === 'uploading');

  const wasBusy = useRef(false);
  useEffect(() => {
    onBusy(busy);
    // Uploads finished: the hand-over's file count and bytes changed.
    if (wasBusy.current && !busy) void queryClient.invalidateQueries({ queryKey: ['transfers', 'one', transferId] });
    wasBusy.current = busy;
  }, [busy, onBusy, queryClient, transferId]);

  const update = (uid: string, patch: Partial<UploadRow>) => setRows((current) => current.map((r) => (r.uid === uid ? { ...r, ...patch } : r)));

  const run = (uid: string, file: File, path: string) => {
    update(uid, { status: 'waiting', error: undefined });
    return limited(async () => {
      update(uid, { status: 'uploading' });
      return uploadTransferFile(transferId, file, path, { onProgress: (received) => update(uid, { received }) });
    }).then(
      (state) => {
        update(uid, { status: 'done', received: state.size, path: state.path });
        onUploaded(state.path);
      },
      (error: unknown) => {
        // Already received (a folder chosen again after a reload): the hand-over has it.
        if (error instanceof ApiError && error.code === 'TRANSFER_PATH_TAKEN') {
          update(uid, { status: 'exists', received: file.size, error: error.message });
          onUploaded(path.normalize('NFC'));
          return;
        }
        update(uid, { status: 'error', error: error instanceof ApiError ? error.message : tBase('common.networkError') });
        throw error;
      },
    );
  };

  const customRequest: UploadProps['customRequest'] = ({ file, onSuccess, onError }) => {
    if (!(file instanceof File)) return;
    const uid = 'uid' in file && typeof file.uid === 'string' ? file.uid : `${file.name}-${Date.now()}`;
    const path = file.webkitRelativePath || file.name;
    files.current.set(uid, file);
    setRows((current) => [...current, { uid, path, size: file.size, received: 0, status: 'waiting' }]);
    run(uid, file, path).then(
      () => onSuccess?.(null),
      (error: Error) => onError?.(error),
    );
  };

  const retry = (row: UploadRow) => {
    const file = files.current.get(row.uid);
    if (file) run(row.uid, file, file.webkitRelativePath || file.name).catch(() => undefined);
  };

  const skipSystemFiles: UploadProps['beforeUpload'] = (file) => (SYSTEM_FILES.test(file.name) ? Upload.LIST_IGNORE : true);

  const total = rows.reduce((n, r) => n + r.size, 0);
  const received = rows.reduce((n, r) => n + r.received, 0);
  const finished = rows.filter((r) => r.status === 'done' || r.status === 'exists').length;
  const percent = rows.length === 0 ? 0 : total === 0 ? (finished === rows.length ? 100 : 0) : Math.floor((received / total) * 100);

  const columns: TableColumnsType<UploadRow> = [
    { key: 'path', dataIndex: 'path', title: t('upload.path'), ellipsis: true },
    { key: 'size', title: t('upload.size'), render: (_, r) => formatBytes(r.size), width: 100 },
    {
      key: 'progress',
      title: t('upload.progress'),
      width: 200,
      render: (_, r) => (
        <Progress size="small" percent={r.size === 0 ? (r.status === 'done' ? 100 : 0) : Math.floor((r.received / r.size) * 100)} status={r.status === 'error' ? 'exception' : r.status === 'uploading' ? 'active' : undefined} />
      ),
    },
    {
      key: 'status',
      title: t('upload.status'),
      width: 240,
      render: (_, r) => (
        <Space size={4} wrap>
          <Tag color={statusColours[r.status]}>{t(`upload.states.${r.status}`)}</Tag>
          {r.error && <Typography.Text type={r.status === 'error' ? 'danger' : 'secondary'}>{r.error}</Typography.Text>}
          {r.status === 'error' && (
            <Button size="small" icon={<RedoOutlined />} onClick={() => retry(r)}>
              {t('upload.retry')}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card size="small" title={t('upload.title')} data-testid="upload-card">
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('upload.hint')}</Typography.Text>
        <Space wrap>
          <span data-testid="upload-files">
            <Upload multiple showUploadList={false} disabled={disabled} beforeUpload={skipSystemFiles} customRequest={customRequest}>
              <Button icon={<UploadOutlined />} disabled={disabled}>
                {t('upload.chooseFiles')}
              </Button>
            </Upload>
          </span>
          <span data-testid="upload-folder">
            <Upload directory showUploadList={false} disabled={disabled} beforeUpload={skipSystemFiles} customRequest={customRequest}>
              <Button icon={<FolderOpenOutlined />} disabled={disabled}>
                {t('upload.chooseFolder')}
              </Button>
            </Upload>
          </span>
        </Space>
        {rows.length > 0 && (
          <>
            <div data-testid="upload-overall" data-percent={percent} data-finished={finished} data-count={rows.length}>
              <Typography.Text>{t('upload.overall', { finished, count: rows.length, received: formatBytes(received), total: formatBytes(total) })}</Typography.Text>
              <Progress percent={percent} status={rows.some((r) => r.status === 'error') ? 'exception' : busy ? 'active' : 'success'} />
            </div>
            <Table<UploadRow> data-testid="upload-table" rowKey="uid" size="small" columns={columns} dataSource={rows} pagination={{ pageSize: 10, hideOnSinglePage: true }} />
          </>
        )}
      </Space>
    </Card>
  );
}
