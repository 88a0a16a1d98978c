import { errorText } from '../i18n/index.ts';

/** Translated error for a server code; renders nothing without one. */
export function ErrorText({ code, testid = 'error' }: { code: string | undefined; testid?: string }) {
  if (!code) return null;
  return (
    <p class="error" role="alert" data-testid={testid} data-code={code}>
      {errorText(code)}
    </p>
  );
}
