/**
 * The log of what happened to a run while it ran, in step order: the settings it took up, each at the
 * batch where it took effect, and the loss spikes it was warned of, each with its way back.
 */
import { useLayoutEffect, useRef } from 'react';
import type { LiveChange, LossSpike } from '../../shared/protocol';
import { formatLearningRate, formatLossValue } from '../format';
import { useI18n } from '../i18n/useI18n';
import { liveChangeText } from '../runs/liveChangeText';

interface LiveChangesProps {
  changes: LiveChange[];
  spikes: LossSpike[];
  /** Whether a roll-back can be asked for now (a worker is ready). */
  canRollBack: boolean;
  onRollBack: () => void;
}

type Entry = { kind: 'change'; change: LiveChange } | { kind: 'spike'; spike: LossSpike };

export function LiveChanges({ changes, spikes, canRollBack, onRollBack }: LiveChangesProps) {
  const { t, locale } = useI18n();
  // The list is a few lines high (it must not push the charts off screen) and scrolls: the newest
  // entry, a spike's roll-back among them, is brought into view as it arrives.
  const list = useRef<HTMLOListElement>(null);
  const count = changes.length + spikes.length;
  useLayoutEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [count]);
  if (count === 0) return null;
  const entries: Entry[] = [
    ...changes.map((change): Entry => ({ kind: 'change', change })),
    ...spikes.map((spike): Entry => ({ kind: 'spike', spike })),
  ].sort((a, b) => stepOf(a) - stepOf(b));
  return (
    <section className="live-changes" aria-label={t.liveChanges.title}>
      <h3>{t.liveChanges.title}</h3>
      <ol ref={list}>
        {entries.map((entry) => {
          if (entry.kind === 'change') {
            const { change } = entry;
            return (
              <li key={`change-${change.step}-${change.batch}-${change.x}`}>
                {t.liveChanges.entry(change.epoch, change.batch, liveChangeText(change, t.liveChanges.fields), formatLearningRate(change.learningRate))}
              </li>
            );
          }
          const { spike } = entry;
          return (
            <li key={`spike-${spike.step}`} className="spike-warning">
              <span aria-hidden="true">⚠ </span>
              {t.liveChanges.spike(
                formatLossValue(spike.loss, locale),
                spike.epoch,
                spike.batch,
                formatLossValue(spike.median, locale),
                formatLearningRate(spike.learningRate),
              )}{' '}
              {spike.rollBackTo && (
                <button type="button" className="inline-action" disabled={!canRollBack} title={t.liveChanges.rollBackTitle} onClick={onRollBack}>
                  {t.liveChanges.rollBackTo(t.recovery.where(spike.rollBackTo.epoch, spike.rollBackTo.batch))}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** A change of batch size lands before its step's batch; a spike is read after its own: both order by step. */
const stepOf = (entry: Entry) => (entry.kind === 'change' ? entry.change.step : entry.spike.step);
