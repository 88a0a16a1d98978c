import { createHash } from 'node:crypto';
import type { HashAlg } from './canonical.ts';

/*
 * Hash agility: a chain may switch algorithm at a marked record (`alg` in the
 * record, e.g. after a migration to the gm suite). Every node of the tree is
 * hashed with the algorithm of the last record it covers, so the accumulator
 * (which combines a subtree when its last leaf arrives) and the recursive
 * reference agree, and a tree entirely in one algorithm is plain RFC 6962.
 */
function h(alg: HashAlg, prefix: number, ...parts: Buffer[]): string {
  const hash = createHash(alg).update(Buffer.of(prefix));
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
}

/** RFC 6962 leaf hash: H(0x00 || data), H = SHA-256 unless the record says SM3. */
export function leafHash(recordHashHex: string, alg: HashAlg = 'sha256'): string {
  return h(alg, 0, Buffer.from(recordHashHex, 'hex'));
}

/** RFC 6962 interior node: H(0x01 || left || right). */
export function nodeHash(left: string, right: string, alg: HashAlg = 'sha256'): string {
  return h(alg, 1, Buffer.from(left, 'hex'), Buffer.from(right, 'hex'));
}

const emptyRoot = (alg: HashAlg) => createHash(alg).digest('hex');

/**
 * Incremental RFC 6962 Merkle tree hash. Keeps only the roots of the perfect
 * subtrees (at most log2 n of them), so a checkpoint costs O(log n) and the
 * state fits in the head marker.
 */
export class MerkleAccumulator {
  /** [size, root] of each perfect subtree, largest (leftmost) first. */
  #stack: Array<[number, string]> = [];
  #size = 0;
  #lastAlg: HashAlg = 'sha256';

  /** `lastAlg`: the algorithm of record `size` (the head marker keeps it). */
  static fromFrontier(
    size: number,
    frontier: readonly string[],
    lastAlg: HashAlg = 'sha256',
  ): MerkleAccumulator {
    const acc = new MerkleAccumulator();
    acc.#lastAlg = lastAlg;
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

  /** The algorithm of the last record pushed. */
  get lastAlg(): HashAlg {
    return this.#lastAlg;
  }

  push(recordHashHex: string, alg: HashAlg = 'sha256'): void {
    this.#lastAlg = alg;
    let node: [number, string] = [1, leafHash(recordHashHex, alg)];
    for (let top = this.#stack.at(-1); top && top[0] === node[0]; top = this.#stack.at(-1)) {
      this.#stack.pop();
      node = [top[0] * 2, nodeHash(top[1], node[1], alg)];
    }
    this.#stack.push(node);
    this.#size++;
  }

  /** MTH over everything pushed; the RFC's split equals folding the subtrees right to left. */
  root(): string {
    const last = this.#stack.at(-1);
    if (!last) return emptyRoot(this.#lastAlg);
    let acc = last[1];
    for (let i = this.#stack.length - 2; i >= 0; i--)
      acc = nodeHash((this.#stack[i] as [number, string])[1], acc, this.#lastAlg);
    return acc;
  }
}

/**
 * Reference RFC 6962 MTH by recursion (tests cross-check the accumulator
 * against it); `algs[i]` is record i's algorithm, SHA-256 where absent.
 */
export function merkleRoot(recordHashes: readonly string[], algs: readonly HashAlg[] = []): string {
  const n = recordHashes.length;
  if (n === 0) return emptyRoot('sha256');
  const alg = algs[n - 1] ?? 'sha256';
  if (n === 1) return leafHash(recordHashes[0] as string, alg);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(
    merkleRoot(recordHashes.slice(0, k), algs.slice(0, k)),
    merkleRoot(recordHashes.slice(k), algs.slice(k)),
    alg,
  );
}
