// Three simulcast layers; thumbnails and thin links take the lowest, kept small (low rate and frame rate).
export const SIMULCAST: RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 100_000, maxFramerate: 15 },
  { scaleResolutionDownBy: 2, maxBitrate: 450_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];
