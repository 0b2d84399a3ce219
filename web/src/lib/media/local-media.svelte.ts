// Camera and microphone chosen in the lobby, handed to the room.
export const localMedia = $state<{ stream: MediaStream | null; cameraId: string | null; micId: string | null }>({
  stream: null,
  cameraId: null,
  micId: null,
});

/** How many opens were asked for, and the last one while it is under way. */
let asked = 0;
let opening: Promise<MediaStream> | null = null;

export function openLocalMedia(cameraId: string | null, micId: string | null): Promise<MediaStream> {
  for (const tr of localMedia.stream?.getTracks() ?? []) tr.stop();
  // Stopped tracks are never handed out (a room entered while the lobby reopens the camera got them).
  localMedia.stream = null;
  const mine = ++asked;
  const p = navigator.mediaDevices
    .getUserMedia({
      audio: micId
        ? { deviceId: { exact: micId }, echoCancellation: true, noiseSuppression: true }
        : { echoCancellation: true, noiseSuppression: true },
      video: cameraId ? { deviceId: { exact: cameraId }, width: 1280, height: 720 } : { width: 1280, height: 720 },
    })
    .then((stream): MediaStream | Promise<MediaStream> => {
      // Another device was picked meanwhile: the page uses that one (ours only if it failed).
      const newer = mine === asked ? null : (localMedia.stream ?? opening);
      if (newer) {
        for (const tr of stream.getTracks()) tr.stop();
        return newer;
      }
      localMedia.stream = stream;
      localMedia.cameraId = cameraId;
      localMedia.micId = micId;
      return stream;
    });
  opening = p;
  const done = () => {
    if (opening === p) opening = null;
  };
  p.then(done, done);
  return p;
}

/** What the room sends: the lobby's camera and microphone, once open (waited for while they open), or opened now. */
export function roomMedia(): Promise<MediaStream> {
  const s = localMedia.stream;
  if (s && s.getTracks().every((tr) => tr.readyState === 'live')) return Promise.resolve(s);
  return opening ?? openLocalMedia(null, null);
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
