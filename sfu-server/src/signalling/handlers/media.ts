// Transports, producers and consumers of the caller's peer. Where the chair's rules
// apply, the rule is the floor domain's (domain/floor/media-rules.ts) and the
// topic owning it is called: a screen claims the presentation (presentation.ts), a
// site's own microphone resume is a self-unmute (chair.ts).
import { AppError } from '@lienthong/kit';
import { mayReceive, type ReceiveMode, receiveModeChanges, spatialLayerFor } from '../../domain/floor/media-rules';
import type { LiveRoom } from '../live-room';
import type { RequestHandlers } from '../rpc';
import { unmuteOwnMicrophone } from './chair';
import { current, type HandlerContext } from './context';
import { produceScreen } from './presentation';

/** What the caller chose to receive (self-tests receive everything). Read at call time: it changes. */
const receiveModeOf = (room: LiveRoom, peerId: string): ReceiveMode =>
  room.live?.has(peerId) ? room.live.get(peerId).receiveMode : 'full';

function refuseVideo(): never {
  throw new AppError('RECEIVE_MODE_AUDIO_ONLY', 'In audio-only mode no video is received', 409);
}

/** Applies a receiver's new mode to the consumers it has: video closes for audio-only, layers drop for low. */
export async function applyReceiveMode(ctx: HandlerContext, room: LiveRoom, peerId: string, mode: ReceiveMode): Promise<void> {
  const changes = receiveModeChanges(mode, room.media.consumersOf(peerId));
  for (const consumerId of changes.close) {
    await room.media.closeConsumer(peerId, consumerId).catch(() => undefined);
    ctx.conference.toPeer(room, peerId, 'media:consumerClosed', { consumerId });
  }
  for (const { consumerId, spatialLayer } of changes.layers) {
    await room.media.setConsumerLayers(peerId, consumerId, spatialLayer).catch(() => undefined);
  }
}

const isAudioOf = (ctx: HandlerContext, producerId: string) => {
  const { media, peerId } = current(ctx);
  return media.hasPeer(peerId) && media.producersOf(peerId, 'audio').some((p) => p.producerId === producerId);
};

export const mediaHandlers = {
  'media:createTransport': (ctx, { direction }) => {
    const { media, peerId } = current(ctx);
    return media.createTransport(peerId, direction);
  },
  'media:connectTransport': async (ctx, { transportId, dtlsParameters }) => {
    const { media, peerId } = current(ctx);
    await media.connectTransport(peerId, transportId, dtlsParameters);
    return {};
  },
  'media:restartIce': async (ctx, { transportId }) => {
    const { media, peerId } = current(ctx);
    return { iceParameters: await media.restartIce(peerId, transportId) };
  },
  // Not tied to a room: the client asks at join, and again when its credentials are old.
  'media:iceServers': (ctx) => ctx.iceServers?.(ctx.session.claims.sub) ?? { iceServers: [], ttlSeconds: 0 },
  'media:produce': async (ctx, { transportId, kind, rtpParameters, source }) => {
    const { room, media, peerId } = current(ctx);
    if (source === 'screen' && room.live) return { producerId: await produceScreen(ctx, transportId, kind, rtpParameters) };
    return { producerId: await media.produce(peerId, transportId, kind, rtpParameters, source) };
  },
  'media:closeProducer': async (ctx, { producerId }) => {
    const { media, peerId } = current(ctx);
    await media.closeProducer(peerId, producerId);
    return {};
  },
  'media:pauseProducer': async (ctx, { producerId }) => {
    const { room, media, peerId } = current(ctx);
    // A site's own mute sticks: the chair's rules never resume it.
    if (isAudioOf(ctx, producerId)) room.selfPaused.add(producerId);
    await media.setProducerPaused(peerId, producerId, true);
    return {};
  },
  'media:resumeProducer': async (ctx, { producerId }) => {
    const { room, media, peerId } = current(ctx);
    if (isAudioOf(ctx, producerId) && room.live) await unmuteOwnMicrophone(ctx, producerId);
    else await media.setProducerPaused(peerId, producerId, false);
    return {};
  },
  'media:consume': async (ctx, { producerId }) => {
    const { media, peerId, room } = current(ctx);
    const kind = media.producerKind(producerId);
    if (kind && !mayReceive(receiveModeOf(room, peerId), kind)) refuseVideo();
    const info = await media.consume(peerId, producerId);
    // The mode may have changed while the consumer was made.
    if (!mayReceive(receiveModeOf(room, peerId), info.kind)) {
      await media.closeConsumer(peerId, info.consumerId).catch(() => undefined);
      refuseVideo();
    }
    if (info.kind === 'video' && receiveModeOf(room, peerId) === 'low')
      await media.setConsumerLayers(peerId, info.consumerId, spatialLayerFor('low', 0));
    return info;
  },
  'media:resumeConsumer': async (ctx, { consumerId }) => {
    const { media, peerId, room } = current(ctx);
    // On a thin link a new video starts shed as the site's other videos are.
    await ctx.adaptation?.beforeResume(room, peerId);
    await media.resumeConsumer(peerId, consumerId);
    return {};
  },
  'media:setConsumerLayers': async (ctx, { consumerId, spatialLayer, temporalLayer }) => {
    const { media, peerId, room } = current(ctx);
    await media.setConsumerLayers(peerId, consumerId, spatialLayerFor(receiveModeOf(room, peerId), spatialLayer), temporalLayer);
    return {};
  },
  'media:closeConsumer': async (ctx, { consumerId }) => {
    const { media, peerId } = current(ctx);
    await media.closeConsumer(peerId, consumerId);
    return {};
  },
  'media:uplink': (ctx, { videoPaused, uplinkKbps }) => {
    const { room, peerId } = current(ctx);
    ctx.adaptation?.uplink(room, peerId, videoPaused, uplinkKbps);
    return {};
  },
  'media:receiveReport': (ctx, { freezes }) => {
    const { room, peerId } = current(ctx);
    // Shown in the next state and kept with the next quality sample (the refresh every few seconds).
    room.live?.setFreezes(peerId, freezes);
    return {};
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
