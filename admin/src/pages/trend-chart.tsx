// One KPI over time as a line chart, with its target dashed: the insights and the adoption pages draw their trends
// with it. The canvas carries the values as text too, for screen readers.
import { useEffect, useMemo, useRef } from 'react';
import { CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useConsole } from '../context.ts';
import { axisDates, axisFloor, formatAxisTick, formatKpi, seriesOf, type SeriesPoint } from '../insights.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

export function TrendChart({ points, kpi, label, unit }: { points: readonly SeriesPoint[]; kpi: string; label: string; unit: string }) {
  const { t, language } = useConsole();
  const canvas = useRef<HTMLCanvasElement>(null);
  const data = useMemo(() => seriesOf(points, kpi), [points, kpi]);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: axisDates(language, data.labels),
        datasets: [
          { label: t('value'), data: data.values, borderColor: '#1d4ed8', backgroundColor: '#1d4ed8', spanGaps: true, tension: 0.2 },
          { label: t('target'), data: data.targets, borderColor: '#b45309', borderDash: [6, 4], pointRadius: 0, spanGaps: true },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: language === 'nl' ? 'nl-NL' : 'en-GB',
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatKpi(language, item.parsed.y, unit)}` } },
        },
        scales: {
          x: { ticks: { maxTicksLimit: 6 } },
          y: {
            // From zero: a flat or nearly flat line would otherwise get an axis a hair wide, ticked "1.25E-7".
            beginAtZero: true,
            ticks: {
              maxTicksLimit: 5,
              // Every tick in the KPI's unit: shares as percentages, durations in hours or days, never exponents.
              callback: (value) => formatAxisTick(language, Number(value), unit),
              // Counts in whole numbers: no "0.98 groups" between the ticks.
              ...(unit === 'COUNT' ? { precision: 0 } : {}),
            },
            // At least 1 % (a share) or 1 (anything else) high: an axis as narrow as a tiny value has no readable ticks.
            suggestedMax: axisFloor(unit),
          },
        },
      },
    });
    return () => chart.destroy();
  }, [data, t, language, unit]);
  const summary = data.values.map((v, i) => `${data.labels[i]}: ${formatKpi(language, v, unit)}`).join('; ');
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={`${t('trend')} — ${label}: ${summary}`} />
    </div>
  );
}
