import { createHash } from 'node:crypto';

function h(prefix: number, ...parts: Buffer[]): string {
  const hash = createHash('sha256').update(Buffer.of(prefix));
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
}

/** RFC 6962 leaf hash: SHA-256(0x00 || data). */
export function leafHash(recordHashHex: string): string {
  return h(0, Buffer.from(recordHashHex, 'hex'));
}

/** RFC 6962 interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: string, right: string): string {
  return h(1, Buffer.from(left, 'hex'), Buffer.from(right, 'hex'));
}

/**
 * Incremental RFC 6962 Merkle tree hash. Keeps only the roots of the perfect
 * subtrees (at most log2 n of them), so a checkpoint costs O(log n) and the
 * state fits in the head marker.
 */
export class MerkleAccumulator {
  /** [size, root] of each perfect subtree, largest (leftmost) first. */
  #stack: Array<[number, string]> = [];
  #size = 0;

  static fromFrontier(size: number, frontier: readonly string[]): MerkleAccumulator {
    const acc = new MerkleAccumulator();
    let rest = size;
    const sizes: number[] = [];
    for (let bit = 2 ** 52; bit >= 1; bit /= 2) {
      if (rest >= bit) {
        sizes.push(bit);
        rest -= bit;
      }
    }
    if (sizes.length !== frontier.length) throw new RangeError(`Frontier does not match size ${size}`);
    acc.#stack = sizes.map((s, i) => [s, frontier[i] as string]);
    acc.#size = size;
    return acc;
  }

  get size(): number {
    return this.#size;
  }

  get frontier(): string[] {
    return this.#stack.map(([, r]) => r);
  }

  push(recordHashHex: string): void {
    let node: [number, string] = [1, leafHash(recordHashHex)];
    for (let top = this.#stack.at(-1); top && top[0] === node[0]; top = this.#stack.at(-1)) {
      this.#stack.pop();
      node = [top[0] * 2, nodeHash(top[1], node[1])];
    }
    this.#stack.push(node);
    this.#size++;
  }

  /** MTH over everything pushed; the RFC's split equals folding the subtrees right to left. */
  root(): string {
    const last = this.#stack.at(-1);
    if (!last) return createHash('sha256').digest('hex');
    let acc = last[1];
    for (let i = this.#stack.length - 2; i >= 0; i--)
      acc = nodeHash((this.#stack[i] as [number, string])[1], acc);
    return acc;
  }
}

/** Reference RFC 6962 MTH by recursion (tests cross-check the accumulator against it). */
export function merkleRoot(recordHashes: readonly string[]): string {
  const n = recordHashes.length;
  if (n === 0) return createHash('sha256').digest('hex');
  if (n === 1) return leafHash(recordHashes[0] as string);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(merkleRoot(recordHashes.slice(0, k)), merkleRoot(recordHashes.slice(k)));
}
