/** The fleet dashboard's languages: the HQ console has no catalogue of its own, so Accept-Language (or `?lang=`) picks. */
export type FleetLang = 'en' | 'zh-CN';

const EN = {
  title: 'Fleet',
  console: 'Console',
  branches: 'Branches',
  alerts: 'Alerts',
  noAlerts: 'No alerts',
  kpis: 'Across branches, by day',
  branch: 'branch',
  state: 'state',
  online: 'online',
  offline: 'offline',
  lastSeen: 'last seen',
  lagDocs: 'lag (docs)',
  lagS: 'lag (s)',
  quarantined: 'quarantined',
  witness: 'audit witness',
  witnessOk: 'ok',
  witnessFailed: 'FAILED',
  witnessNone: 'not checked yet',
  version: 'version',
  cert: 'certificate expires',
  cpu: 'CPU %',
  mem: 'memory %',
  disk: 'disk free %',
  backup: 'last backup (h ago)',
  never: 'never',
  alarms: 'open alarms',
  day: 'day',
  contacts: 'contacts',
  answerRate: 'answer rate',
  aht: 'AHT (s)',
  serviceLevel: 'service level',
  abandonment: 'abandonment',
  csat: 'CSAT',
  tickets: 'Tickets at HQ',
  ticketsOpen: 'open',
  ticketsResolved: 'resolved',
  auditRecords: 'audit records',
  detail: 'Branch',
  alarmList: 'Alarms (last 24 h)',
  problems: 'Witness problems',
  back: 'All branches',
  alert_silent: 'Silent',
  alert_lagging: 'Lagging',
  alert_witness_failed: 'Audit witness failed',
  secondsAgo: 's ago',
  unknown: '—',
};

export type FleetText = typeof EN;

const ZH: FleetText = {
  title: '分支机构总览',
  console: '控制台',
  branches: '分支机构',
  alerts: '告警',
  noAlerts: '无告警',
  kpis: '全部分支机构（按天）',
  branch: '分支机构',
  state: '状态',
  online: '在线',
  offline: '离线',
  lastSeen: '最后上报',
  lagDocs: '同步延迟（文档）',
  lagS: '同步延迟（秒）',
  quarantined: '隔离文档',
  witness: '审计见证',
  witnessOk: '正常',
  witnessFailed: '失败',
  witnessNone: '尚未检查',
  version: '版本',
  cert: '证书到期',
  cpu: 'CPU %',
  mem: '内存 %',
  disk: '磁盘剩余 %',
  backup: '上次备份（小时前）',
  never: '从未',
  alarms: '未关闭告警',
  day: '日期',
  contacts: '接触量',
  answerRate: '接通率',
  aht: '平均处理时长（秒）',
  serviceLevel: '服务水平',
  abandonment: '放弃率',
  csat: '满意度',
  tickets: '总部工单',
  ticketsOpen: '未解决',
  ticketsResolved: '已解决',
  auditRecords: '审计记录',
  detail: '分支机构',
  alarmList: '告警（最近 24 小时）',
  problems: '审计见证问题',
  back: '全部分支机构',
  alert_silent: '无响应',
  alert_lagging: '同步滞后',
  alert_witness_failed: '审计见证失败',
  secondsAgo: '秒前',
  unknown: '—',
};

/** `?lang=` wins; else the first of Accept-Language that is Chinese or English; else English. */
export function pickLang(query: string | null, acceptLanguage: string | undefined): FleetLang {
  if (query === 'zh-CN' || query === 'en') return query;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

export function fleetText(lang: FleetLang): FleetText {
  return lang === 'zh-CN' ? ZH : EN;
}
