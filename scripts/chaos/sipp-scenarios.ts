// sipp scenarios written into the work directory: a trunk call whose media
// switches SSRC twice (rtp_stream, then two pcaps, each its own stream), and
// an early hang-up (BYE right after ACK). The caller number is the call's key.

const head = (from: string) => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="chaos call">
  <send retrans="500">
    <![CDATA[
      INVITE sip:4000@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Chaos" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4000@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:caller@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=ptime:20
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send>
    <![CDATA[
      ACK sip:4000@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Chaos" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4000@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
`;

const bye = (from: string) => `  <send retrans="500">
    <![CDATA[
      BYE sip:4000@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Chaos" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4000@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
`;

/** Answered call, 2 s of caller audio on one SSRC, then a DTMF pcap and the G.711 pcap (two more SSRCs). */
export function ssrcSwitchCall(from: string, pcapDir: string): string {
  return `${head(from)}  <nop><action><exec rtp_stream="caller.wav,1,0"/></action></nop>
  <pause milliseconds="2000"/>
  <nop><action><exec play_pcap_audio="${pcapDir}/dtmf_2833_1.pcap"/></action></nop>
  <pause milliseconds="800"/>
  <nop><action><exec play_pcap_audio="${pcapDir}/g711a.pcap"/></action></nop>
  <pause milliseconds="1500"/>
${bye(from)}`;
}

/** Answered call hung up at once (the caller gives up as the IVR picks up). */
export function earlyHangup(from: string): string {
  return `${head(from)}  <pause milliseconds="${Math.floor(Math.random() * 300)}"/>
${bye(from)}`;
}
