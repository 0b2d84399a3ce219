// What a room system hears: the other sites' open microphones (not its own), mixed by GStreamer and
// encoded in the call's codec toward the address its SDP gave. Up to MIX_INPUTS streams at once, the
// latest speakers first; twice a second the slots are re-read and only changed ones are re-fed.

import type { Logger } from '@lienthong/kit';
import type { AudioChoice } from '../domain/room-systems/sdp';
import type { MediaTap, TapOutput } from '../media/media-tap';
import { freeUdpPorts } from '../recording/gst-process';
import { KeptPipeline } from './kept-pipeline';

export const MIX_INPUTS = 4;

const ENCODE: Record<AudioChoice['codec'], (a: AudioChoice, ssrc: number) => string[]> = {
  PCMU: (a, ssrc) => ['audio/x-raw,rate=8000,channels=1', 'mulawenc', `rtppcmupay pt=${a.payloadType} ssrc=${ssrc}`],
  PCMA: (a, ssrc) => ['audio/x-raw,rate=8000,channels=1', 'alawenc', `rtppcmapay pt=${a.payloadType} ssrc=${ssrc}`],
  G722: (a, ssrc) => ['audio/x-raw,rate=16000,channels=1', 'avenc_g722', `rtpg722pay pt=${a.payloadType} ssrc=${ssrc}`],
  opus: (a, ssrc) => [
    'audio/x-raw,rate=48000,channels=2',
    'opusenc bitrate=32000 inband-fec=true',
    `rtpopuspay pt=${a.payloadType} ssrc=${ssrc}`,
  ],
};

/** gst-launch arguments: Opus RTP on `inputs`, mixed, encoded for the room, sent to `to`. */
export function audioReturnArgs(
  a: AudioChoice,
  p: { inputs: number[]; discardPort: number; opusPt: number; to: { ip: string; port: number }; ssrc: number },
): string[] {
  const caps = `application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=${p.opusPt}`;
  const chains: string[] = [
    // A silent live source keeps the mixer's clock running while nobody speaks.
    'audiotestsrc is-live=true wave=silence samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=1 ! mix.',
    ...p.inputs.map(
      (port) =>
        `udpsrc address=127.0.0.1 port=${port} caps=${caps} ! rtpopusdepay ! opusdec plc=true ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 ! queue ! mix.`,
    ),
    `udpsrc address=127.0.0.1 port=${p.discardPort} ! fakesink async=false sync=false`,
    [
      'audiomixer name=mix latency=100000000',
      'audioconvert',
      'audioresample',
      ...ENCODE[a.codec](a, p.ssrc),
      `udpsink host=${p.to.ip} port=${p.to.port} sync=false async=false`,
    ].join(' ! '),
  ];
  return chains.flatMap((c) => c.split(' '));
}

export interface Speaker {
  peerId: string;
  micProducerId: string | null;
  micPaused: boolean;
}

/** Which microphone each slot carries: kept where it is while wanted, new ones in free slots. */
export function planMix(current: readonly (string | null)[], wanted: readonly string[]): (string | null)[] {
  const keep = current.map((id) => (id && wanted.includes(id) ? id : null));
  const fresh = wanted.filter((id) => !keep.includes(id));
  return keep.map((id) => id ?? fresh.shift() ?? null);
}

export class AudioReturn {
  private closed = false;

  private constructor(
    private readonly tap: MediaTap,
    private readonly outputs: TapOutput[],
    private gst: KeptPipeline,
    private readonly spec: { inputs: number[]; discardPort: number; opusPt: number; ssrc: number; registry: string; logger: Logger },
  ) {}

  private static start(a: AudioChoice, to: { ip: string; port: number }, spec: AudioReturn['spec']): KeptPipeline {
    return new KeptPipeline(audioReturnArgs(a, { ...spec, to }), spec.registry, { name: 'room audio return', logger: spec.logger });
  }

  static async open(
    tap: MediaTap,
    a: AudioChoice,
    to: { ip: string; port: number },
    ssrc: number,
    registry: string,
    logger: Logger,
  ): Promise<AudioReturn> {
    const ports = await freeUdpPorts(MIX_INPUTS + 1);
    const discardPort = ports[MIX_INPUTS]!;
    const inputs = ports.slice(0, MIX_INPUTS);
    const outputs = await Promise.all(inputs.map((port) => tap.output({ port, rtcpPort: discardPort, kind: 'audio' })));
    const spec = { inputs, discardPort, opusPt: tap.payloadType('audio/opus') ?? 100, ssrc, registry, logger };
    return new AudioReturn(tap, outputs, AudioReturn.start(a, to, spec), spec);
  }

  /** The room changed codec or address (re-INVITE): the mix is encoded anew, fed by the same inputs. */
  async recodec(a: AudioChoice, to: { ip: string; port: number }): Promise<void> {
    if (this.closed) return;
    await this.gst.stop(2000);
    this.gst = AudioReturn.start(a, to, this.spec);
  }

  /** Feeds the latest open microphones of the others (a muted or closed one is not mixed). */
  async update(speakers: readonly Speaker[]): Promise<void> {
    if (this.closed) return;
    const wanted = speakers.filter((s) => s.micProducerId && !s.micPaused).map((s) => s.micProducerId!);
    const plan = planMix(
      this.outputs.map((o) => o.producerId),
      wanted.slice(0, MIX_INPUTS),
    );
    await Promise.all(this.outputs.map((o, i) => o.feed(plan[i] ?? null, 'audio/opus').catch(() => false)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tap.close();
    await this.gst.stop(2000);
  }
}
