// Meeting recordings: the list and the files, for the chair, the host site, administrators and the
// host's operators (as the attendance); an administrator may delete a file before its retention ends.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AppError } from '@lienthong/kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core';
import type { RecordingRecord } from '../../domain/recording/recordings';
import type { Actor } from '../../domain/shared';
import type { RecordingView } from '../../protocol';
import type { RecordingService } from '../../recording/recording-service';
import { meetingOfOps } from './attendance';
import type { SfuHandlers } from './context';

export interface RecordingSource {
  service: RecordingService;
  retentionDays: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const view = (r: RecordingRecord): RecordingView => ({
  id: r.id,
  meetingId: r.meetingId,
  startedAt: new Date(r.startedAt).toISOString(),
  endedAt: iso(r.endedAt),
  startedByName: r.startedByName,
  state: r.state,
  durationMs: r.durationMs,
  sizeBytes: r.sizeBytes,
  playable: (r.state === 'done' || r.state === 'interrupted') && (r.sizeBytes ?? 0) > 0,
  error: r.error,
});

/** Byte range asked for (one range; `bytes=a-b`, `bytes=a-`, `bytes=-n`); null: the whole file. */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  const start = m[1] === '' ? Math.max(0, size - Number(m[2])) : Number(m[1]);
  const end = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start > end || start >= size ? 'unsatisfiable' : { start, end };
}

async function sendMp4(req: FastifyRequest, reply: FastifyReply, path: string, name: string, download: boolean): Promise<FastifyReply> {
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw new AppError('RECORDING_GONE', 'The file of this recording is no longer on the server', 410);
    },
  );
  const range = byteRange(req.headers.range, size);
  reply.header('accept-ranges', 'bytes').header('cache-control', 'private, no-store');
  reply.header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="${name}"`);
  if (range === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${size}`).send();
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
  reply.header('content-length', String(end - start + 1));
  return reply.send(createReadStream(path, { start, end }));
}

export function recordingHandlers(core: Core, source: RecordingSource | undefined): SfuHandlers<'recordings'> {
  const recordingOf = (actor: Actor, id: string): RecordingRecord => {
    const r = source?.service.repo.get(id);
    if (!r) throw new AppError('RECORDING_NOT_FOUND', 'No such recording', 404);
    meetingOfOps(core, actor, r.meetingId);
    return r;
  };
  return {
    'recordings.list': ({ params, caller }) => {
      meetingOfOps(core, caller.actor, params.id);
      const list = source?.service.repo.ofMeeting(params.id) ?? [];
      return { ok: true, recordings: list.map(view), retentionDays: source?.retentionDays ?? 0, enabled: source !== undefined };
    },
    'recordings.file': async ({ params, query, caller, req, reply }) => {
      const r = recordingOf(caller.actor, params.id);
      if (!view(r).playable) throw new AppError('RECORDING_NOT_PLAYABLE', `This recording has no file to play (${r.state})`, 409);
      const day = new Date(r.startedAt).toISOString().slice(0, 10);
      await sendMp4(req, reply, source!.service.pathOf(r), `ghi-hinh-${day}-${r.id.slice(0, 8)}.mp4`, query.download === true);
      return reply as unknown as string;
    },
    'recordings.delete': async ({ params, caller }) => {
      const r = recordingOf(caller.actor, params.id);
      await source!.service.remove(r);
      return { ok: true };
    },
  };
}
