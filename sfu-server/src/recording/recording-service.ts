// Meetings' recordings: at most one in progress per meeting, each a row (store) and an MP4 file in
// the recordings folder. Rows left "recording" by a crash are closed at start-up with what their
// file holds; files past the retention period are deleted (their rows stay, marked deleted).
import { randomUUID } from 'node:crypto';
import { mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, type Logger } from '@lienthong/kit';
import type { RecordingView } from '../domain/recording/layout';
import { expiredRecordings, finishedState, type RecordingRecord } from '../domain/recording/recordings';
import type { MediaTap } from '../media/media-tap';
import type { RecordingRepository } from '../store/recording-repository';
import { gstAvailable, probeDurationMs } from './gst-process';
import { Recorder, type RecorderSettings } from './recorder';

export interface RecordingSettings extends RecorderSettings {
  dir: string;
  /** Files are deleted this many days after the recording ended; 0 keeps them. */
  retentionDays: number;
}

/** What everyone in the meeting is shown while it is recorded. */
export interface RecordingNotice {
  recordingId: string;
  since: number;
  byName: string;
}

export interface RecordedRoom {
  openTap(): Promise<MediaTap>;
  view(): RecordingView | null;
  /** The recording ended by itself (room closed, pipeline died): tell the room. */
  ended(record: RecordingRecord): void;
}

export class RecordingService {
  private readonly active = new Map<string, { record: RecordingRecord; recorder: Recorder | null }>();
  private gst: Promise<boolean> | null = null;

  constructor(
    readonly repo: RecordingRepository,
    private readonly settings: RecordingSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  notice(meetingId: string): RecordingNotice | null {
    const a = this.active.get(meetingId);
    return a ? { recordingId: a.record.id, since: a.record.startedAt, byName: a.record.startedByName } : null;
  }

  pathOf(r: RecordingRecord): string {
    return join(this.settings.dir, r.file);
  }

  async start(meetingId: string, by: { userId: string; name: string }, room: RecordedRoom): Promise<RecordingRecord> {
    if (this.active.has(meetingId)) throw new AppError('ALREADY_RECORDING', 'This meeting is already being recorded', 409);
    const id = randomUUID();
    const record: RecordingRecord = {
      id,
      meetingId,
      startedAt: this.now(),
      endedAt: null,
      startedBy: by.userId,
      startedByName: by.name,
      state: 'recording',
      file: `${id}.mp4`,
      sizeBytes: null,
      durationMs: null,
      error: null,
    };
    const entry = { record, recorder: null as Recorder | null };
    this.active.set(meetingId, entry); // held while the pipeline starts: a second start is refused
    try {
      this.gst ??= gstAvailable();
      if (!(await this.gst))
        throw new AppError('RECORDING_UNAVAILABLE', 'GStreamer (x264enc, avenc_aac) is not installed on the server', 503);
      await mkdir(this.settings.dir, { recursive: true, mode: 0o750 });
      entry.recorder = await Recorder.start(this.pathOf(record), this.settings, {
        openTap: () => room.openTap(),
        view: () => room.view(),
        logger: this.logger,
        // The room closing (the meeting ended, everyone left) ends the file as a stop would.
        onEnded: (reason) =>
          void this.finish(meetingId, reason === 'room-closed', reason === 'room-closed' ? null : 'the recorder stopped unexpectedly').then(
            (r) => r && room.ended(r),
          ),
      });
      // The file's time starts when its pipeline runs: so does the recording's, for everyone who sees it.
      const asked = record.startedAt;
      record.startedAt = this.now();
      this.repo.insert(record);
      this.logger.info({ meetingId, recordingId: id, startMs: record.startedAt - asked }, 'recording started');
      return record;
    } catch (e) {
      this.active.delete(meetingId);
      await entry.recorder?.stop().catch(() => undefined);
      if (e instanceof AppError) throw e;
      // Kept in the list: the chair asked for a recording and there is none.
      this.repo.insert({ ...record, state: 'failed', endedAt: this.now(), sizeBytes: 0, error: String(e) });
      this.logger.error({ err: e, meetingId }, 'recording did not start');
      throw new AppError('RECORDING_UNAVAILABLE', 'The recorder could not start', 503);
    }
  }

  async stop(meetingId: string): Promise<RecordingRecord> {
    const a = this.active.get(meetingId);
    if (!a?.recorder) throw new AppError('NOT_RECORDING', 'This meeting is not being recorded', 409);
    const done = await this.finish(meetingId, true, null);
    if (!done) throw new AppError('NOT_RECORDING', 'This meeting is not being recorded', 409);
    return done;
  }

  /** Stops every recording (server shutdown): their files are finalised. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((m) => this.finish(m, true, 'stopped with the server')));
  }

  private async finish(meetingId: string, onPurpose: boolean, note: string | null): Promise<RecordingRecord | null> {
    const a = this.active.get(meetingId);
    if (!a?.recorder) return null;
    this.active.delete(meetingId);
    // The recording ends when it is asked to: finalising the file after that adds nothing to it.
    const endedAt = this.now();
    const { exitCode, pipelineError } = await a.recorder.stop();
    this.logger.info({ meetingId, exitCode, stopMs: this.now() - endedAt }, 'recording pipeline stopped');
    const { sizeBytes, durationMs } = await this.measure(a.record);
    const state = finishedState(onPurpose && exitCode === 0, sizeBytes, durationMs);
    const error = [note, pipelineError].filter(Boolean).join('; ') || null;
    this.repo.finish(a.record.id, { endedAt, state, sizeBytes, durationMs, error });
    this.logger.info({ meetingId, recordingId: a.record.id, state, sizeBytes, durationMs }, 'recording ended');
    return { ...a.record, endedAt, state, sizeBytes, durationMs, error };
  }

  private async measure(r: RecordingRecord): Promise<{ sizeBytes: number; durationMs: number | null }> {
    const sizeBytes = await stat(this.pathOf(r)).then(
      (s) => s.size,
      () => 0,
    );
    return { sizeBytes, durationMs: sizeBytes > 0 ? await probeDurationMs(this.pathOf(r)) : null };
  }

  /** Rows a crash left "recording": closed with what their files hold. */
  async recover(): Promise<number> {
    const left = this.repo.inState('recording').filter((r) => !this.active.has(r.meetingId));
    for (const r of left) {
      const { sizeBytes, durationMs } = await this.measure(r);
      this.repo.finish(r.id, {
        endedAt: r.startedAt + (durationMs ?? 0),
        state: finishedState(false, sizeBytes, durationMs),
        sizeBytes,
        durationMs,
        error: 'the server stopped during the recording',
      });
    }
    return left.length;
  }

  /** Deletes the files past the retention period; returns how many. */
  async sweep(): Promise<number> {
    const expired = expiredRecordings(this.repo.withFiles(), this.now(), this.settings.retentionDays);
    for (const r of expired) await this.remove(r);
    return expired.length;
  }

  async remove(r: RecordingRecord): Promise<void> {
    if (r.state === 'recording') throw new AppError('RECORDING_IN_PROGRESS', 'Stop the recording first', 409);
    await unlink(this.pathOf(r)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    this.repo.markDeleted(r.id);
  }
}
