// Transports, producers and consumers of the caller's peer. Where the chair's rules
// apply, the rule is the floor domain's (domain/floor/media-rules.ts) and the
// topic owning it is called: a screen claims the presentation (presentation.ts), a
// site's own microphone resume is a self-unmute (chair.ts).
import { spatialLayerFor } from '../../domain/floor/media-rules';
import type { RequestHandlers } from '../rpc';
import { unmuteOwnMicrophone } from './chair';
import { current, type HandlerContext } from './context';
import { produceScreen } from './presentation';

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
  'media:consume': (ctx, { producerId }) => {
    const { media, peerId } = current(ctx);
    return media.consume(peerId, producerId);
  },
  'media:resumeConsumer': async (ctx, { consumerId }) => {
    const { media, peerId } = current(ctx);
    await media.resumeConsumer(peerId, consumerId);
    return {};
  },
  'media:setConsumerLayers': async (ctx, { consumerId, spatialLayer, temporalLayer }) => {
    const { media, peerId, room } = current(ctx);
    const mode = room.live?.get(peerId).receiveMode ?? 'full';
    await media.setConsumerLayers(peerId, consumerId, spatialLayerFor(mode, spatialLayer), temporalLayer);
    return {};
  },
  'media:closeConsumer': async (ctx, { consumerId }) => {
    const { media, peerId } = current(ctx);
    await media.closeConsumer(peerId, consumerId);
    return {};
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
