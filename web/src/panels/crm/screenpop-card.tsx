import { formatDateTime } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import type { ScreenPopView } from './api.ts';

/**
 * Screen-pop card: what this branch's CRM holds on the customer — the profile
 * fields the admin imported or the external CRM returned, and orders, warranty
 * and service history only when there are any (a bank has no shop sections).
 */
export function ScreenPopCard({ pop }: { pop: ScreenPopView }) {
  const fields = { ...pop.profile.fields, ...(pop.external.fields as Record<string, string>) };
  const entries = Object.entries(fields);
  // 'none' (no external CRM configured or no id) and a good answer say nothing worth a line.
  const externalTrouble = !['none', 'ok', 'cached'].includes(pop.external.status);
  return (
    <section class="card stack" data-testid="screenpop-card" aria-labelledby="screenpop-name">
      <h3 id="screenpop-name" data-testid="screenpop-name">
        {String(pop.customer.name ?? '')}
      </h3>
      {pop.customer.phone ? <p data-testid="screenpop-phone">{String(pop.customer.phone)}</p> : null}
      {entries.length > 0 ? (
        <dl class="screenpop-fields" data-testid="screenpop-fields">
          {entries.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{String(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {externalTrouble ? (
        <p class="muted" data-testid="screenpop-external" data-status={pop.external.status}>
          {t('crm.externalUnavailable')}
        </p>
      ) : null}
      {pop.orders.length > 0 ? (
        <>
          <h4>{t('crm.orders')}</h4>
          <ul data-testid="screenpop-orders">
            {pop.orders.map((o) => (
              <li key={o.orderNo}>
                {o.orderNo} · {o.date} · {o.amount} · {o.status}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {pop.warranties.length > 0 ? (
        <>
          <h4>{t('crm.warranties')}</h4>
          <ul data-testid="screenpop-warranties">
            {pop.warranties.map((w) => (
              <li key={w.serial}>
                {w.serial} · {w.sku} · {w.end} · {w.status}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {pop.history.length > 0 ? (
        <>
          <h4>{t('crm.history')}</h4>
          <ul data-testid="screenpop-history">
            {pop.history.map((h) => (
              <li key={h.id}>
                {formatDateTime(h.at)} · {h.summary}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
