import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from '../../logging/index.ts';
import { type MediaAlarm, type MediaEngineInfo, MediasoupEngine } from './mediasoup-engine.ts';
import { resolveWorkerBin } from './mediasoup-worker-bin.ts';

export interface MediaEngineSettings {
  /** BRANCHLINE_MEDIA_ENGINE. */
  engine: 'werift' | 'mediasoup';
  /** MEDIASOUP_WORKER_BIN. */
  workerBin: string | undefined;
  /** BRANCHLINE_CACHE_DIR. */
  cacheDir: string;
  logger: Logger;
  onAlarm?: (alarm: MediaAlarm) => void;
}

export interface OpenMediaEngine {
  readonly info: MediaEngineInfo;
  /** The running mediasoup engine; undefined while werift carries media. */
  readonly mediasoup: MediasoupEngine | undefined;
  close(): Promise<void>;
}

/** The installed version of a package whose package.json its `exports` hide. */
function installedVersion(name: string): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  while (dir !== path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // not a package root; keep walking up
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}

/**
 * Starts the configured media engine. With mediasoup, a missing worker is
 * VOICE_MEDIA_WORKER_MISSING and one that does not start is
 * VOICE_MEDIA_WORKER_BROKEN: the appliance does not start rather than fall back.
 * Calls still run on the werift worker until their migration lands.
 */
export async function openMediaEngine(s: MediaEngineSettings): Promise<OpenMediaEngine> {
  if (s.engine === 'werift') {
    return {
      info: { engine: 'werift', version: installedVersion('werift') },
      mediasoup: undefined,
      close: async () => {},
    };
  }
  const workerBin = await resolveWorkerBin({ explicit: s.workerBin, cacheDir: s.cacheDir });
  const engine = await MediasoupEngine.start({
    workerBin,
    logger: s.logger,
    ...(s.onAlarm ? { onAlarm: s.onAlarm } : {}),
  });
  return { info: engine.info, mediasoup: engine, close: () => engine.close() };
}
