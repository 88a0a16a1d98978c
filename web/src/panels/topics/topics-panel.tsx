import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { MESSAGES, type MessageKey, t } from '../../i18n/index.ts';
import { type LabelKind, label } from '../../i18n/labels.ts';
import { pct } from '../wallboard/api.ts';
import '../wallboard/wallboard.css';
import {
  type BehaviourReport,
  fetchBehaviour,
  fetchTopics,
  type LabelTrend,
  type TermView,
  type TopicReport,
} from './api.ts';
import { BackfillCard } from './backfill-card.tsx';
import { Sparkline } from './sparkline.tsx';
import './topics.css';

const BASELINE_DAYS = 28;
const WINDOWS = [7, 14, 30] as const;

const channelName = (c: string) => {
  const key = `inbox.channel.${c}`;
  return Object.hasOwn(MESSAGES.en, key) ? t(key as MessageKey) : c;
};

function TermTable(props: { id: string; title: MessageKey; terms: TermView[]; split: number }) {
  return (
    <section data-testid={`tp-${props.id}`}>
      <h3>{t(props.title)}</h3>
      {props.terms.length === 0 ? (
        <p class="tp-note" data-testid={`tp-${props.id}-empty`}>
          {t('tp.none')}
        </p>
      ) : (
        <table class="grid">
          <thead>
            <tr>
              <th>{t('tp.term')}</th>
              <th>{t('tp.count')}</th>
              <th>{t('tp.baselineCount')}</th>
              <th>{t('tp.customers')}</th>
              <th>{t('tp.trend')}</th>
            </tr>
          </thead>
          <tbody>
            {props.terms.map((x) => (
              <tr key={x.term} data-testid={`tp-${props.id}-row`}>
                <td class="tp-term" data-testid={`tp-${props.id}-term`}>
                  {x.term}
                </td>
                <td>{x.window}</td>
                <td>{x.baseline}</td>
                <td>{x.customers}</td>
                <td>
                  <Sparkline values={x.series} split={props.split} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LabelTable(props: { id: string; title: MessageKey; kind: LabelKind; rows: LabelTrend[] }) {
  if (props.rows.length === 0) return null;
  return (
    <section data-testid={`tp-${props.id}`}>
      <h3>{t(props.title)}</h3>
      <table class="grid">
        <thead>
          <tr>
            <th>{t('tp.label')}</th>
            <th>{t('tp.contacts')}</th>
            <th>{t('tp.trend')}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.label}>
              <td>{label(props.kind, r.label)}</td>
              <td>{r.total}</td>
              <td>
                <Sparkline values={r.series} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Tile(props: { id: string; label: string; value: string }) {
  return (
    <div class="wb-tile" data-testid={`tp-${props.id}`}>
      <div class="wb-value" data-testid={`tp-${props.id}-value`}>
        {props.value}
      </div>
      <div class="wb-label">{props.label}</div>
    </div>
  );
}

function Behaviour(props: { b: BehaviourReport }) {
  const b = props.b;
  return (
    <section data-testid="tp-behaviour">
      <h3>{t('tp.behaviour')}</h3>
      <div class="wb-grid">
        <Tile id="contacts" label={t('tp.totalContacts')} value={String(b.contacts)} />
        <Tile id="customers" label={t('tp.totalCustomers')} value={String(b.customers)} />
        <Tile id="repeat-rate" label={t('tp.repeatRate')} value={pct(b.repeat.rate)} />
        <Tile id="switch-rate" label={t('tp.switchRate')} value={pct(b.switching.rate)} />
        <Tile
          id="per-customer"
          label={t('tp.avgPerCustomer')}
          value={b.averagePerCustomer === null ? '—' : b.averagePerCustomer.toFixed(2)}
        />
      </div>
      <div class="tp-columns">
        <table class="grid" data-testid="tp-channel-mix">
          <caption>{t('tp.channelMix')}</caption>
          <thead>
            <tr>
              <th>{t('tp.channel')}</th>
              <th>{t('tp.contacts')}</th>
              <th>{t('tp.customers')}</th>
              <th>{t('tp.share')}</th>
            </tr>
          </thead>
          <tbody>
            {b.channelMix.map((c) => (
              <tr key={c.channel} data-testid={`tp-channel-${c.channel}`}>
                <td>{channelName(c.channel)}</td>
                <td>{c.contacts}</td>
                <td>{c.customers}</td>
                <td>{pct(c.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table class="grid" data-testid="tp-distribution">
          <caption>{t('tp.distribution')}</caption>
          <tbody>
            {b.perCustomer.map((p) => (
              <tr key={p.contacts}>
                <td>{t('tp.contactsN', { n: p.contacts })}</td>
                <td>{p.customers}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {b.switching.pairs.length ? (
          <table class="grid" data-testid="tp-switches">
            <caption>{t('tp.switches')}</caption>
            <tbody>
              {b.switching.pairs.map((p) => (
                <tr key={`${p.from}-${p.to}`}>
                  <td>{t('tp.fromTo', { from: channelName(p.from), to: channelName(p.to) })}</td>
                  <td>{p.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </section>
  );
}

/** Topic trends (emerging / rising / falling customer words, k-anonymous) and customer behaviour. */
export function TopicsPanel() {
  const days = useSignal<number>(7);
  const report = useSignal<TopicReport | undefined>(undefined);
  const behaviour = useSignal<BehaviourReport | undefined>(undefined);
  const load = useAction();
  const refresh = () =>
    void load.run(async () => {
      const [r, b] = await Promise.all([
        fetchTopics(api, days.value, BASELINE_DAYS),
        fetchBehaviour(api, days.value),
      ]);
      report.value = r;
      behaviour.value = b;
    });
  useEffect(refresh, []);
  const r = report.value;
  return (
    <div data-testid="topics-panel">
      <div class="tp-form">
        <label>
          {t('tp.days')}
          <select
            data-testid="tp-days"
            value={String(days.value)}
            onChange={(e) => {
              days.value = Number((e.target as HTMLSelectElement).value);
              refresh();
            }}
          >
            {WINDOWS.map((d) => (
              <option key={d} value={String(d)}>
                {t('tp.daysOption', { days: d })}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="tp-load" onClick={refresh}>
          {t('tp.load')}
        </button>
      </div>
      {can('system.manage') ? <BackfillCard /> : null}
      <ErrorText code={load.error} testid="tp-error" />
      {r ? (
        <>
          <p class="tp-note">{t('tp.note', { baseline: BASELINE_DAYS, k: r.k })}</p>
          <div class="tp-columns">
            <TermTable id="emerging" title="tp.emerging" terms={r.emerging} split={BASELINE_DAYS} />
            <TermTable id="rising" title="tp.rising" terms={r.rising} split={BASELINE_DAYS} />
            <TermTable id="falling" title="tp.falling" terms={r.falling} split={BASELINE_DAYS} />
            <TermTable id="top" title="tp.top" terms={r.top} split={BASELINE_DAYS} />
            <LabelTable id="intents" title="tp.intents" kind="intent" rows={r.labels.intent} />
            <LabelTable id="wrapups" title="tp.wrapUps" kind="wrapUp" rows={r.labels.wrapUp} />
          </div>
        </>
      ) : null}
      {behaviour.value ? <Behaviour b={behaviour.value} /> : null}
    </div>
  );
}
