import type { LabelledExample } from './classifier.ts';
import seed from './testdata/intents.json' with { type: 'json' };

/** The shipped training set: intent → utterances (zh and en). */
export const SEED_INTENTS: Readonly<Record<string, readonly string[]>> = seed;

export function seedExamples(filter: (index: number) => boolean = () => true): LabelledExample[] {
  const out: LabelledExample[] = [];
  for (const [intent, texts] of Object.entries(SEED_INTENTS)) {
    texts.forEach((text, i) => {
      if (filter(i)) out.push({ text, intent });
    });
  }
  return out;
}
