import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import { gmOpen, gmSeal, hmacSm3, sm3, sm4Ctr, wipeDerived } from './gm.ts';

const hex = (h: string) => Buffer.from(h, 'hex');

function sm4EcbBlock(key: Buffer): (block: Buffer) => Buffer {
  const c = createCipheriv('sm4-ecb', key, null);
  c.setAutoPadding(false);
  return (block) => c.update(block);
}

describe('GB/T 32907-2016 SM4 known answers', () => {
  const key = hex('0123456789abcdeffedcba9876543210');

  it('SM4 encrypts the standard block (key = plaintext) to 681edf34…4246', () => {
    assert.equal(sm4EcbBlock(key)(key).toString('hex'), '681edf34d206965e86b3e94f536e4246');
  });

  it('SM4 iterated 1,000,000 times gives 595298c7…3f66', () => {
    const enc = sm4EcbBlock(key);
    let block: Buffer = Buffer.from(key);
    for (let i = 0; i < 1_000_000; i++) block = enc(block);
    assert.equal(block.toString('hex'), '595298c7c6fd271f0402f804c33d3f66');
  });

  it('sm4Ctr() of the first counter block equals SM4 of the IV XOR the plaintext', () => {
    const iv = hex('000102030405060708090a0b0c0d0e0f');
    const plain = hex('00112233445566778899aabbccddeeff');
    const ks = sm4EcbBlock(key)(iv);
    const want = Buffer.from(plain.map((b, i) => b ^ (ks[i] ?? 0)));
    assert.equal(sm4Ctr(key, iv, plain).toString('hex'), want.toString('hex'));
    assert.equal(sm4Ctr(key, iv, want).toString('hex'), plain.toString('hex'));
  });
});

describe('GB/T 32905-2016 SM3 known answers', () => {
  it('sm3("abc") is 66c7f0f4…a8e0', () => {
    assert.equal(
      sm3('abc').toString('hex'),
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
  });

  it('sm3 of the 64-byte "abcd"×16 is debe9ff9…5732', () => {
    assert.equal(
      sm3('abcd'.repeat(16)).toString('hex'),
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });

  it('hmacSm3() is HMAC (RFC 2104) over SM3: a key longer than the block is hashed first', () => {
    const long = Buffer.alloc(100, 7);
    assert.deepEqual(hmacSm3(long, 'm'), hmacSm3(sm3(long), 'm'));
    assert.notDeepEqual(hmacSm3(long, 'm'), hmacSm3(long, 'n'));
    assert.equal(hmacSm3(Buffer.alloc(32), '').length, 32);
  });
});

describe('SM4-CTR + HMAC-SM3 seal/open', () => {
  const key = new Uint8Array(32).fill(9);
  const plain = Buffer.from('13800138000 张三', 'utf8');

  it('gmOpen() returns what gmSeal() sealed, under a fresh IV each time', () => {
    const a = gmSeal(key, plain, 'aad');
    const b = gmSeal(key, plain, 'aad');
    assert.notDeepEqual(a, b);
    assert.equal(a.length, 16 + plain.length + 32);
    assert.equal(Buffer.from(gmOpen(key, a, 'aad') ?? []).toString('utf8'), '13800138000 张三');
  });

  it('gmOpen() refuses a flipped bit anywhere (IV, ciphertext, tag), other associated data and another key', () => {
    const sealed = gmSeal(key, plain, 'aad');
    for (let i = 0; i < sealed.length; i++) {
      const bad = Uint8Array.from(sealed);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      assert.equal(gmOpen(key, bad, 'aad'), undefined, `bit flip at byte ${i}`);
    }
    assert.equal(gmOpen(key, sealed, 'aae'), undefined);
    assert.equal(gmOpen(new Uint8Array(32).fill(8), sealed, 'aad'), undefined);
    assert.equal(gmOpen(key, sealed.subarray(0, 47), 'aad'), undefined);
  });
});

describe('wipeDerived()', () => {
  it('zeroes the derived SM4/MAC keys of a data key, so a shredded key opens nothing even while its object lives', () => {
    const key = new Uint8Array(32).fill(5);
    const sealed = gmSeal(key, Buffer.from('x'), 'aad');
    wipeDerived(key);
    key.fill(0);
    assert.equal(gmOpen(key, sealed, 'aad'), undefined);
    assert.doesNotThrow(() => wipeDerived(key), 'idempotent');
  });
});
