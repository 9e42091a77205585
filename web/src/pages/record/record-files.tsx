/**
 * The files of a record the reader may see: each with its thumbnail, its pages to
 * read one by one (the access copies) and the file itself to open. A record seen
 * as a catalog entry only, or one without files, says so instead.
 */
import { EyeOutlined, FileImageOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Flex, Row, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useFilePreviews } from '../../api/access-copies.js';
import { itemFilePath, type ItemDetail } from '../../api/catalog.js';
import { FileThumbnail } from '../catalog/file-thumbnail.js';
import { PageViewer } from '../catalog/page-viewer.js';

export function RecordFiles({ detail }: { detail: ItemDetail }) {
  const { t } = useTranslation('search');
  if (detail.visibility === 'catalog') {
    return (
      <Alert
        type="info"
        showIcon
        title={t('record.catalogOnly')}
        description={
          <>
            {t('record.catalogOnlyHint')} <Link to="/appointments">{t('record.appointment')}</Link>
          </>
        }
        data-testid="record-catalog-only"
      />
    );
  }
  if (detail.files.length === 0) return <Alert type="info" showIcon title={t('record.noFiles')} data-testid="record-no-files" />;
  return <FileCards detail={detail} />;
}

function FileCards({ detail }: { detail: ItemDetail }) {
  const { t } = useTranslation('search');
  const previews = useFilePreviews(detail.id, detail.files);
  const [viewing, setViewing] = useState<{ fileId: string; name: string } | null>(null);
  const previewOf = (fileId: string) => previews.data?.find((p) => p.fileId === fileId);
  const pagesOf = (fileId: string) => previewOf(fileId)?.pages ?? [];

  return (
    <>
      <Row gutter={[16, 16]} data-testid="record-files">
        {detail.files.map((file) => {
          const pages = pagesOf(file.id);
          const open = pages.length > 0 ? () => setViewing({ fileId: file.id, name: file.name }) : undefined;
          return (
            <Col key={file.id} xs={24} sm={12} lg={8}>
              <Card size="small" data-testid={`record-file-${file.position}`}>
                <Flex gap={12} align="flex-start">
                  <FileThumbnail itemId={detail.id} position={file.position} name={file.name} preview={previewOf(file.id)} onOpen={open} />
                  <Flex vertical gap={4} style={{ minWidth: 0, flex: 1 }}>
                    <Typography.Text strong style={{ overflowWrap: 'anywhere' }}>
                      {file.name}
                    </Typography.Text>
                    {file.pageCount !== null && <Typography.Text type="secondary">{t('record.pages', { count: file.pageCount })}</Typography.Text>}
                    <Flex wrap gap={4}>
                      {open && (
                        <Button size="small" icon={<FileImageOutlined />} onClick={open} data-testid={`record-file-view-${file.position}`}>
                          {t('record.view')}
                        </Button>
                      )}
                      <Button size="small" icon={<EyeOutlined />} href={itemFilePath(detail.id, file.id)} target="_blank" rel="noopener">
                        {t('record.open')}
                      </Button>
                    </Flex>
                  </Flex>
                </Flex>
              </Card>
            </Col>
          );
        })}
      </Row>
      {viewing && <PageViewer itemId={detail.id} fileId={viewing.fileId} name={viewing.name} pages={pagesOf(viewing.fileId)} onClose={() => setViewing(null)} />}
    </>
  );
}
