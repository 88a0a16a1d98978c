import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson } from './canonical.ts';
import { leafHash, MerkleAccumulator, merkleRoot, nodeHash } from './merkle.ts';

const hashes = (n: number) =>
  Array.from({ length: n }, (_, i) => createHash('sha256').update(`r${i}`).digest('hex'));

test('the incremental accumulator equals the recursive RFC 6962 tree hash for 1..70 leaves', () => {
  const hs = hashes(70);
  const acc = new MerkleAccumulator();
  for (let n = 1; n <= 70; n++) {
    acc.push(hs[n - 1] as string);
    assert.equal(acc.root(), merkleRoot(hs.slice(0, n)), `n=${n}`);
  }
});

test('leaves and nodes use the RFC 6962 0x00/0x01 prefixes so a leaf cannot pose as a node', () => {
  const [a, b, c] = hashes(3) as [string, string, string];
  assert.equal(
    merkleRoot([a]),
    createHash('sha256')
      .update(Buffer.concat([Buffer.of(0), Buffer.from(a, 'hex')]))
      .digest('hex'),
  );
  assert.equal(merkleRoot([a, b, c]), nodeHash(nodeHash(leafHash(a), leafHash(b)), leafHash(c)));
  assert.equal(merkleRoot([]), createHash('sha256').digest('hex'));
});

test('fromFrontier() resumes a tree so later roots match; a frontier of the wrong length throws RangeError', () => {
  const hs = hashes(45);
  const acc = new MerkleAccumulator();
  for (const h of hs.slice(0, 37)) acc.push(h);
  const resumed = MerkleAccumulator.fromFrontier(37, acc.frontier);
  for (const h of hs.slice(37)) resumed.push(h);
  assert.equal(resumed.root(), merkleRoot(hs));
  assert.throws(() => MerkleAccumulator.fromFrontier(37, ['x']), RangeError);
});

test('canonicalJson() sorts keys at every depth and drops undefined fields', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
  );
});
