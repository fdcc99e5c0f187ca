import type { ChartConfiguration } from 'chart.js';
import { SERIES_COLORS } from '../../components/ChartView';

export interface CurvePoint {
  labels: number;
  accuracy: number;
  /** Labels the point was measured on, where known. */
  n?: number;
  low?: number;
  high?: number;
}

/**
 * Accuracy on control labels (the random share, the honest measure) against the number of labels a
 * learner was trained on, one line per learner; an interval, where the API gives one, as dashed bounds.
 */
export function learningCurveConfig(series: { name: string; points: readonly CurvePoint[] }[]): ChartConfiguration {
  const datasets = series.flatMap((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!;
    const line = {
      label: s.name,
      data: s.points.map((p) => ({ x: p.labels, y: p.accuracy })),
      borderColor: color,
      backgroundColor: color,
      pointRadius: 3,
      tension: 0,
      // A point at accuracy 1 sits on the chart's edge: drawn whole, not cut in half.
      clip: false,
    };
    const withInterval = s.points.filter((p) => p.low !== undefined && p.high !== undefined);
    if (withInterval.length === 0) return [line];
    const band = (key: 'low' | 'high') => ({
      label: `${s.name}, ${key === 'low' ? 'lower' : 'upper'} 95% bound`,
      data: withInterval.map((p) => ({ x: p.labels, y: p[key]! })),
      borderColor: `${color}88`,
      borderDash: [4, 4],
      borderWidth: 1,
      pointRadius: 0,
      tension: 0,
    });
    return [line, band('low'), band('high')];
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        legend: {
          labels: { boxWidth: 12, filter: (item: { text: string }) => !item.text.includes('95% bound') },
        },
      },
      scales: {
        x: {
          type: 'linear',
          ticks: { precision: 0 },
          title: { display: true, text: 'labels the learner was trained on' },
        },
        y: { min: 0, max: 1, title: { display: true, text: 'accuracy on labels it had not seen' } },
      },
    },
  } as ChartConfiguration;
}
