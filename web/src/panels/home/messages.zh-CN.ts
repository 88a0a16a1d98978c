import type { homeEn } from './messages.en.ts';

/** 管理员首页：存储、备份与证书（简体中文）。 */
export const homeZhCN: Record<keyof typeof homeEn, string> = {
  'home.admin.storage': '存储：磁盘剩余 {free}%。',
  'home.admin.backups': '备份',
  'home.admin.lastBackup': '最近一次备份：{at}',
  'home.admin.noBackups': '本设备尚未做过备份。',
  'home.admin.backupNow': '立即备份',
  'home.admin.backupDone': '已完成备份 {name}。',
  'home.admin.backupSize': '{name}（{size} MB，{at}）',
  'home.admin.certs': '证书',
  'home.admin.caFingerprint': '本地 CA 指纹（SHA-256）：{fp}',
  'home.admin.caExpiry': '本地 CA 有效期至 {at}',
  'home.admin.serverNames': '服务器证书包含的名称：{names}',
  'home.admin.serverExpiry': '服务器证书有效期至 {at}',
  'home.admin.caDownload': '下载本地 CA 证书',
  'home.admin.noCerts': '本设备未启用 HTTPS，没有证书。',
};
