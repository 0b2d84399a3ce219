// This tab's place in a meeting, kept across a reload (sessionStorage is per tab and survives
// it): the reloaded room page resumes the same peer, so the others see the site once, not a
// ghost waiting out the grace beside a new one. An id the server no longer holds joins anew.
const key = (meetingId: string) => `lt_peer:${meetingId}`;

export function rememberedPeer(meetingId: string): string | undefined {
  try {
    return sessionStorage.getItem(key(meetingId)) ?? undefined;
  } catch {
    return undefined; // storage blocked: join as a new peer
  }
}

export function rememberPeer(meetingId: string, peerId: string | null): void {
  try {
    if (peerId) sessionStorage.setItem(key(meetingId), peerId);
    else sessionStorage.removeItem(key(meetingId));
  } catch {
    // storage blocked: a reload joins as a new peer
  }
}
