/** A format's risk status as a coloured tag: 正常 green, 关注 orange, 高风险 red. */
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FormatRiskStatus } from '../../api/preservation-dashboard.js';

const colours: Record<FormatRiskStatus, string> = { ok: 'success', watch: 'warning', 'at-risk': 'error' };

export function RiskTag({ status }: { status: FormatRiskStatus }) {
  const { t } = useTranslation('preservation');
  return (
    <Tag color={colours[status]} data-status={status}>
      {t(`status.${status}`)}
    </Tag>
  );
}
