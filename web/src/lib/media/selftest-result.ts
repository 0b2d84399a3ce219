// What the technical check found, from the browser's own statistics of the loopback through the
// server: its picture came back (frames decoded), its sound came back (audio packets received),
// the round trip of the selected path and the loss on what came back.
type Stat = Record<string, unknown>;

export interface LoopbackResult {
  camera: boolean;
  microphone: boolean;
  rttMs: number | null;
  lossFraction: number | null;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function loopbackResult(recv: Iterable<Stat>, send: Iterable<Stat>): LoopbackResult {
  let frames = 0;
  let audioPackets = 0;
  let received = 0;
  let lost = 0;
  for (const s of recv) {
    if (s.type !== 'inbound-rtp') continue;
    if (s.kind === 'video') frames += num(s.framesDecoded);
    if (s.kind === 'audio') audioPackets += num(s.packetsReceived);
    received += num(s.packetsReceived);
    lost += Math.max(0, num(s.packetsLost));
  }
  let rtt: number | null = null;
  for (const s of send)
    if (s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded' && typeof s.currentRoundTripTime === 'number')
      rtt = s.currentRoundTripTime * 1000;
  return {
    camera: frames > 0,
    microphone: audioPackets > 0,
    rttMs: rtt,
    lossFraction: received + lost > 0 ? lost / (received + lost) : null,
  };
}
