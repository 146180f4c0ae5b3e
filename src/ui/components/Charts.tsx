/**
 * The seed's two-panel figure, live: the training loss per epoch, and train/test accuracy per epoch.
 * The x axis spans the configured epochs from the start, so the curves fill in from left to right.
 */
import {
  Chart as ChartJS,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Title,
  Tooltip,
  type ChartOptions,
} from 'chart.js';
import { Line } from 'react-chartjs-2';
import type { EpochMetrics } from '../../shared/protocol';

ChartJS.register(LineController, LineElement, PointElement, LinearScale, Title, Tooltip, Legend);

// matplotlib's first two default colours, as in the seed's figure.
const BLUE = '#1f77b4';
const ORANGE = '#ff7f0e';

function options(title: string, yTitle: string, epochs: number, showLegend: boolean): ChartOptions<'line'> {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    parsing: false,
    plugins: {
      title: { display: true, text: title, font: { size: 15 } },
      legend: { display: showLegend, position: 'bottom' },
      tooltip: { mode: 'index', intersect: false },
    },
    scales: {
      x: { type: 'linear', min: 1, max: Math.max(2, epochs), title: { display: true, text: 'Epoch' }, ticks: { stepSize: 1, precision: 0 } },
      y: { type: 'linear', title: { display: true, text: yTitle } },
    },
  };
}

const series = (label: string, color: string, points: { x: number; y: number }[]) => ({
  label,
  data: points,
  borderColor: color,
  backgroundColor: color,
  pointRadius: 3,
  borderWidth: 2,
});

export function Charts({ history, epochs }: { history: EpochMetrics[]; epochs: number }) {
  const loss = history.map((m) => ({ x: m.epoch, y: m.loss }));
  const train = history.map((m) => ({ x: m.epoch, y: m.trainAccuracy }));
  const test = history.map((m) => ({ x: m.epoch, y: m.testAccuracy }));
  return (
    <section className="charts" aria-label="Charts">
      <div className="chart">
        <Line
          aria-label="Training Loss Curve"
          data={{ datasets: [series('Training loss', BLUE, loss)] }}
          options={options('Training Loss Curve', 'Loss', epochs, false)}
        />
      </div>
      <div className="chart">
        <Line
          aria-label="Accuracy Curves"
          data={{ datasets: [series('Train Accuracy', BLUE, train), series('Test Accuracy', ORANGE, test)] }}
          options={options('Accuracy Curves', 'Accuracy (%)', epochs, true)}
        />
      </div>
    </section>
  );
}
