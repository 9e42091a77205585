/**
 * The parts of ECharts the 保存 pages draw with (bar and line charts on a canvas, with
 * grid, tooltip, legend and the aria description), registered once. chart.tsx imports
 * this module on demand, so ECharts is a chunk of its own that only these pages load.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export { init };
