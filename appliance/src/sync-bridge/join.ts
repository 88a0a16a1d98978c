import http from 'node:http';
import https from 'node:https';
import {
  decodeJoinBundle,
  type JoinBundle,
  JoinBundleError,
  type PolicyFieldRow,
  policyRows,
  type SignedPolicy,
  verifyPolicy,
} from '../../../sync/src/index.ts';
import { SyncBridgeError } from './errors.ts';

/** One step of the connection test, in the order the console shows them. */
export interface JoinCheck {
  check: 'reachable' | 'tls' | 'credentials' | 'keys';
  /** `skipped`: not applicable (plain HTTP has no TLS pin) or not reached (an earlier step failed). */
  result: 'ok' | 'failed' | 'skipped';
  /** What was found, in English for logs and API users; the console shows `info` with its own text. */
  detail: string;
  /** Language-neutral evidence: an HTTP status, an error code, the CA fingerprint, the policy version. */
  info: string;
}

export interface JoinPreview {
  ok: boolean;
  branch: string;
  name: string;
  hqUrl: string;
  caFingerprint?: string;
  policyVersion: number;
  checks: JoinCheck[];
  /** What leaves the branch once joined, per class and field. */
  fields: PolicyFieldRow[];
}

/** Parses a bundle text; a damaged, unsigned or altered one is SYNC_BUNDLE_INVALID (400). */
export function parseBundle(text: string): JoinBundle {
  try {
    return decodeJoinBundle(text);
  } catch (err) {
    if (err instanceof JoinBundleError)
      throw new SyncBridgeError('SYNC_BUNDLE_INVALID', err.message, {
        status: 400,
        details: { problem: err.problem },
        cause: err,
      });
    throw err;
  }
}

/** The agent that trusts only the bundle's CA (HTTPS with a CA), else the system's (HTTPS) or none. */
export function agentFor(bundle: Pick<JoinBundle, 'hqUrl' | 'caPem'>): https.Agent | undefined {
  if (!bundle.hqUrl.startsWith('https:')) return undefined;
  return new https.Agent({ ...(bundle.caPem ? { ca: bundle.caPem } : {}), keepAlive: true });
}

interface Answer {
  status: number;
  body: string;
}

function get(url: string, auth: string, agent: https.Agent | undefined, timeoutMs: number): Promise<Answer> {
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(
      url,
      {
        headers: { authorization: `Basic ${auth}`, accept: 'application/json' },
        ...(agent ? { agent } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < 256 * 1024) body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|SSL/;

/**
 * Tests the link a bundle describes, from this branch: HQ answers at its URL,
 * over TLS only with the bundle's CA (when HTTPS), accepts the branch's
 * credentials on its own inbound database, and the policy it holds there is
 * signed by the control key the bundle pins. Never throws for a failed step.
 */
export async function testLink(
  bundle: JoinBundle,
  options: { timeoutMs?: number } = {},
): Promise<JoinCheck[]> {
  const tls = bundle.hqUrl.startsWith('https:');
  const agent = agentFor(bundle);
  const auth = Buffer.from(`${bundle.username}:${bundle.password}`).toString('base64');
  const url = `${bundle.hqUrl.replace(/\/+$/, '')}/b-${encodeURIComponent(bundle.branch)}-inbound/policy`;
  const skipped = (check: JoinCheck['check'], detail = 'not reached'): JoinCheck => ({
    check,
    result: 'skipped',
    detail,
    info: '',
  });
  let answer: Answer;
  try {
    answer = await get(url, auth, agent, options.timeoutMs ?? 5_000);
  } catch (err) {
    const code = String((err as { code?: string }).code ?? '');
    const message = err instanceof Error ? err.message : String(err);
    agent?.destroy();
    if (tls && TLS_CODES.test(code))
      return [
        { check: 'reachable', result: 'ok', detail: 'HQ answered', info: '' },
        {
          check: 'tls',
          result: 'failed',
          detail: `HQ's certificate is not from the pinned CA (${code})`,
          info: code,
        },
        skipped('credentials'),
        skipped('keys'),
      ];
    return [
      { check: 'reachable', result: 'failed', detail: `${code || 'error'}: ${message}`, info: code },
      skipped('tls', tls ? 'not reached' : 'plain HTTP'),
      skipped('credentials'),
      skipped('keys'),
    ];
  }
  agent?.destroy();
  const checks: JoinCheck[] = [
    {
      check: 'reachable',
      result: 'ok',
      detail: `HQ answered (HTTP ${answer.status})`,
      info: `HTTP ${answer.status}`,
    },
    tls
      ? {
          check: 'tls',
          result: 'ok',
          detail: bundle.caFingerprint ? `CA ${bundle.caFingerprint}` : 'system CAs (no CA in the bundle)',
          info: bundle.caFingerprint ?? '',
        }
      : skipped('tls', 'plain HTTP'),
  ];
  if (answer.status === 401 || answer.status === 403) {
    checks.push(
      {
        check: 'credentials',
        result: 'failed',
        detail: `HQ refused the branch credentials (HTTP ${answer.status})`,
        info: `HTTP ${answer.status}`,
      },
      skipped('keys'),
    );
    return checks;
  }
  if (answer.status !== 200) {
    checks.push(
      {
        check: 'credentials',
        result: 'failed',
        detail: `HQ answered HTTP ${answer.status}`,
        info: `HTTP ${answer.status}`,
      },
      skipped('keys'),
    );
    return checks;
  }
  checks.push({
    check: 'credentials',
    result: 'ok',
    detail: `accepted for branch ${bundle.branch}`,
    info: bundle.branch,
  });
  let signed: SignedPolicy | undefined;
  try {
    signed = (JSON.parse(answer.body) as { signed?: SignedPolicy }).signed;
  } catch {
    signed = undefined;
  }
  const keyOk = signed !== undefined && verifyPolicy(signed, bundle.hqControlKey);
  checks.push(
    keyOk
      ? {
          check: 'keys',
          result: 'ok',
          detail: `HQ's policy v${signed?.policy.version} verifies with the pinned key`,
          info: `v${signed?.policy.version}`,
        }
      : {
          check: 'keys',
          result: 'failed',
          detail: 'HQ’s policy is not signed by the key this bundle pins',
          info: signed ? `v${signed.policy.version}` : '',
        },
  );
  return checks;
}

/** The bundle's details, connection test and field table, as the Join HQ page shows them. */
export async function previewJoin(text: string): Promise<{ bundle: JoinBundle; preview: JoinPreview }> {
  const bundle = parseBundle(text);
  const checks = await testLink(bundle);
  return {
    bundle,
    preview: {
      ok: checks.every((c) => c.result !== 'failed'),
      branch: bundle.branch,
      name: bundle.name,
      hqUrl: bundle.hqUrl,
      ...(bundle.caFingerprint ? { caFingerprint: bundle.caFingerprint } : {}),
      policyVersion: bundle.policy.policy.version,
      checks,
      fields: policyRows(bundle.policy.policy),
    },
  };
}
