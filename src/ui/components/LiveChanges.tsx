/** The log of settings a run took up while it ran, each at the batch where it took effect. */
import type { LiveChange } from '../../shared/protocol';
import { formatLearningRate } from '../format';
import { useI18n } from '../i18n/useI18n';
import { liveChangeText } from '../runs/liveChangeText';

export function LiveChanges({ changes }: { changes: LiveChange[] }) {
  const { t } = useI18n();
  if (changes.length === 0) return null;
  return (
    <section className="live-changes" aria-label={t.liveChanges.title}>
      <h3>{t.liveChanges.title}</h3>
      <ol>
        {changes.map((change) => (
          <li key={`${change.step}-${change.batch}-${change.x}`}>
            {t.liveChanges.entry(change.epoch, change.batch, liveChangeText(change, t.liveChanges.fields), formatLearningRate(change.learningRate))}
          </li>
        ))}
      </ol>
    </section>
  );
}
