import { join } from 'node:path';
import { EspeakTts, FlowService, PocketsphinxAsr } from '../flows/index.ts';
import { createLogger } from '../logging/index.ts';
import type { BranchModule } from '../modules.ts';
import { EncryptedDocStore } from '../storage/index.ts';
import { VoiceStack } from './setup.ts';
import { SIP_ACCOUNT_SEALED } from './sip/registrar.ts';

/**
 * Registers voice (and the flows store it runs). Inbound trunk calls run the
 * flow with id `inbound`. Trunks are trusted by source address: loopback only
 * until trunk configuration lands (TODO: config/admin route).
 */
export const voiceModule: BranchModule = {
  name: 'voice',
  async init(ctx) {
    const { crypto, bus } = ctx.services;
    const flows = new FlowService(await ctx.openStore('flows'), { bus });
    ctx.provide('flows', flows);
    const accountsStore = new EncryptedDocStore(await ctx.openStore('sip'), {
      crypto,
      fields: [...SIP_ACCOUNT_SEALED],
    });
    const stack = new VoiceStack({
      accountsStore,
      recordingsStore: await ctx.openStore('recordings'),
      crypto,
      bus,
      logger: createLogger('voice'),
      dataDir: ctx.config.dataDir,
      bind: ctx.config.bind,
      voice: {
        trustedTrunks: ['127.0.0.1'],
        allowedPrefixes: [],
        realm: 'branchline',
        inboundFlow: () => flows.find('inbound'),
      },
      tts: new EspeakTts(join(ctx.config.dataDir, 'prompts')),
      asr: new PocketsphinxAsr(),
      identifyCaller: async (phone) =>
        (await ctx.services.customers.findByPhone(phone, { userId: 'system' }))?.id,
    });
    ctx.provide('voice', stack.service);
    ctx.provide('recordings', stack.recordings);
    return {
      async listen() {
        await stack.listen(ctx.config.sipPort, ctx.config.bind);
      },
      close: () => stack.close(),
    };
  },
};
