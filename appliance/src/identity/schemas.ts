import { z } from '@hono/zod-openapi';
import { PERMISSIONS } from '../contracts/index.ts';

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const body = <T extends z.ZodType>(schema: T, description: string) => ({
  body: { ...json(schema, description), required: true },
});

export const UserOut = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.string()),
    status: z.enum(['active', 'frozen']),
    mustChangePassword: z.boolean(),
    mfaEnrolled: z.boolean(),
    lockedUntil: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User');

export const RoleOut = z
  .object({ id: z.string(), description: z.string(), permissions: z.array(z.string()), builtin: z.boolean() })
  .openapi('Role');

export const LoginIn = z
  .object({
    username: z.string().min(1).max(128),
    password: z.string().min(1).max(256),
    totp: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
  })
  .strict();

export const SessionOut = z.object({
  user: UserOut,
  csrfToken: z.string(),
  mustChangePassword: z.boolean(),
  mfaSetupRequired: z.boolean(),
});

export const MeOut = SessionOut.extend({ permissions: z.array(z.string()) });
/** Flat like MeOut so a client reads the CSRF token where it always does. */
export const SessionProbeOut = z.union([
  z.object({ signedIn: z.literal(false) }),
  MeOut.extend({ signedIn: z.literal(true) }),
]);

export const PasswordIn = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) })
  .strict();

export const MfaSetupOut = z.object({ secret: z.string(), otpauthUrl: z.string() });
export const MfaConfirmIn = z.object({ code: z.string().regex(/^\d{6}$/) }).strict();

const roleList = z.array(z.string().min(1).max(40)).max(20);

export const NewUserIn = z
  .object({
    username: z.string().min(2).max(64),
    displayName: z.string().min(1).max(128),
    roles: roleList.min(1),
  })
  .strict();

export const UserPatchIn = z
  .object({ displayName: z.string().min(1).max(128).optional(), roles: roleList.min(1).optional() })
  .strict();

export const FreezeIn = z.object({ reason: z.string().max(500).optional() }).strict();

const permissionList = z.array(z.enum(PERMISSIONS)).min(1).max(PERMISSIONS.length);

export const NewRoleIn = z
  .object({
    id: z.string().min(2).max(40),
    description: z.string().max(200).optional(),
    permissions: permissionList,
  })
  .strict();

export const RolePatchIn = z
  .object({ description: z.string().max(200).optional(), permissions: permissionList.optional() })
  .strict();

export const IdParam = z.object({ id: z.string().min(1).max(64) });
