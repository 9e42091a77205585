/**
 * A small React wrapper around ECharts: loads ECharts on first use (echarts-setup.ts,
 * a chunk of its own), draws `option` on a canvas, follows the container's width, and
 * disposes of the chart when the component goes. The option is typed against the chart
 * kinds echarts-setup.ts registers.
 */
import { Skeleton } from 'antd';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { AriaComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption, ECharts } from 'echarts/core';
import { useEffect, useRef, useState } from 'react';

export type ChartOption = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | AriaComponentOption>;

export interface ChartProps {
  option: ChartOption;
  height: number;
  /** What the chart shows, for screen readers (the canvas itself says nothing). */
  label: string;
  testId?: string;
}

export function Chart({ option, height, label, testId }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const latest = useRef(option);
  const [ready, setReady] = useState(false);
  latest.current = option;

  useEffect(() => {
    let gone = false;
    let observer: ResizeObserver | undefined;
    void import('./echarts-setup.js').then(({ init }) => {
      const element = container.current;
      if (gone || !element) return;
      const instance = init(element, undefined, { renderer: 'canvas' });
      instance.setOption(latest.current);
      chart.current = instance;
      observer = new ResizeObserver(() => instance.resize());
      observer.observe(element);
      setReady(true);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    // notMerge: a series or category that went away must not linger from the last option.
    chart.current?.setOption(option, true);
  }, [option]);

  return (
    <div style={{ position: 'relative', height }}>
      {!ready && <Skeleton active paragraph={{ rows: 4 }} />}
      <div ref={container} role="img" aria-label={label} data-testid={testId} data-ready={String(ready)} style={{ position: 'absolute', inset: 0 }} />
    </div>
  );
}
