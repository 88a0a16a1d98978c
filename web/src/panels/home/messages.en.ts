/** Admin home: storage, backups and certificates (English). */
export const homeEn = {
  'home.admin.storage': 'Storage: {free}% of the disk is free.',
  'home.admin.backups': 'Backups',
  'home.admin.lastBackup': 'Last backup: {at}',
  'home.admin.noBackups': 'No backup has been taken on this appliance yet.',
  'home.admin.backupNow': 'Back up now',
  'home.admin.backupDone': 'Backup {name} taken.',
  'home.admin.backupSize': '{name} · {size} MB · {at}',
  'home.admin.certs': 'Certificates',
  'home.admin.caFingerprint': 'Local CA fingerprint (SHA-256): {fp}',
  'home.admin.caExpiry': 'Local CA valid until {at}',
  'home.admin.serverNames': 'Server certificate names: {names}',
  'home.admin.serverExpiry': 'Server certificate valid until {at}',
  'home.admin.caDownload': 'Download the local CA certificate',
  'home.admin.noCerts': 'HTTPS is off on this appliance: no certificate.',
};
