import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';

/** Dark modules of a QR code as one SVG path (1 unit a module, a 4-module quiet zone). */
async function qrPath(text: string): Promise<{ size: number; d: string }> {
  const { create } = await import('qrcode');
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  let d = '';
  for (let r = 0; r < modules.size; r++)
    for (let c = 0; c < modules.size; c++) if (modules.get(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
  return { size: modules.size + 8, d };
}

/** A QR code drawn as SVG elements (no data: URL, no inline HTML), e.g. for an otpauth:// URL. */
export function QrCode(props: { text: string; label: string; testid?: string }) {
  const qr = useSignal<{ size: number; d: string } | undefined>(undefined);
  useEffect(() => {
    void qrPath(props.text).then((q) => {
      qr.value = q;
    });
  }, [props.text]);
  const q = qr.value;
  if (!q) return null;
  return (
    <svg
      role="img"
      aria-label={props.label}
      data-testid={props.testid}
      viewBox={`0 0 ${q.size} ${q.size}`}
      width="200"
      height="200"
      shape-rendering="crispEdges"
    >
      <rect width={q.size} height={q.size} fill="#fff" />
      <path d={q.d} fill="#000" />
    </svg>
  );
}
