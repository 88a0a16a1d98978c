import type { syncEn } from './messages.en.ts';

/** 总部同步控制台文案（简体中文）。 */
export const syncZhCN: Record<keyof typeof syncEn, string> = {
  'nav.sync': '总部同步',
  'sync.disabled': '本网点未配置总部同步（BRANCHLINE_HQ_URL）。',
  'sync.summary': '网点 {branch} · 策略 v{policy} · 待同步 {docs} 条 · 延迟 {seconds} 秒',
  'sync.refresh': '刷新',
  'sync.replication': '复制通道',
  'sync.state': '状态',
  'sync.lastSeq': '已发送序号',
  'sync.hqSeq': '总部更新序号',
  'sync.pending': '待同步文档',
  'sync.lag': '延迟（秒）',
  'sync.lastError': '最近错误',
  'sync.quarantine': '隔离',
  'sync.quarantineTitle': '总部拒收的文档',
  'sync.quarantineEmpty': '没有被拒收的文档。',
  'sync.document': '文档',
  'sync.reason': '原因',
  'sync.at': '时间',
  'sync.unreachable': '总部不可达',
};
