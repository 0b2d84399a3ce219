import { describe, expect, it } from 'vitest';
import { authorityFromSchedule } from '../src/domain/floor/authority';
import { LiveMeeting, type ParticipantIdentity } from '../src/domain/live/live-meeting';

const AUTH = authorityFromSchedule({ userId: 'u-chair', name: 'Chủ trì' }, []);

import { gradeQuality, qualityDiffers } from '../src/domain/live/quality';

const who = (peerId: string, siteId: string, userId = `u-${peerId}`): ParticipantIdentity => ({
  peerId,
  userId,
  userName: `User ${peerId}`,
  siteId,
  siteCode: siteId.toUpperCase(),
  siteName: `Site ${siteId}`,
  parentSiteId: null,
  parentSiteName: null,
  chairRole: false,
});

describe('LiveMeeting', () => {
  it('shows the chair site as main picture by default, the active speaker when the policy says so', () => {
    const m = new LiveMeeting('m1', 'Họp giao ban', 'tn', AUTH);
    m.join(who('d', 'dt'), 1);
    expect(m.mainPeerId()).toBeNull();
    m.join(who('c', 'tn'), 2);
    expect(m.mainPeerId()).toBe('c');
    expect(m.setActiveSpeaker('d')).toBe(false); // chair policy: main unchanged
    m.mainPolicy = 'speaker';
    expect(m.mainPeerId()).toBe('d');
    m.setActiveSpeaker('ghost');
    expect(m.activeSpeakerPeerId).toBeNull();
    expect(m.mainPeerId()).toBe('c');
  });

  it('shows the chair site, and only the chair site, the latest other speaker instead of itself', () => {
    const m = new LiveMeeting('m1', 'Họp giao ban', 'tn', AUTH);
    m.join(who('c', 'tn'), 1);
    expect(m.mainFor('c')).toBe('c'); // alone: its own picture
    m.join(who('d', 'dt'), 2);
    m.join(who('x', 'xa'), 3);
    expect(m.mainFor('c')).toBe('d'); // nobody spoke: the first other site
    expect(m.mainFor('x')).toBe('c');
    m.setActiveSpeaker('x');
    m.setActiveSpeaker('c'); // the chair speaks: it keeps seeing the last other speaker
    expect(m.recentSpeakers).toEqual(['c', 'x']);
    expect(m.mainFor('c')).toBe('x');
    expect(m.mainFor('d')).toBe('c');
    // The floor holder is everyone's main picture but its own: it sees who spoke before it.
    m.floor.giveFloor('u-chair', 'dt', 10, () => true);
    expect(m.mainPeerId()).toBe('d');
    expect(m.mainFor('c')).toBe('d');
    expect(m.mainFor('d')).toBe('c');
    m.setActiveSpeaker('d');
    m.setActiveSpeaker('x');
    m.setActiveSpeaker('d');
    expect(m.recentSpeakers).toEqual(['d', 'x', 'c']);
    expect(m.mainFor('d')).toBe('x');
    // Who left, or dropped out, is skipped; the history keeps each peer once and at most eight.
    m.leave('x');
    expect(m.recentSpeakers).toEqual(['d', 'c']);
    expect(m.mainFor('d')).toBe('c');
    m.disconnect('c', 20);
    expect(m.mainFor('d')).toBe('d');
    for (let i = 0; i < 12; i++) {
      m.join(who(`p${i}`, `s${i}`), 30 + i);
      m.setActiveSpeaker(`p${i}`);
    }
    expect(m.recentSpeakers).toEqual(['p11', 'p10', 'p9', 'p8', 'p7', 'p6', 'p5', 'p4']);
  });

  it('keeps a disconnected site for the grace period and lets only the same user resume', () => {
    const m = new LiveMeeting('m1', 't', 'tn', AUTH);
    m.join(who('c', 'tn', 'chair-user'), 0);
    m.disconnect('c', 1000);
    expect(m.get('c').connected).toBe(false);
    expect(m.mainPeerId()).toBeNull(); // a disconnected chair is not the main picture
    expect(m.canResume('c', 'someone-else')).toBe(false);
    expect(m.canResume('c', 'chair-user')).toBe(true);
    expect(m.expired(20_000, 30_000)).toEqual([]);
    expect(m.expired(31_001, 30_000)).toEqual(['c']);
    m.reconnect('c');
    expect(m.expired(100_000, 30_000)).toEqual([]);
    expect(m.mainPeerId()).toBe('c');
  });

  it('records receive mode and grades quality from real numbers', () => {
    const m = new LiveMeeting('m1', 't', 'tn', AUTH);
    m.join(who('x', 'xa'), 0);
    m.setReceiveMode('x', 'audio-only');
    expect(m.setQuality('x', { rttMs: 40, lossFraction: 0.001, sendBps: 1e6, recvBps: 8e5, jitterMs: 5 })).toBe(true);
    expect(m.get('x')).toMatchObject({ receiveMode: 'audio-only', quality: { grade: 'good' } });
    // The same picture on screen: stored, but nothing worth telling everyone.
    expect(m.setQuality('x', { rttMs: 43, lossFraction: 0.002, sendBps: 1.05e6, recvBps: 8.1e5, jitterMs: 6 })).toBe(false);
    expect(m.get('x').quality.rttMs).toBe(43);
    expect(m.setQuality('x', { rttMs: 43, lossFraction: 0.03, sendBps: 1.05e6, recvBps: 8.1e5, jitterMs: 6 })).toBe(true);
    expect(m.setQuality('nobody', { rttMs: 1, lossFraction: 0, sendBps: 0, recvBps: 0, jitterMs: null })).toBe(false);
    expect(m.leave('x')).toBe(true);
    expect(m.leave('x')).toBe(false);
  });

  it("keeps the freezes the site reports across the server's readings; a new layer is news", () => {
    const m = new LiveMeeting('m1', 't', 'tn', AUTH);
    m.join(who('x', 'xa'), 0);
    const q = { rttMs: 40, lossFraction: 0, sendBps: 1e6, recvBps: 8e5, jitterMs: 5, layer: 2 };
    expect(m.setQuality('x', q)).toBe(true);
    expect(m.setFreezes('x', 2)).toBe(true);
    expect(m.setFreezes('x', 2)).toBe(false);
    expect(m.setFreezes('nobody', 1)).toBe(false);
    // The next reading of the server's statistics does not wipe what the browser said, and tells it once.
    expect(m.setQuality('x', q)).toBe(true);
    expect(m.get('x').quality).toMatchObject({ layer: 2, freezes: 2 });
    expect(m.setQuality('x', q)).toBe(false);
    expect(m.setQuality('x', { ...q, layer: 0 })).toBe(true);
    expect(m.get('x').quality).toMatchObject({ layer: 0, freezes: 2, grade: 'good' });
  });
});

