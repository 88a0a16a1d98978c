import { z } from '@hono/zod-openapi';
import { PRIORITIES } from './types.ts';

const Id = z.string().min(1).max(64);
const Fields = z.record(z.string().max(64), z.string().max(4000));
const Condition = z.object({ field: z.string().max(64), equals: z.string().max(200) }).strict();

export const TicketIn = z
  .object({
    subject: z.string().min(1).max(300),
    description: z.string().max(20_000).default(''),
    customerId: Id.optional(),
    language: z.enum(['zh-CN', 'en']).optional(),
    departmentId: Id.optional(),
    assigneeId: Id.optional(),
    priority: z.enum(PRIORITIES).optional(),
    workflowId: Id.optional(),
    slaPolicyId: Id.optional(),
    fields: Fields.optional(),
    tags: z.array(z.string().min(1).max(50)).max(50).optional(),
    conversationIds: z.array(Id).max(50).optional(),
    contactIds: z.array(Id).max(50).optional(),
  })
  .strict();

export const FromContactIn = z
  .object({
    contactId: Id,
    subject: z.string().min(1).max(300),
    description: z.string().max(20_000).default(''),
    priority: z.enum(PRIORITIES).optional(),
    departmentId: Id.optional(),
    fields: Fields.optional(),
  })
  .strict();

export const TicketPatchIn = z
  .object({
    subject: z.string().min(1).max(300).optional(),
    description: z.string().max(20_000).optional(),
    priority: z.enum(PRIORITIES).optional(),
    tags: z.array(z.string().min(1).max(50)).max(50).optional(),
    fields: Fields.optional(),
  })
  .strict();

export const TransitionIn = z.object({ to: Id, fields: Fields.optional() }).strict();
export const AssignIn = z.object({ userId: Id.optional(), departmentId: Id.optional() }).strict();
export const NoteIn = z
  .object({ text: z.string().min(1).max(20_000), kind: z.enum(['internal', 'reply']).optional() })
  .strict();
export const LinkIn = z.object({ conversationId: Id.optional(), contactId: Id.optional() }).strict();
export const AttachmentIn = z
  .object({
    name: z.string().min(1).max(200),
    mime: z.string().min(1).max(100),
    dataBase64: z.string().max(2_000_000),
  })
  .strict();
export const MergeIn = z.object({ intoTicketId: Id }).strict();
export const SplitIn = z
  .object({
    noteIds: z.array(z.string().min(1).max(100)).min(1).max(200),
    subject: z.string().min(1).max(300).optional(),
  })
  .strict();
export const ListQuery = z.object({
  state: Id.optional(),
  assigneeId: Id.optional(),
  departmentId: Id.optional(),
  customerId: Id.optional(),
  contactId: Id.optional(),
});

const Guard = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('visited'), state: z.string().max(40), when: Condition.optional() }).strict(),
  z
    .object({ kind: z.literal('passed_level'), level: z.string().max(40), when: Condition.optional() })
    .strict(),
]);

export const WorkflowIn = z
  .object({
    id: z.string().max(40),
    name: z.string().min(1).max(200),
    initial: z.string().max(40),
    states: z
      .array(
        z
          .object({
            id: z.string().max(40),
            label: z.string().max(100).optional(),
            labels: z
              .object({ 'zh-CN': z.string().max(100).optional(), en: z.string().max(100).optional() })
              .strict()
              .optional(),
            category: z.enum(['new', 'open', 'pending', 'resolved', 'closed']),
          })
          .strict(),
      )
      .min(1)
      .max(100),
    transitions: z
      .array(
        z
          .object({
            from: z.string().max(40),
            to: z.string().max(40),
            name: z.string().max(100).optional(),
            requiredFields: z.array(z.string().max(64)).max(20).optional(),
            roles: z.array(z.string().max(64)).max(20).optional(),
            permissions: z.array(z.string().max(64)).max(20).optional(),
            guards: z.array(Guard).max(10).optional(),
            notify: z.boolean().optional(),
          })
          .strict(),
      )
      .max(500),
  })
  .strict();

export const DepartmentIn = z
  .object({
    name: z.string().min(1).max(200),
    members: z.array(z.object({ userId: Id, level: z.string().max(40).optional() }).strict()).max(500),
  })
  .strict();

const Minutes = z.number().int().min(1).max(525_600).optional();
const Target = z
  .object({ firstResponseMinutes: Minutes, nextResponseMinutes: Minutes, resolutionMinutes: Minutes })
  .strict();
const Hours = z.array(z.tuple([z.string().max(5), z.string().max(5)])).max(10);
const Action = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reassign'), departmentId: Id.optional(), userId: Id.optional() }).strict(),
  z.object({ kind: z.literal('notify'), userId: Id }).strict(),
  z.object({ kind: z.literal('raise_priority') }).strict(),
]);

export const SlaPolicyIn = z
  .object({
    name: z.string().min(1).max(200),
    calendar: z
      .object({
        timeZone: z.string().min(1).max(64),
        // Weekday names as routing's business hours; day numbers (0 = Sunday) still accepted.
        weekly: z.partialRecord(
          z.enum(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', '0', '1', '2', '3', '4', '5', '6']),
          Hours,
        ),
        holidays: z.array(z.string().max(10)).max(400).optional(),
      })
      .strict(),
    targets: z.partialRecord(z.enum(PRIORITIES), Target),
    escalations: z
      .array(
        z
          .object({
            on: z.enum(['first_response', 'next_response', 'resolution']),
            actions: z.array(Action).max(10),
          })
          .strict(),
      )
      .max(20),
  })
  .strict();

export const Anything = z.unknown();
