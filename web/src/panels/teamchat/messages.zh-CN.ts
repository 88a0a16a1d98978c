import type { teamchatEn } from './messages.en.ts';

/** 团队沟通控制台文案（简体中文）。 */
export const teamchatZhCN: Record<keyof typeof teamchatEn, string> = {
  'nav.teamchat': '团队沟通',
  'chat.channels': '会话',
  'chat.people': '同事',
  'chat.newGroup': '新建群组',
  'chat.groupName': '群组名称',
  'chat.create': '创建',
  'chat.compose': '输入消息，@用户名 可提醒对方',
  'chat.send': '发送',
  'chat.unread': '{n} 条未读',
  'chat.pick': '请选择会话或同事。',
  'chat.consultFor': '关于联络 {id} 的专家咨询',
  'chat.openContact': '打开该联络',
  'chat.presence.online': '在线',
  'chat.presence.away': '离开',
  'chat.presence.offline': '离线',
  'chat.consult': '咨询专家',
  'chat.consultExpert': '专家',
  'chat.consultTopic': '问题',
  'chat.consultStart': '发起咨询',
  'error.TEAMCHAT_NOT_FOUND': '会话不存在。',
  'error.TEAMCHAT_UNKNOWN_USER': '用户不存在。',
  'error.TEAMCHAT_NOT_MEMBER': '您不是该会话的成员。',
  'error.TEAMCHAT_INVALID_CHANNEL': '该类型的会话不支持此操作。',
};
