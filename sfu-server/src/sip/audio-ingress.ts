// The room's sound on its way into the meeting: a GStreamer pipeline decodes what the room sends
// (G.711, G.722 or Opus) and encodes it to Opus with the audio-level header extension, which room
// systems do not send and active-speaker needs.
import type { AudioChoice } from '../domain/room-systems/sdp';

export const OPUS_PT = 100;
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

const DEPAY: Record<AudioChoice['codec'], (a: AudioChoice) => string[]> = {
  PCMU: (a) => [`application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=${a.payloadType}`, 'rtppcmudepay', 'mulawdec'],
  PCMA: (a) => [`application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMA,payload=${a.payloadType}`, 'rtppcmadepay', 'alawdec'],
  G722: (a) => [`application/x-rtp,media=audio,clock-rate=8000,encoding-name=G722,payload=${a.payloadType}`, 'rtpg722depay', 'avdec_g722'],
  opus: (a) => [`application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=${a.payloadType}`, 'rtpopusdepay', 'opusdec'],
};

/** gst-launch arguments: the room's audio on `inPort`, Opus with audio levels to mediasoup at `out`. */
export function audioIngressArgs(a: AudioChoice, listenIp: string, inPort: number, out: { port: number; ssrc: number }): string[] {
  const [caps, depay, decode] = DEPAY[a.codec](a) as [string, string, string];
  const chain: string[] = [
    `udpsrc address=${listenIp} port=${inPort} caps=${caps}`,
    'rtpjitterbuffer latency=60 drop-on-latency=true',
    depay,
    decode,
    'audioconvert',
    'audioresample',
    'audio/x-raw,rate=48000,channels=1',
    'level audio-level-meta=true interval=20000000',
    'opusenc bitrate=32000 inband-fec=true frame-size=20',
    `rtpopuspay pt=${OPUS_PT} ssrc=${out.ssrc} auto-header-extension=true`,
    `application/x-rtp,extmap-1=(string)<"",${AUDIO_LEVEL_URI},"vad=on">`,
    `udpsink host=127.0.0.1 port=${out.port} sync=false async=false`,
  ];
  return chain.flatMap((el, i) => (i === 0 ? el.split(' ') : ['!', ...el.split(' ')]));
}
