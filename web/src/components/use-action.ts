import { useSignal } from '@preact/signals';
import { ApiError, UNKNOWN_ERROR } from '../data/api.ts';

export interface Action {
  busy: boolean;
  /** Error code of the last failure, cleared when the next run starts. */
  error: string | undefined;
  run: (work: () => Promise<void>) => Promise<void>;
  clear: () => void;
}

/** Busy flag and error code around one async action, so every form reports failures the same way. */
export function useAction(): Action {
  const busy = useSignal(false);
  const error = useSignal<string | undefined>(undefined);
  return {
    busy: busy.value,
    error: error.value,
    clear: () => {
      error.value = undefined;
    },
    run: async (work) => {
      if (busy.value) return;
      busy.value = true;
      error.value = undefined;
      try {
        await work();
      } catch (e) {
        error.value = e instanceof ApiError ? e.code : UNKNOWN_ERROR;
      } finally {
        busy.value = false;
      }
    },
  };
}
