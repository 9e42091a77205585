/**
 * A file's thumbnail in the item drawer: the access copy when there is one (a click
 * opens the page viewer), a neutral box while there is none yet or the format gets
 * none, and nothing for a file the previews list does not name.
 */
import { FileOutlined } from '@ant-design/icons';
import { Button, Tooltip, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { thumbnailPath, type FilePreview } from '../../api/access-copies.js';

const boxPx = 64;

export interface FileThumbnailProps {
  itemId: string;
  position: number;
  name: string;
  preview: FilePreview | undefined;
  /** Opens the page viewer; absent when the file has no pages to show. */
  onOpen: (() => void) | undefined;
}

export function FileThumbnail({ itemId, position, name, preview, onOpen }: FileThumbnailProps) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const [broken, setBroken] = useState(false);
  if (!preview) return null;
  const box: React.CSSProperties = { width: boxPx, height: boxPx, borderRadius: token.borderRadiusSM, background: token.colorFillTertiary };

  if (!preview.thumbnail || broken) {
    return (
      <Tooltip title={t('admin.catalog.detail.noThumbnail')}>
        <span data-testid={`file-thumb-${position}`} data-thumbnail="false" style={{ ...box, display: 'inline-flex', alignItems: 'center', justifyContent: 'center', color: token.colorTextQuaternary, fontSize: 24 }}>
          <FileOutlined />
        </span>
      </Tooltip>
    );
  }
  const image = (
    <img src={thumbnailPath(itemId, preview.fileId)} alt={name} loading="lazy" onError={() => setBroken(true)} style={{ ...box, display: 'block', objectFit: 'contain' }} />
  );
  if (!onOpen) {
    return (
      <span data-testid={`file-thumb-${position}`} data-thumbnail="true">
        {image}
      </span>
    );
  }
  return (
    <Button type="text" onClick={onOpen} aria-label={t('admin.catalog.detail.preview')} style={{ width: 'auto', height: 'auto', padding: 0 }} data-testid={`file-thumb-${position}`} data-thumbnail="true">
      {image}
    </Button>
  );
}
