import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialogToPhone, inDialogRequest, uasDialog } from './dialog.ts';
import { header, parseSip, type SipRequest } from './message.ts';
import type { Peer } from './transport.ts';

// The appliance's listeners: UDP and TCP on 5060, TLS on 5061.
const listeners = {
  localFor: (peer: Peer | undefined): Peer =>
    peer?.transport === 'tls'
      ? { host: '10.0.0.1', port: 5061, transport: 'tls' }
      : peer?.transport === 'tcp'
        ? { host: '10.0.0.1', port: 5060, transport: 'tcp' }
        : { host: '10.0.0.1', port: 5060 },
};

const tlsPhone = {
  contact: 'sip:desk@10.0.0.9:5071;transport=tls',
  host: '10.0.0.9',
  port: 40312,
  transport: 'tls',
};

test('a BYE and a re-INVITE to a phone registered over TLS go over its TLS connection with a TLS Contact', () => {
  const d = dialogToPhone('ivr', listeners, tlsPhone);
  assert.deepEqual(d.peer, { host: '10.0.0.9', port: 40312, transport: 'tls' });
  assert.equal(d.localUri, 'sip:ivr@10.0.0.1:5061');
  for (const method of ['BYE', 'INVITE', 'REFER', 'NOTIFY']) {
    const req = inDialogRequest(d, method);
    assert.equal(header(req, 'contact'), '<sip:ivr@10.0.0.1:5061;transport=tls>', method);
  }
  // ACK and CANCEL carry no Contact.
  assert.equal(header(inDialogRequest(d, 'ACK', { cseq: 1 }), 'contact'), undefined);
});

test('a dialog to a UDP phone keeps a plain Contact on the UDP listener', () => {
  const d = dialogToPhone('test', listeners, {
    ...tlsPhone,
    contact: 'sip:desk@10.0.0.9:5070',
    transport: 'udp',
  });
  assert.deepEqual(d.peer, { host: '10.0.0.9', port: 40312 });
  assert.equal(header(inDialogRequest(d, 'BYE'), 'contact'), '<sip:test@10.0.0.1:5060>');
});

test('a carrier dialog that came in over TLS BYEs with the Contact it was given', () => {
  const invite = parseSip(
    Buffer.from(
      [
        'INVITE sip:4000@10.0.0.1:5061;transport=tls SIP/2.0',
        'Via: SIP/2.0/TLS 10.0.0.7:5081;branch=z9hG4bK1',
        'From: <sip:carrier@10.0.0.7>;tag=abc',
        'To: <sip:4000@10.0.0.1>',
        'Call-ID: c1',
        'CSeq: 1 INVITE',
        'Contact: <sip:carrier@10.0.0.7:5081;transport=tls>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    ),
  ) as SipRequest;
  const from: Peer = { host: '10.0.0.7', port: 40000, transport: 'tls' };
  const d = uasDialog(invite, from, 'mytag', '<sip:branchline@10.0.0.1:5061;transport=tls>');
  const bye = inDialogRequest(d, 'BYE');
  assert.equal(bye.uri, 'sip:carrier@10.0.0.7:5081;transport=tls');
  assert.equal(header(bye, 'contact'), '<sip:branchline@10.0.0.1:5061;transport=tls>');
  assert.equal(d.peer, from);
});
