/**
 * One result of the portal search: the thumbnail when the reader may see the
 * content, the highlighted title leading to the record page, 档号, date, openness,
 * fonds and category, and the passages of the full text that matched with their
 * file and page.
 */
import { FileTextOutlined } from '@ant-design/icons';
import { Flex, Space, Tag, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatArchivalDate, type SearchHit } from '../../api/search.js';
import { HighlightedText, plainText } from './highlighted-text.js';
import { OpennessTag } from './openness-tag.js';

const thumbnailPx = 72;

export function HitItem({ hit }: { hit: SearchHit }) {
  const { t } = useTranslation('search');
  const { token } = theme.useToken();
  const title = plainText(hit.title);
  // 责任者 · 全宗 · 门类, each once: an office's own records name it as both creator and fonds.
  const origin = [...new Set([hit.responsible, hit.fondsName ?? hit.fondsCode, hit.categoryName ?? hit.categoryCode])].filter((part) => part !== null && part !== '').join(' · ');

  return (
    <Flex gap={token.marginSM} data-testid="search-hit" data-id={hit.id} style={{ paddingBlock: token.paddingSM, borderBottom: `1px solid ${token.colorBorderSecondary}`, minWidth: 0 }}>
      {hit.thumbnail !== null && (
        <img
          src={hit.thumbnail}
          alt={t('hit.thumbnailAlt', { title })}
          loading="lazy"
          width={thumbnailPx}
          height={thumbnailPx}
          style={{ flex: 'none', objectFit: 'contain', borderRadius: token.borderRadiusSM, background: token.colorFillTertiary }}
        />
      )}
      <Flex vertical gap={4} style={{ flex: 1, minWidth: 0 }}>
        <Link to={`/records/${encodeURIComponent(hit.id)}`} data-testid="hit-title" style={{ fontSize: token.fontSizeLG, fontWeight: 500, overflowWrap: 'anywhere' }}>
          <HighlightedText segments={hit.title} />
        </Link>
        <Space wrap size={[token.marginSM, 0]} style={{ color: token.colorTextSecondary }}>
          {hit.archivalCode !== null && (
            <span data-testid="hit-code" data-code={hit.archivalCode}>
              {t('hit.code', { code: hit.archivalCode })}
            </span>
          )}
          {hit.date !== null && (
<span>{t('hit.date', { date: formatArchivalDate(hit.date) })}</span>
          )}
          {hit.fileCount > 0 && <span>{t('hit.files', { count: hit.fileCount })}</span>}
          <OpennessTag value={hit.openness} />
          {hit.visibility === 'catalog' && <Tag style={{ marginInlineEnd: 0 }}>{t('hit.catalogOnly')}</Tag>}
        </Space>
        {origin !== '' && (
          <Typography.Text type="secondary" style={{ overflowWrap: 'anywhere' }}>
            {origin}
          </Typography.Text>
        )}
        {hit.snippets.map((snippet) => (
          <Typography.Paragraph key={`${snippet.fileId}-${snippet.page}`} data-testid="hit-snippet" style={{ marginBottom: 0, overflowWrap: 'anywhere' }}>
            <Typography.Text type="secondary">
              <FileTextOutlined /> {t('hit.source', { file: snippet.fileName, page: snippet.page })}
            </Typography.Text>
            <HighlightedText segments={snippet.text} />
          </Typography.Paragraph>
        ))}
      </Flex>
    </Flex>
  );
}
