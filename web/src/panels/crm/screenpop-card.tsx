import { t } from '../../i18n/index.ts';
import type { ScreenPopView } from './api.ts';

/** Screen-pop card: profile, orders, warranty and service history of the offered customer. */
export function ScreenPopCard({ pop }: { pop: ScreenPopView }) {
  const fields = { ...pop.profile.fields, ...(pop.external.fields as Record<string, string>) };
  return (
    <section class="card" data-testid="screenpop-card">
      <h3 data-testid="screenpop-name">{String(pop.customer.name ?? '')}</h3>
      <p data-testid="screenpop-phone">{String(pop.customer.phone ?? '')}</p>
      <dl>
        {Object.entries(fields).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </div>
        ))}
      </dl>
      <p data-testid="screenpop-external" data-status={pop.external.status}>
        {t('crm.external')}: {pop.external.status}
      </p>
      <h4>{t('crm.orders')}</h4>
      <ul data-testid="screenpop-orders">
        {pop.orders.map((o) => (
          <li key={o.orderNo}>
            {o.orderNo} · {o.date} · {o.amount} · {o.status}
          </li>
        ))}
      </ul>
      <h4>{t('crm.warranties')}</h4>
      <ul data-testid="screenpop-warranties">
        {pop.warranties.map((w) => (
          <li key={w.serial}>
            {w.serial} · {w.sku} · {w.end} · {w.status}
          </li>
        ))}
      </ul>
      <h4>{t('crm.history')}</h4>
      <ul data-testid="screenpop-history">
        {pop.history.map((h) => (
          <li key={h.id}>
            {h.at.slice(0, 16)} · {h.kind} · {h.summary}
          </li>
        ))}
      </ul>
    </section>
  );
}
