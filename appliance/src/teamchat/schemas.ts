import { z } from '@hono/zod-openapi';

const UserId = z.string().min(1).max(64);

export const CreateChannelIn = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('direct'), userId: UserId }).strict(),
  z
    .object({
      kind: z.literal('group'),
      name: z.string().min(1).max(100),
      memberIds: z.array(UserId).max(200),
    })
    .strict(),
]);
export const ConsultIn = z
  .object({
    contactId: z.string().min(1).max(128),
    expertUserId: UserId,
    topic: z.string().min(1).max(4000),
    customerId: z.string().min(1).max(64).optional(),
  })
  .strict();
export const MessageIn = z.object({ body: z.string().min(1).max(8000) }).strict();
export const MemberIn = z.object({ userId: UserId }).strict();
export const ReadIn = z.object({ seq: z.number().int().min(0) }).strict();
export const PresenceIn = z.object({ status: z.enum(['online', 'away']) }).strict();

export const Channel = z.object({
  id: z.string(),
  kind: z.enum(['direct', 'group', 'consult']),
  name: z.string().optional(),
  memberIds: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
  seq: z.number(),
  contactId: z.string().optional(),
  customerId: z.string().optional(),
  topic: z.string().optional(),
  /** Console path of the live contact, for consults. */
  contactLink: z.string().optional(),
});
export const ChannelSummary = Channel.extend({ unread: z.number() });
export const Message = z.object({
  id: z.string(),
  channelId: z.string(),
  seq: z.number(),
  authorId: z.string(),
  body: z.string().nullable(),
  mentions: z.array(z.string()),
  createdAt: z.string(),
});
export const Person = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  presence: z.enum(['online', 'away', 'offline']),
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
