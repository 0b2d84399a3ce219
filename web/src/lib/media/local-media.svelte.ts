// Camera and microphone chosen in the lobby, handed to the room.
export const localMedia = $state<{ stream: MediaStream | null; cameraId: string | null; micId: string | null }>({
  stream: null,
  cameraId: null,
  micId: null,
});

export async function openLocalMedia(cameraId: string | null, micId: string | null): Promise<MediaStream> {
  for (const tr of localMedia.stream?.getTracks() ?? []) tr.stop();
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: micId
      ? { deviceId: { exact: micId }, echoCancellation: true, noiseSuppression: true }
      : { echoCancellation: true, noiseSuppression: true },
    video: cameraId ? { deviceId: { exact: cameraId }, width: 1280, height: 720 } : { width: 1280, height: 720 },
  });
  localMedia.stream = stream;
  localMedia.cameraId = cameraId;
  localMedia.micId = micId;
  return stream;
}

/** RMS level 0..1 of a microphone track, polled by the caller. */
export function micLevelMeter(track: MediaStreamTrack): { read(): number; close(): void } {
  const ctx = new AudioContext();
  const src = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  src.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  return {
    read() {
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      return Math.min(1, Math.sqrt(sum / buf.length) * 4);
    },
    close() {
      void ctx.close();
    },
  };
}
