import type { ChartConfiguration } from 'chart.js';
import type { Output } from '../../../shared/api/contract';
import type { MiningPreview } from '../../../shared/features/mining/contract';
import { SERIES_COLORS } from './ChartView';

type Histograms = Output<'insights.histograms'>;

/** Score distributions of model runs, overlaid. */
export function histogramConfig(h: Histograms): ChartConfiguration {
  const bins = h[0]?.bins.length ?? 20;
  return {
    type: 'bar',
    data: {
      labels: Array.from({ length: bins }, (_, i) => (i / bins).toFixed(2)),
      datasets: h.map((run, i) => ({
        label: `${run.name} (${run.bins.reduce((a, b) => a + b, 0).toLocaleString('en-US')} predictions)`,
        data: run.bins,
        backgroundColor: `${SERIES_COLORS[i % SERIES_COLORS.length]}99`,
      })),
    },
    options: {
      scales: {
        x: { title: { display: true, text: 'top-class probability' } },
        y: { title: { display: true, text: 'predictions' } },
      },
    },
  };
}

/** One run's score distribution: its own small chart, counts on the y axis. */
export function runHistogramConfig(run: Histograms[number], color: string): ChartConfiguration {
  const bins = run.bins.length;
  return {
    type: 'bar',
    data: {
      labels: Array.from({ length: bins }, (_, i) => (i / bins).toFixed(2)),
      datasets: [{ label: run.name, data: run.bins, backgroundColor: `${color}cc` }],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: {
        x: { title: { display: true, text: run.binary ? 'P(positive)' : 'top-class probability' } },
        y: { beginAtZero: true, title: { display: true, text: 'examples' } },
      },
    },
  };
}

const tick = (x: number) => (Math.abs(x) < 1e-3 ? '0' : x.toPrecision(2));

/** How the eligible examples' priorities spread, with the ones a mining run would queue on top. */
export function priorityConfig(p: MiningPreview): ChartConfiguration {
  const { min, max, all, selected } = p.histogram;
  const width = (max - min) / all.length;
  return {
    type: 'bar',
    data: {
      labels: all.map((_, i) => tick(min + i * width)),
      datasets: [
        { label: 'eligible examples', data: all, backgroundColor: '#adb5bd99', grouped: false },
        { label: 'would be queued', data: selected, backgroundColor: `${SERIES_COLORS[0]}cc`, grouped: false },
      ],
    },
    options: {
      scales: {
        x: { title: { display: true, text: `priority (${p.strategy})` } },
        y: { type: 'logarithmic', title: { display: true, text: 'examples (log scale)' } },
      },
    },
  };
}
