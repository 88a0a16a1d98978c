import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { SetupService } from './service.ts';
import { CONSOLE_LANGUAGES, SETUP_STEPS } from './types.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const View = z.any();
const BranchIn = z
  .object({
    name: z.string().max(200),
    branchId: z.string().max(64),
    language: z.enum(CONSOLE_LANGUAGES),
    timeZone: z.string().max(64),
    phoneRegion: z.string().max(8),
  })
  .strict();
const WidgetIn = z
  .object({
    greeting: z.string().max(2000),
    colour: z.string().max(32),
    privacy: z.string().max(4000).optional(),
  })
  .strict();
const StepIn = z.object({ state: z.enum(['pending', 'done', 'skipped']) }).strict();

/** The first-run wizard (system.manage): progress, branch settings, the widget's look. */
export function setupRoutes(service: SetupService) {
  const app = createRouter();
  app.use('/setup', requirePermission('system.manage'));
  app.use('/setup/*', requirePermission('system.manage'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/setup',
      summary: 'Wizard progress per step, the branch settings in force (and their source), the widget look',
      responses: { 200: json(View, 'Setup') },
    }),
    (c) => c.json(service.view(), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/branch',
      summary:
        "This branch's name, time zone (consoles show dates in it) and, once the wizard set one, its language (every signed-in console's default; none = the browser's)",
      responses: {
        200: json(
          z.object({
            name: z.string(),
            timeZone: z.string(),
            language: z.enum(CONSOLE_LANGUAGES).optional(),
          }),
          'Branch',
        ),
      },
    }),
    (c) => {
      const { value, sources } = service.branch();
      // Until the wizard stores a language, each console keeps its browser's language.
      const base = { name: value.name, timeZone: value.timeZone };
      if (sources.language === 'default') return c.json(base, 200);
      return c.json({ ...base, language: value.language }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/setup/steps/{step}',
      summary: 'Mark a wizard step done or skipped (pending reopens it); audited',
      request: {
        params: z.object({ step: z.enum(SETUP_STEPS) }),
        body: { ...json(StepIn, 'State'), required: true },
      },
      responses: { 200: json(View, 'Setup') },
    }),
    async (c) =>
      c.json(
        await service.setStep(c.req.valid('param').step, c.req.valid('json').state, principalOf(c).userId),
        200,
      ),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/setup/branch',
      summary:
        'Branch name and id, console language, time zone, phone region (the environment wins when set)',
      request: { body: { ...json(BranchIn, 'Branch'), required: true } },
      responses: { 200: json(View, 'Setup') },
    }),
    async (c) => c.json(await service.putBranch(c.req.valid('json'), principalOf(c).userId), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/setup/widget',
      summary:
        "The chat widget's greeting, colour and privacy notice (sent to every widget on connect; the embed snippet carries the first two)",
      request: { body: { ...json(WidgetIn, 'Widget'), required: true } },
      responses: { 200: json(View, 'Setup') },
    }),
    async (c) => {
      const { privacy, ...look } = c.req.valid('json');
      const input = privacy === undefined ? look : { ...look, privacy };
      return c.json(await service.putWidget(input, principalOf(c).userId), 200);
    },
  );
  return app;
}
