import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@lienthong/kit';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { changedSlots, emptyPlan, planSlots, type RecordedPeer, type RecordingView } from '../src/domain/recording/layout';
import { expiredRecordings, finishedState, type RecordingRecord } from '../src/domain/recording/recordings';
import { byteRange } from '../src/http/routes/recordings';
import { layoutGeometry, pipelineArgs } from '../src/recording/pipeline';
import { RecordingService } from '../src/recording/recording-service';
import { migrations } from '../src/store/migrations';
import { RecordingRepository } from '../src/store/recording-repository';

const peer = (id: string, over: Partial<RecordedPeer> = {}): RecordedPeer => ({
  peerId: id,
  isChairSite: false,
  connected: true,
  camera: { producerId: `cam-${id}`, paused: false },
  mic: { producerId: `mic-${id}`, paused: false },
  ...over,
});
const view = (peers: RecordedPeer[], over: Partial<RecordingView> = {}): RecordingView => ({
  mainPeerId: null,
  presentationProducerId: null,
  recentSpeakers: [],
  peers,
  ...over,
});

describe('what the recording shows', () => {
  it('puts the main picture first and the other cameras in the thumbnails', () => {
    const plan = planSlots(view([peer('a', { isChairSite: true }), peer('b'), peer('c')], { mainPeerId: 'b' }), emptyPlan(3, 2));
    expect(plan.video).toEqual(['cam-b', 'cam-a', 'cam-c']);
    // Audio: the main picture's site first, then the chair site.
    expect(plan.audio).toEqual(['mic-b', 'mic-a']);
  });

  it('shows a shared screen as the main picture', () => {
    const plan = planSlots(view([peer('a'), peer('b')], { mainPeerId: 'a', presentationProducerId: 'screen-b' }), emptyPlan(3, 1));
    expect(plan.video).toEqual(['screen-b', 'cam-a', 'cam-b']);
  });

  it('leaves out paused cameras, closed microphones and disconnected sites', () => {
    const plan = planSlots(
      view([
        peer('a', { camera: { producerId: 'cam-a', paused: true }, mic: { producerId: 'mic-a', paused: true } }),
        peer('b', { connected: false }),
        peer('c', { mic: null }),
      ]),
      emptyPlan(3, 3),
    );
    expect(plan.video).toEqual(['cam-c', null, null]);
    expect(plan.audio).toEqual([null, null, null]);
  });

  it('keeps thumbnails where they are when the speaker changes', () => {
    const peers = [peer('a'), peer('b'), peer('c'), peer('d')];
    const first = planSlots(view(peers, { mainPeerId: 'a' }), emptyPlan(4, 0));
    expect(first.video).toEqual(['cam-a', 'cam-b', 'cam-c', 'cam-d']);
    // c speaks: it goes to the main picture, a takes its thumbnail; b and d do not move.
    const next = planSlots(view(peers, { mainPeerId: 'c', recentSpeakers: ['c', 'a'] }), first);
    expect(next.video).toEqual(['cam-c', 'cam-b', 'cam-a', 'cam-d']);
    expect(changedSlots(first, next)).toEqual([
      { kind: 'video', slot: 0, producerId: 'cam-c' },
      { kind: 'video', slot: 2, producerId: 'cam-a' },
    ]);
  });

  it('gives a thumbnail to a recent speaker over one that never spoke when all are taken', () => {
    const peers = [peer('a'), peer('b'), peer('c'), peer('d')];
    const first = planSlots(view(peers, { mainPeerId: 'a' }), emptyPlan(3, 0));
    expect(first.video).toEqual(['cam-a', 'cam-b', 'cam-c']);
    const next = planSlots(view(peers, { mainPeerId: 'a', recentSpeakers: ['d'] }), first);
    expect(next.video[0]).toBe('cam-a');
    expect(next.video).toContain('cam-d');
    expect(next.video.filter((x) => x !== null)).toHaveLength(3);
  });
});

