import { z } from '@hono/zod-openapi';
import { WEEKDAYS } from './calendar.ts';

export const Id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
const Expr = z.string().min(1).max(2000);
const AttrValue = z.union([z.string().max(500), z.number(), z.boolean()]);
export const Attributes = z.record(z.string().max(64), AttrValue);
export const Channel = z.string().regex(/^[a-z_]{1,32}$/);

export const QueueIn = z
  .object({ name: z.string().min(1).max(100), agentExpression: Expr.optional() })
  .strict();
export const SkillIn = z
  .object({ name: z.string().min(1).max(100), description: z.string().max(500).optional() })
  .strict();

const Target = z
  .object({
    queue: Id,
    agentExpression: Expr.optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86400)
      .optional(),
  })
  .strict();

export const WorkflowIn = z
  .object({
    name: z.string().min(1).max(100),
    filters: z
      .array(
        z
          .object({
            name: z.string().min(1).max(100),
            expression: Expr,
            targets: z.array(Target).min(1).max(10),
          })
          .strict(),
      )
      .max(50),
    defaultTarget: Target.optional(),
    calendarId: Id.optional(),
    whenClosed: z.enum(['reject', 'callback', 'offline']).optional(),
    sticky: z
      .object({
        windowSeconds: z
          .number()
          .int()
          .min(1)
          .max(30 * 86400),
        offerSeconds: z.number().int().min(1).max(3600),
      })
      .strict()
      .optional(),
    offerTimeoutSeconds: z.number().int().min(5).max(600).optional(),
    isDefault: z.boolean().optional(),
  })
  .strict();

const Hhmm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/);
export const CalendarIn = z
  .object({
    name: z.string().min(1).max(100),
    timeZone: z.string().min(1).max(64),
    weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(z.tuple([Hhmm, Hhmm])).max(6)),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).max(366),
  })
  .strict();

export const ProfileIn = z
  .object({
    displayName: z.string().max(100).optional(),
    skills: z.record(Id, z.number().int().min(1).max(5)),
    languages: z.array(z.string().min(2).max(16)).max(20),
    capacity: z.record(Channel, z.number().int().min(0).max(50)),
    totalCapacity: z.number().int().min(1).max(100),
  })
  .strict();

export const TaskIn = z
  .object({
    id: Id.optional(),
    channel: Channel,
    attributes: Attributes,
    customerId: z.string().max(64).optional(),
    workflowId: Id.optional(),
    preferredAgentId: z.string().max(64).optional(),
  })
  .strict();

export const StateIn = z
  .object({
    state: z.enum(['available', 'not_ready', 'offline']),
    reason: z.string().min(1).max(32).optional(),
  })
  .strict();

export const MatchTestIn = z
  .object({ channel: Channel, attributes: Attributes, workflowId: Id.optional() })
  .strict();

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** Responses are built by the service; documented loosely to keep route files thin. */
export const Loose = z.any();
