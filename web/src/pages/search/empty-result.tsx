/**
 * Nothing found: say so, offer the server's suggestions (other queries that find
 * records the reader may see, with their counts) as links, and the usual ways out
 * — fewer words, fewer filters, a correctly written 档号.
 */
import { Button, Empty, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SearchResult } from '../../api/search.js';

export interface EmptyResultProps {
  suggestions: SearchResult['suggestions'];
  /** Where a suggestion leads (its query string on the same page). */
  linkFor: (q: string) => string;
  /** Set when filters narrow the search; offers to remove them. */
  onClearFilters?: () => void;
}

export function EmptyResult({ suggestions, linkFor, onClearFilters }: EmptyResultProps) {
  const { t } = useTranslation('search');
  return (
    <Empty
      data-testid="search-empty"
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <Typography.Text strong style={{ fontSize: 16 }}>
          {t('empty.title')}
        </Typography.Text>
      }
    >
      <Flex vertical align="flex-start" gap={8} style={{ maxWidth: 560, margin: '0 auto', textAlign: 'start' }}>
        {suggestions.length > 0 && (
          <div data-testid="search-suggestions">
            {t('empty.suggestions')}
            {suggestions.map((suggestion, index) => (
              <span key={suggestion.q}>
                {index > 0 && '、'}
                <Link to={linkFor(suggestion.q)} data-testid="search-suggestion">
                  {suggestion.q}
                </Link>
                <Typography.Text type="secondary">{t('empty.suggestionCount', { count: suggestion.count })}</Typography.Text>
              </span>
            ))}
          </div>
        )}
        <div data-testid="search-tips">
          <Typography.Text>{t('empty.tipsTitle')}</Typography.Text>
          <ul style={{ margin: 0, paddingInlineStart: 20 }}>
            <li>{t('empty.tipFewerWords')}</li>
            <li>{t('empty.tipFilters')}</li>
            <li>{t('empty.tipCode')}</li>
          </ul>
        </div>
        {onClearFilters && (
          <Button onClick={onClearFilters} data-testid="search-empty-clear">
            {t('empty.clearFilters')}
          </Button>
        )}
      </Flex>
    </Empty>
  );
}