describe('gradeQuality', () => {
  it.each([
    [{ rttMs: null, lossFraction: 0, sendBps: 0, recvBps: 0, jitterMs: null }, 'unknown'],
    [{ rttMs: 80, lossFraction: 0.005, sendBps: 5e5, recvBps: 5e5, jitterMs: 10 }, 'good'],
    [{ rttMs: 350, lossFraction: 0.005, sendBps: 5e5, recvBps: 5e5, jitterMs: 10 }, 'fair'],
    [{ rttMs: 80, lossFraction: 0.03, sendBps: 5e5, recvBps: 5e5, jitterMs: 10 }, 'fair'],
    [{ rttMs: 80, lossFraction: 0.1, sendBps: 5e5, recvBps: 5e5, jitterMs: 10 }, 'poor'],
    [{ rttMs: 700, lossFraction: 0, sendBps: 5e5, recvBps: 5e5, jitterMs: 10 }, 'poor'],
  ] as const)('%o is %s', (q, grade) => {
    expect(gradeQuality(q)).toBe(grade);
  });
});

describe('qualityDiffers', () => {
  const base = { rttMs: 80, lossFraction: 0.005, sendBps: 5e5, recvBps: 5e5, jitterMs: 10 };
  it('ignores what a person would not see and keeps what they would', () => {
    expect(qualityDiffers(base, { ...base, rttMs: 99, lossFraction: 0.012, sendBps: 6e5, recvBps: 4.1e5, jitterMs: 25 })).toBe(false);
    expect(qualityDiffers({ ...base, sendBps: 0 }, { ...base, sendBps: 7000 })).toBe(false);
    for (const other of [{ rttMs: 110 }, { rttMs: null }, { lossFraction: 0.03 }, { sendBps: 7e5 }, { recvBps: 3e5 }, { jitterMs: 70 }])
      expect(qualityDiffers(base, { ...base, ...other }), JSON.stringify(other)).toBe(true);
  });
});
