/** A tiny inline trend line (SVG attributes only: the console's CSP forbids style attributes). */
export function Sparkline(props: { values: readonly number[]; testid?: string; split?: number }) {
  const w = 84;
  const h = 18;
  const max = Math.max(1, ...props.values);
  const step = props.values.length > 1 ? w / (props.values.length - 1) : 0;
  const points = props.values
    .map((v, i) => `${(i * step).toFixed(1)},${(h - 1 - (v / max) * (h - 2)).toFixed(1)}`)
    .join(' ');
  const splitX = props.split === undefined ? undefined : (props.split * step).toFixed(1);
  return (
    <svg
      class="tp-spark"
      width={w}
      height={h}
      viewBox={`0 0 ${w} ${h}`}
      aria-hidden="true"
      data-testid={props.testid}
    >
      {splitX === undefined ? null : <line class="tp-spark-split" x1={splitX} x2={splitX} y1="0" y2={h} />}
      <polyline class="tp-spark-line" points={points} />
    </svg>
  );
}
