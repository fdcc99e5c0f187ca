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

/** A Chart.js chart on a canvas, rebuilt when its configuration changes. */
export function ChartView({
  config,
  label,
  height = 220,
}: {
  config: ChartConfiguration;
  label: string;
  height?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = useWorkbench((s) => s.appliedTheme);
  useEffect(() => {
    if (!canvas.current) return;
    // Axis text and grid lines in the current theme's colours (a canvas cannot read CSS itself).
    const css = getComputedStyle(document.documentElement);
    Chart.defaults.color = css.getPropertyValue('--muted').trim() || '#5d6778';
    Chart.defaults.borderColor = css.getPropertyValue('--line').trim() || '#e3e6ec';
    const chart = new Chart(canvas.current, {
      ...config,
      options: { animation: false, maintainAspectRatio: false, ...config.options },
    } as ChartConfiguration);
    return () => chart.destroy();
  }, [config, theme]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
