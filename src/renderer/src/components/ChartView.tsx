import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LogarithmicScale,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'react';
import { useWorkbench } from '../store/workbench';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LogarithmicScale,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

export const SERIES_COLORS = ['#3b5bdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#f08c00', '#0c8599'];

type Scale = { title?: { display?: boolean; text?: string }; ticks?: Record<string, unknown> };

/**
 * Every chart names both axes and shows counts as counts: a scale without a title gets the
 * screen's (or, for bars, "examples"), and numbers on the value axis are grouped (12,400).
 */
export function withAxisTitles(config: ChartConfiguration, titles: { x?: string; y?: string }): ChartConfiguration {
  const scales = { ...((config.options?.scales ?? {}) as Record<string, Scale>) };
  const fallback = { x: titles.x, y: titles.y ?? (config.type === 'bar' ? 'examples' : undefined) };
  for (const axis of ['x', 'y'] as const) {
    const scale = { ...scales[axis] };
    const text = scale.title?.text || fallback[axis];
    if (text) scale.title = { ...scale.title, display: true, text };
    if (axis === 'y' && config.type === 'bar')
      scale.ticks = {
        callback: (v: number | string) => (typeof v === 'number' ? v.toLocaleString('en-US') : v),
        ...scale.ticks,
      };
    scales[axis] = scale;
  }
  return { ...config, options: { ...config.options, scales } } as ChartConfiguration;
}

/** A Chart.js chart on a canvas, rebuilt when its configuration changes. */
export function ChartView({
  config,
  label,
  height = 220,
  xTitle,
  yTitle,
}: {
  config: ChartConfiguration;
  label: string;
  height?: number;
  /** Axis titles where the configuration has none. */
  xTitle?: string;
  yTitle?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = useWorkbench((s) => s.appliedTheme);
  useEffect(() => {
    if (!canvas.current) return;
    // Axis text and grid lines in the current theme's colours (a canvas cannot read CSS itself).
    const css = getComputedStyle(document.documentElement);
    Chart.defaults.color = css.getPropertyValue('--muted').trim() || '#5d6778';
    Chart.defaults.borderColor = css.getPropertyValue('--line').trim() || '#e3e6ec';
    const titled = withAxisTitles(config, { ...(xTitle ? { x: xTitle } : {}), ...(yTitle ? { y: yTitle } : {}) });
    const chart = new Chart(canvas.current, {
      ...titled,
      options: { animation: false, maintainAspectRatio: false, ...titled.options },
    } as ChartConfiguration);
    return () => chart.destroy();
  }, [config, theme, xTitle, yTitle]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
