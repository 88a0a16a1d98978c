/** Where the workflow diagram draws each state and transition; pure, so it is tested without a browser. */

export interface StateBox {
  id: string;
  x: number;
  y: number;
}
export interface Edge {
  /** Index in the workflow's transitions. */
  index: number;
  path: string;
  labelX: number;
  labelY: number;
}
export interface Layout {
  boxes: Map<string, StateBox>;
  edges: Edge[];
  width: number;
  height: number;
}

export const BOX_W = 130;
export const BOX_H = 44;
const COL = 240;
const ROW = 100;
const PAD = 40;

/** Columns by distance from the initial state (breadth first); states not reached go last. */
function ranks(
  initial: string,
  ids: string[],
  links: Array<{ from: string; to: string }>,
): Map<string, number> {
  const rank = new Map<string, number>();
  if (ids.includes(initial)) rank.set(initial, 0);
  const queue = ids.includes(initial) ? [initial] : [];
  while (queue.length > 0) {
    const at = queue.shift() as string;
    for (const l of links) {
      if (l.from === at && ids.includes(l.to) && !rank.has(l.to)) {
        rank.set(l.to, (rank.get(at) ?? 0) + 1);
        queue.push(l.to);
      }
    }
  }
  const last = Math.max(-1, ...rank.values()) + 1;
  for (const id of ids) if (!rank.has(id)) rank.set(id, last);
  return rank;
}

/** The point where the line from the box centre towards (dx, dy) leaves the box. */
function edgeOf(c: { x: number; y: number }, dx: number, dy: number) {
  const s = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : BOX_W / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : BOX_H / 2 / Math.abs(dy),
  );
  return { x: c.x + dx * s, y: c.y + dy * s };
}

/**
 * A box per state (centre point) and a path per transition; two transitions
 * between the same pair of states bend apart, a self-loop is drawn over its box.
 */
export function layoutWorkflow(wf: {
  initial: string;
  states: Array<{ id: string }>;
  transitions: Array<{ from: string; to: string }>;
}): Layout {
  const ids = wf.states.map((s) => s.id);
  const rank = ranks(wf.initial, ids, wf.transitions);
  const rows = new Map<number, number>();
  const boxes = new Map<string, StateBox>();
  for (const id of ids) {
    const r = rank.get(id) ?? 0;
    const row = rows.get(r) ?? 0;
    rows.set(r, row + 1);
    boxes.set(id, { id, x: PAD + BOX_W / 2 + r * COL, y: PAD + BOX_H / 2 + row * ROW });
  }
  const edges: Edge[] = [];
  wf.transitions.forEach((t, index) => {
    const a = boxes.get(t.from);
    const b = boxes.get(t.to);
    if (!a || !b) return;
    if (a === b) {
      const top = a.y - BOX_H / 2;
      edges.push({
        index,
        path: `M ${a.x - 20} ${top} C ${a.x - 30} ${top - 50}, ${a.x + 30} ${top - 50}, ${a.x + 20} ${top}`,
        labelX: a.x,
        labelY: top - 44,
      });
      return;
    }
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy);
    const back = wf.transitions.some((o) => o.from === t.to && o.to === t.from);
    // Perpendicular offset so a pair of opposite transitions are two arrows, not one line.
    const bend = back ? 18 : 0;
    const nx = (-dy / len) * bend;
    const ny = (dx / len) * bend;
    const p = edgeOf(a, dx, dy);
    const q = edgeOf(b, -dx, -dy);
    const skips = Math.abs(dy) < 1 && Math.abs(dx) > COL * 1.5;
    // Long jumps along a row arc over the boxes between.
    const lift = skips ? -Math.min(120, Math.abs(dx) / 4) : 0;
    const cx = (p.x + q.x) / 2 + nx * 2;
    const cy = (p.y + q.y) / 2 + ny * 2 + lift * 2;
    edges.push({
      index,
      path: `M ${p.x + nx} ${p.y + ny} Q ${cx} ${cy} ${q.x + nx} ${q.y + ny}`,
      // The curve's own midpoint, a little above it.
      labelX: 0.25 * (p.x + q.x + 2 * nx) + 0.5 * cx,
      labelY: 0.25 * (p.y + q.y + 2 * ny) + 0.5 * cy - 6,
    });
  });
  const xs = [...boxes.values()].map((b) => b.x);
  const ys = [...boxes.values()].map((b) => b.y);
  return {
    boxes,
    edges,
    width: Math.max(400, Math.max(0, ...xs) + BOX_W / 2 + PAD * 3),
    height: Math.max(200, Math.max(0, ...ys) + BOX_H / 2 + PAD * 2),
  };
}