describe('the recorder pipeline', () => {
  const spec = {
    file: '/var/rec/x.mp4',
    width: 1280,
    height: 720,
    fps: 25,
    videoKbps: 1500,
    videoPorts: [5000, 5001, 5002],
    h264Ports: [5100, 5101, 5102],
    audioPorts: [6000, 6001],
    discardPort: 7000,
    vp8PayloadType: 101,
    opusPayloadType: 100,
  };

  it('lays the main picture and seven thumbnails inside the frame without overlap', () => {
    const cells = layoutGeometry(1280, 720, 8);
    expect(cells[0]).toEqual({ x: 0, y: 0, width: 960, height: 540 });
    for (const c of cells) {
      expect(c.x + c.width).toBeLessThanOrEqual(1280);
      expect(c.y + c.height).toBeLessThanOrEqual(720);
    }
    for (const [i, a] of cells.entries())
      for (const b of cells.slice(i + 1)) {
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${JSON.stringify(a)} / ${JSON.stringify(b)}`).toBe(true);
      }
  });

  it('listens on every port with the router payload types and writes fragmented MP4', () => {
    const args = pipelineArgs(spec).join(' ');
    for (const port of [5000, 5001, 5002, 5100, 5101, 5102, 6000, 6001, 7000])
      expect(args).toContain(`udpsrc address=127.0.0.1 port=${port} `);
    expect(args).toContain('encoding-name=VP8,payload=101');
    // A room system's H.264 into the same slot as a browser's VP8 would go.
    expect(args).toMatch(
      /udpsrc address=127.0.0.1 port=5101 caps=application\/x-rtp,media=video,clock-rate=90000,encoding-name=H264 ! rtph264depay ! avdec_h264 .* ! slot2\./,
    );
    expect(args).toContain('encoding-name=OPUS,payload=100');
    expect(args).toContain('format=I420');
    expect(args).toContain('mp4mux name=mux fragment-duration=');
    expect(args.endsWith('location=/var/rec/x.mp4')).toBe(true);
    expect(args.match(/mix\.sink_\d/g)).toEqual(['mix.sink_0', 'mix.sink_1', 'mix.sink_2', 'mix.sink_3']);
  });

  it('refuses no video input or more than eight', () => {
    expect(() => pipelineArgs({ ...spec, videoPorts: [] })).toThrow();
    expect(() => pipelineArgs({ ...spec, videoPorts: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).toThrow();
    expect(() => pipelineArgs({ ...spec, h264Ports: [5100] })).toThrow();
  });
});

describe('byte ranges for the player', () => {
  it('reads the usual forms and refuses ranges past the end', () => {
    expect(byteRange(undefined, 1000)).toBeNull();
    expect(byteRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(byteRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(byteRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(byteRange('bytes=500-5000', 1000)).toEqual({ start: 500, end: 999 });
    expect(byteRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(byteRange('bytes=50-10', 1000)).toBe('unsatisfiable');
    expect(byteRange('items=0-1', 1000)).toBeNull();
  });
});

const DAY = 86_400_000;
const rec = (over: Partial<RecordingRecord>): RecordingRecord => ({
  id: 'r1',
  meetingId: 'm1',
  startedAt: 0,
  endedAt: 1000,
  startedBy: 'u1',
  startedByName: 'Chủ trì',
  state: 'done',
  file: 'r1.mp4',
  sizeBytes: 10,
  durationMs: 1000,
  error: null,
  ...over,
});

describe('keeping recordings', () => {
  it('expires finished files after the retention period, never one being written', () => {
    const list = [
      rec({ id: 'old' }),
      rec({ id: 'new', endedAt: 5 * DAY }),
      rec({ id: 'live', state: 'recording', endedAt: null }),
      rec({ id: 'gone', state: 'deleted' }),
    ];
    expect(expiredRecordings(list, 3 * DAY, 2).map((r) => r.id)).toEqual(['old']);
    expect(expiredRecordings(list, 100 * DAY, 0)).toEqual([]);
  });

  it('calls a file with nothing in it failed, whatever ended it', () => {
    expect(finishedState(true, 5000, 20_000)).toBe('done');
    expect(finishedState(false, 5000, 20_000)).toBe('interrupted');
    expect(finishedState(true, 0, null)).toBe('failed');
    expect(finishedState(true, 5000, null)).toBe('failed');
  });

  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const service = (now: number, retentionDays = 30) => {
    dir = mkdtempSync(join(tmpdir(), 'lt-recsvc-'));
    const db = new Database(':memory:');
    db.exec(migrations.find((m) => m.version === 10)!.sql);
    const repo = new RecordingRepository(db);
    const settings = { dir, retentionDays, width: 640, height: 360, fps: 15, videoKbps: 500, videoSlots: 2, audioSlots: 2 };
    return { repo, svc: new RecordingService(repo, settings, createLogger({ service: 'test', level: 'silent' }), () => now) };
  };

  it('closes a recording a crash left open with what its file holds, and sweeps expired files', async () => {
    const { repo, svc } = service(40 * DAY);
    repo.insert(rec({ id: 'crashed', state: 'recording', endedAt: null, sizeBytes: null, durationMs: null, file: 'crashed.mp4' }));
    repo.insert(rec({ id: 'expired', file: 'expired.mp4' }));
    writeFileSync(join(dir, 'expired.mp4'), 'x');
    // No file for the crashed one: nothing was written, so it failed.
    expect(await svc.recover()).toBe(1);
    expect(repo.get('crashed')).toMatchObject({ state: 'failed', sizeBytes: 0, error: 'the server stopped during the recording' });
    expect(await svc.sweep()).toBe(1);
    expect(repo.get('expired')?.state).toBe('deleted');
    expect(await svc.sweep()).toBe(0);
  });

  it('refuses to stop what is not recording and to delete what is', async () => {
    const { svc } = service(0);
    await expect(svc.stop('m1')).rejects.toMatchObject({ code: 'NOT_RECORDING', status: 409 });
    await expect(svc.remove(rec({ state: 'recording' }))).rejects.toMatchObject({ code: 'RECORDING_IN_PROGRESS' });
    expect(svc.notice('m1')).toBeNull();
  });
});
