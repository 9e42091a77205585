/** 开放状态 as a coloured tag: 开放 green, 控制 orange, 待定 neutral. */
import { Tag } from 'antd';
import type { Openness } from '../../api/catalog.js';
import { useValueLabels } from '../catalog/value-labels.js';

const colours: Record<Openness, string | undefined> = { 开放: 'green', 控制: 'orange', 待定: undefined };

export function OpennessTag({ value }: { value: Openness }) {
  const labels = useValueLabels();
  return (
    <Tag color={colours[value]} data-testid="openness-tag" data-openness={value} style={{ marginInlineEnd: 0 }}>
      {labels.openness(value)}
    </Tag>
  );
}
