/** The two update rules side by side, and what decoupling the decay changes. */
import { useI18n } from '../i18n/useI18n';

export function AdamVsAdamW() {
  const { t } = useI18n();
  return (
    <details className="adam-vs-adamw" open>
      <summary>{t.compare.title}</summary>
      <div className="rules">
        <figure>
          <figcaption>{t.compare.adamHeading}</figcaption>
          <pre>{t.compare.adamRule}</pre>
        </figure>
        <figure>
          <figcaption>{t.compare.adamWHeading}</figcaption>
          <pre>{t.compare.adamWRule}</pre>
        </figure>
      </div>
      <p className="hint">{t.compare.biasCorrection}</p>
      <p>{t.compare.explanation}</p>
    </details>
  );
}
