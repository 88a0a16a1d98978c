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
  'sync.decision': '处理',
  'sync.release': '放行至总部',
  'sync.discard': '仅留在网点',
  'sync.discardConfirm': '将该文档仅保留在网点并关闭此条目？',
  'sync.hqRequest': '总部（{by}）请求放行：{note}',
  'error.SYNC_QUARANTINE_STILL_REFUSED': '按总部当前规则，该文档仍被拒收。',
  'error.SYNC_QUARANTINE_POLICY_CHANGED':
    '该文档按旧版数据驻留策略生成；请保留在网点，下次变更时会重新上传。',
  'error.SYNC_HQ_UNREACHABLE': '无法连接总部，请稍后重试。',
  'error.SYNC_DISABLED': '总部同步未运行。',
};
