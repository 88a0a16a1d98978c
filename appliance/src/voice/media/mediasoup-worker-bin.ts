import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MediaEngineError } from './mediasoup-errors.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(
  new URL('../../../../firmware-scripts/build-mediasoup-worker.sh', import.meta.url),
);

export interface WorkerBinOptions {
  /** MEDIASOUP_WORKER_BIN; wins over the cache when set. */
  explicit: string | undefined;
  /** BRANCHLINE_CACHE_DIR: where build-mediasoup-worker.sh caches the binary. */
  cacheDir: string;
}

/**
 * The mediasoup worker binary to run: MEDIASOUP_WORKER_BIN, else the one
 * `firmware-scripts/build-mediasoup-worker.sh` cached for this machine's
 * libraries (the script owns the cache key, so it is asked with `--path`).
 * Throws VOICE_MEDIA_WORKER_MISSING naming what to do; never falls back.
 */
export async function resolveWorkerBin(options: WorkerBinOptions): Promise<string> {
  if (options.explicit !== undefined) {
    try {
      await access(options.explicit, constants.X_OK);
    } catch (err) {
      throw new MediaEngineError(
        'VOICE_MEDIA_WORKER_MISSING',
        `Cannot use MEDIASOUP_WORKER_BIN: "${options.explicit}" is not an executable file`,
        { cause: err },
      );
    }
    return options.explicit;
  }
  try {
    const { stdout } = await run('bash', [SCRIPT, '--path', '--cache-dir', options.cacheDir], {
      timeout: 30_000,
    });
    const bin = stdout.trim();
    if (bin !== '') return bin;
  } catch (err) {
    throw new MediaEngineError(
      'VOICE_MEDIA_WORKER_MISSING',
      `Cannot find the mediasoup worker in ${options.cacheDir}/mediasoup-worker for this machine's libraries: run firmware-scripts/build-mediasoup-worker.sh or set MEDIASOUP_WORKER_BIN`,
      { cause: err },
    );
  }
  throw new MediaEngineError(
    'VOICE_MEDIA_WORKER_MISSING',
    'build-mediasoup-worker.sh --path printed nothing',
  );
}
