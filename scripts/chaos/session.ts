// An API session that survives kill -9: a refused connection is "not
// acknowledged" (undefined), a 401 after a restart signs in again.
import { ApiClient } from '../../tests/support/client.ts';

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the suite reads response fields ad hoc and checks them.
  json: Record<string, any>;
}

export class ChaosSession {
  #client: ApiClient;

  constructor(
    readonly base: string,
    readonly username: string,
    readonly password: string,
  ) {
    this.#client = new ApiClient(base);
  }

  async login(): Promise<boolean> {
    this.#client = new ApiClient(this.base);
    try {
      const r = await this.#client.login(this.username, this.password);
      return r.status === 200;
    } catch {
      return false;
    }
  }

  /** undefined when the appliance did not answer (down, reset mid-request). */
  async request(method: string, path: string, body?: unknown): Promise<Reply | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let r: Reply;
      try {
        r = await this.#client.request(method, path, body);
      } catch {
        return undefined;
      }
      if (r.status !== 401 || attempt > 0) return r;
      if (!(await this.login())) return undefined;
    }
    return undefined;
  }
}
