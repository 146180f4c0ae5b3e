import type { EpochMetrics } from '../../shared/protocol';
import { formatLoss, formatRate } from '../format';
import { useI18n } from '../i18n/useI18n';

/** The seed's per-epoch print as a table. */
export function EpochLog({ history }: { history: EpochMetrics[] }) {
  const { t, formatPercent } = useI18n();
  return (
    <table className="epoch-log">
      <caption>{t.epochLog.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t.epochLog.epoch}</th>
          <th scope="col">{t.epochLog.loss}</th>
          <th scope="col">{t.epochLog.trainAccuracy}</th>
          <th scope="col">{t.epochLog.testAccuracy}</th>
          <th scope="col">{t.epochLog.learningRate}</th>
        </tr>
      </thead>
      <tbody>
        {history.length === 0 ? (
          <tr>
            <td colSpan={5} className="empty">
              {t.epochLog.empty}
            </td>
          </tr>
        ) : (
          history.map((m) => (
            <tr key={m.epoch}>
              <td>
                {m.epoch}/{m.epochs}
              </td>
              <td>{formatLoss(m.loss)}</td>
              <td>{formatPercent(m.trainAccuracy)}</td>
              <td>{formatPercent(m.testAccuracy)}</td>
              <td>{formatRate(m.learningRate)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
