/** The out-of-hours reply, in both languages the product speaks; an admin edits it (PUT /api/routing/closed-reply). */
export interface ClosedReply {
  zh: string;
  en: string;
}

export const DEFAULT_CLOSED_REPLY: ClosedReply = {
  zh: '您好，我们现在非营业时间。您的留言已收到，我们将在营业后尽快回复您。',
  en: 'Thank you for your message. We are closed now; we have kept your message and will reply as soon as we open.',
};
