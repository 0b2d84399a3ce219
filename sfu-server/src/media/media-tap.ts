// Plain RTP out of a room for a local consumer that is not a browser (the recorder): one
// transport per output toward a fixed loopback port, one consumer at a time on it. Swapping the
// stream on an output closes its consumer and opens another on the same transport; the new
// consumer starts at a keyframe.
import type { types } from 'mediasoup';
import { portRangeOption } from './port-range';

export interface TapSource {
  router: types.Router;
  /** Brings a producer of the room to the tap's router; its codec, or null when gone. */
  bring(producerId: string): Promise<types.RtpCodecParameters | null>;
}

export interface TapOutputOptions {
  port: number;
  /** Where the RTCP of this output goes (the receiver discards it). */
  rtcpPort: number;
  kind: 'audio' | 'video';
}

export class TapOutput {
  private consumer: types.Consumer | null = null;
  private current: string | null = null;

  constructor(
    private readonly transport: types.PlainTransport,
    private readonly source: TapSource,
    readonly kind: 'audio' | 'video',
  ) {}

  get producerId(): string | null {
    return this.consumer && !this.consumer.closed ? this.current : null;
  }

  /**
   * Sends this producer (null: nothing). Returns false when it cannot be sent here (gone, other codec,
   * or a codec `accept` refuses).
   */
  async feed(
    producerId: string | null,
    acceptMime: string,
    spatialLayer = 2,
    accept: (codec: types.RtpCodecParameters) => boolean = () => true,
  ): Promise<boolean> {
    if (producerId === this.producerId) {
      if (producerId && this.consumer?.type === 'simulcast') await this.consumer.setPreferredLayers({ spatialLayer, temporalLayer: 2 });
      return true;
    }
    this.consumer?.close();
    this.consumer = null;
    this.current = null;
    if (producerId === null || this.transport.closed) return producerId === null;
    const codec = await this.source.bring(producerId);
    if (!codec || codec.mimeType.toLowerCase() !== acceptMime.toLowerCase() || !accept(codec)) return false;
    const consumer = await this.transport.consume({
      producerId,
      // Codecs only: no header extensions, so no congestion control probing padding into the pipeline.
      rtpCapabilities: { codecs: this.source.router.rtpCapabilities.codecs ?? [], headerExtensions: [] },
      preferredLayers: { spatialLayer, temporalLayer: 2 },
      appData: { tap: true },
    });
    this.consumer = consumer;
    this.current = producerId;
    return true;
  }

  /** Asks the sender for a keyframe (the receiver has just started). */
  async requestKeyFrame(): Promise<void> {
    if (this.consumer && !this.consumer.closed && this.kind === 'video') await this.consumer.requestKeyFrame();
  }

  close(): void {
    this.consumer?.close();
    this.transport.close();
  }
}

export class MediaTap {
  private readonly outputs: TapOutput[] = [];

  constructor(private readonly source: TapSource) {}

  /** The router went away (its worker died): open a new tap. */
  get closed(): boolean {
    return this.source.router.closed;
  }

  /** The payload type the router gives a codec (what the receiver's caps must say). */
  payloadType(mimeType: string): number | undefined {
    return this.source.router.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase())
      ?.preferredPayloadType;
  }

  async output(o: TapOutputOptions): Promise<TapOutput> {
    const transport = await this.source.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1', ...portRangeOption() },
      rtcpMux: false,
      comedia: false,
      appData: { tap: true },
    });
    await transport.connect({ ip: '127.0.0.1', port: o.port, rtcpPort: o.rtcpPort });
    const out = new TapOutput(transport, this.source, o.kind);
    this.outputs.push(out);
    return out;
  }

  close(): void {
    for (const o of this.outputs) o.close();
    this.outputs.length = 0;
  }
}
