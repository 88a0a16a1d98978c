import type { JoinBundle } from '../../../sync/src/index.ts';
import type { EventBus } from '../events/index.ts';
import { SyncBridgeError } from './errors.ts';
import { type JoinPreview, previewJoin } from './join.ts';
import type { JoinedLink } from './join-store.ts';

type Actor = { actor: string; source?: string };

export interface HqJoinOptions {
  /** BRANCHLINE_HQ_URL is set: joining from the console is refused. */
  envConfigured: boolean;
  bus: EventBus;
  save(bundle: JoinBundle, by: string): Promise<JoinedLink>;
  /** Starts (or restarts) replication from the stored join. */
  start(joined: JoinedLink): Promise<void>;
}

/**
 * The Join HQ page's two steps: check a pasted bundle (connection test and
 * what will leave the branch), then confirm (store it, start replication).
 * Refused only while the env vars configure HQ (they win). Every join and
 * every refused bundle is on the audit trail (bus events), never the secret.
 */
export class HqJoin {
  readonly #o: HqJoinOptions;

  constructor(options: HqJoinOptions) {
    this.#o = options;
  }

  async #checked(text: string, meta: Actor): Promise<{ bundle: JoinBundle; preview: JoinPreview }> {
    if (this.#o.envConfigured)
      throw new SyncBridgeError(
        'SYNC_JOIN_ENV_CONFIGURED',
        'HQ is configured by BRANCHLINE_HQ_URL on this appliance; the environment wins',
        { status: 409 },
      );
    try {
      return await previewJoin(text);
    } catch (err) {
      if (err instanceof SyncBridgeError && err.code === 'SYNC_BUNDLE_INVALID')
        await this.#o.bus.publish(
          'sync.hq_join_refused',
          { reason: String(err.details?.['problem'] ?? 'format') },
          meta,
        );
      throw err;
    }
  }

  /** Parses and tests a bundle; a failed connection step is in the answer, not an error. */
  async preview(text: string, meta: Actor): Promise<JoinPreview> {
    const { preview } = await this.#checked(text, meta);
    if (!preview.ok)
      await this.#o.bus.publish(
        'sync.hq_join_refused',
        { reason: failedSteps(preview), branch: preview.branch, hqUrl: preview.hqUrl },
        meta,
      );
    return preview;
  }

  /** Tests again, stores the bundle (secret encrypted) and starts replication at once. */
  async confirm(text: string, meta: Actor): Promise<JoinPreview> {
    const { bundle, preview } = await this.#checked(text, meta);
    if (!preview.ok) {
      await this.#o.bus.publish(
        'sync.hq_join_refused',
        { reason: failedSteps(preview), branch: preview.branch, hqUrl: preview.hqUrl },
        meta,
      );
      throw new SyncBridgeError(
        'SYNC_JOIN_CHECK_FAILED',
        `The connection test failed: ${failedSteps(preview)}`,
        {
          status: 409,
          details: { checks: preview.checks },
        },
      );
    }
    const joined = await this.#o.save(bundle, meta.actor);
    await this.#o.start(joined);
    await this.#o.bus.publish(
      'sync.hq_joined',
      {
        branch: bundle.branch,
        hqUrl: bundle.hqUrl,
        policyVersion: preview.policyVersion,
        ...(bundle.caFingerprint ? { caFingerprint: bundle.caFingerprint } : {}),
      },
      meta,
    );
    return preview;
  }
}

function failedSteps(p: JoinPreview): string {
  return p.checks
    .filter((c) => c.result === 'failed')
    .map((c) => c.check)
    .join(', ');
}
