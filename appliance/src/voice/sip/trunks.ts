import { OutOfRangeError } from '../../contracts/index.ts';
import type { DocStore } from '../../storage/index.ts';
import type { SrtpPolicy } from './registrar.ts';

/**
 * A carrier trunk we register to and dial out through. Its password is a
 * plaintext secret the carrier checks, so it is kept only in the `sip` store,
 * whose `password` field is sealed by EncryptedDocStore.
 */
export interface OutboundTrunkDoc {
  _id: string;
  _rev?: string;
  name: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  username: string;
  password: string;
  /** REGISTER to the carrier (some carriers trust by address instead). */
  register: boolean;
  /** Registration lifetime asked for, seconds. */
  expires: number;
  /** Media encryption with this carrier (its INVITEs are matched by source host); absent = 'optional'. */
  srtp?: SrtpPolicy;
  createdAt: string;
}

export type OutboundTrunkView = Omit<OutboundTrunkDoc, 'password' | '_id' | '_rev'>;

export type TrunkInput = Pick<OutboundTrunkDoc, 'name' | 'host' | 'username' | 'password'> &
  Partial<Pick<OutboundTrunkDoc, 'port' | 'transport' | 'register' | 'expires' | 'srtp'>>;

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export class OutboundTrunks {
  #store: DocStore;
  constructor(store: DocStore) {
    this.#store = store;
  }

  async put(input: TrunkInput): Promise<OutboundTrunkDoc> {
    if (!NAME.test(input.name))
      throw new OutOfRangeError('VOICE_INVALID_TRUNK', 'trunk name must be 1–32 of [a-z0-9_-]');
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(input.host))
      throw new OutOfRangeError('VOICE_INVALID_TRUNK', 'trunk host must be a host name or IP');
    const existing = await this.get(input.name);
    const doc: OutboundTrunkDoc = {
      _id: `siptrunk:${input.name}`,
      ...(existing?._rev ? { _rev: existing._rev } : {}),
      name: input.name,
      host: input.host,
      port: input.port ?? 5060,
      transport: input.transport ?? 'udp',
      username: input.username,
      password: input.password,
      register: input.register ?? true,
      expires: input.expires ?? 3600,
      ...(input.srtp ? { srtp: input.srtp } : {}),
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    };
    await this.#store.put(doc as never);
    return doc;
  }

  async get(name: string): Promise<OutboundTrunkDoc | undefined> {
    if (!NAME.test(name)) return undefined;
    return (await this.#store.get<OutboundTrunkDoc>(`siptrunk:${name}`)) ?? undefined;
  }

  /** Deletes a trunk; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const doc = await this.get(name);
    if (!doc?._rev) return false;
    await this.#store.remove(doc._id, doc._rev);
    return true;
  }

  async list(): Promise<OutboundTrunkDoc[]> {
    return (await this.#store.list<OutboundTrunkDoc>({ prefix: 'siptrunk:' })) as OutboundTrunkDoc[];
  }
}

export function trunkView(t: OutboundTrunkDoc): OutboundTrunkView {
  const { password: _p, _id, _rev, ...view } = t;
  return view;
}
