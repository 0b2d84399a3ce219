// The mediasoup-client Device. In Chromium-based browsers (what the province's PCs run) its handler
// also negotiates NACK for Opus, both ways: the SFU asks a commune's browser again for audio lost on
// the way in, and a commune's browser asks the SFU for audio lost on the way down (audio-repair.ts).
// Other browsers keep their own handler untouched.
import { Device, detectDevice } from 'mediasoup-client';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import { withAudioNack } from './audio-repair';

export function createDevice(): Device {
  if (detectDevice() !== 'Chrome111') return new Device();
  const base = Chrome111.createFactory();
  return new Device({
    handlerFactory: {
      name: base.name,
      getNativeSctpCapabilities: () => base.getNativeSctpCapabilities(),
      getNativeRtpCapabilities: async () => withAudioNack(await base.getNativeRtpCapabilities()),
      factory: (o) =>
        base.factory({ ...o, getSendExtendedRtpCapabilities: (native) => o.getSendExtendedRtpCapabilities(withAudioNack(native)) }),
    },
  });
}
