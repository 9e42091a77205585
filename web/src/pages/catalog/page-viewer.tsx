/**
 * 预览: a file's pages as the access-copy job rendered them (JPEG, long side 1600
 * px), one at a time. Only the page on screen is fetched; its size is known from
 * the list, so the space is kept while it loads and the buttons do not jump.
 */
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Modal, Space, Typography, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { pagePath, type PreviewPage } from '../../api/access-copies.js';

export interface PageViewerProps {
  itemId: string;
  fileId: string;
  name: string;
  pages: readonly PreviewPage[];
  onClose: () => void;
}

export function PageViewer({ itemId, fileId, name, pages, onClose }: PageViewerProps) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const [index, setIndex] = useState(0);
  const page = pages[index];
  const total = pages.length;

  return (
    <Modal open width={960} title={t('admin.catalog.detail.previewTitle', { name })} footer={null} onCancel={onClose} destroyOnHidden>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="preview-viewer">
        <Space wrap style={{ width: '100%', justifyContent: 'center' }}>
          <Button icon={<LeftOutlined />} disabled={index === 0} onClick={() => setIndex(index - 1)} data-testid="preview-previous">
            {t('admin.catalog.detail.previousPage')}
          </Button>
          <Typography.Text data-testid="preview-page-number">{t('admin.catalog.detail.pageOf', { page: page?.page ?? 0, total })}</Typography.Text>
          <Button icon={<RightOutlined />} iconPlacement="end" disabled={index >= total - 1} onClick={() => setIndex(index + 1)} data-testid="preview-next">
            {t('admin.catalog.detail.nextPage')}
          </Button>
        </Space>
        {page && (
          <img
            key={page.page}
            src={pagePath(itemId, fileId, page.page)}
            alt={t('admin.catalog.detail.pageAlt', { name, page: page.page })}
            width={page.width}
            height={page.height}
            loading="lazy"
            data-testid="preview-page-image"
            data-page={page.page}
            style={{ display: 'block', margin: '0 auto', maxWidth: '100%', maxHeight: '75vh', width: 'auto', height: 'auto', aspectRatio: `${page.width} / ${page.height}`, background: token.colorFillTertiary }}
          />
        )}
      </Space>
    </Modal>
  );
}
