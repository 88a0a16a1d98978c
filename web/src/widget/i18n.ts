const en = {
  title: 'Chat with us',
  open: 'Chat',
  close: 'Close',
  placeholder: 'Type a message…',
  send: 'Send',
  attach: 'Attach',
  typing: 'Agent is typing…',
  offline: 'We are closed now. Leave a message and we will reply by email.',
  reconnecting: 'Reconnecting…',
  prechatTitle: 'Before we start',
  name: 'Name',
  phone: 'Phone',
  email: 'Email',
  start: 'Start chat',
  rate: 'How did we do?',
  thanks: 'Thank you for your feedback',
};
const zh: typeof en = {
  title: '在线客服',
  open: '咨询',
  close: '关闭',
  placeholder: '请输入消息…',
  send: '发送',
  attach: '附件',
  typing: '坐席正在输入…',
  offline: '当前非服务时间，请留言，我们将通过邮件回复您。',
  reconnecting: '正在重新连接…',
  prechatTitle: '开始咨询前',
  name: '姓名',
  phone: '手机号',
  email: '邮箱',
  start: '开始咨询',
  rate: '请为本次服务评分',
  thanks: '感谢您的评价',
};
export type WidgetText = typeof en;
export function textFor(lang: string): WidgetText {
  return lang.toLowerCase().startsWith('zh') ? zh : en;
}
