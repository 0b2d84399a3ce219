// baresip as a meeting-room codec (H.264 from its test-pattern source, G.711/G.722/Opus), for tests
// and benches: it dials a meeting or waits to be called, and answers commands on ctrl_tcp.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './browser';
import { freeUdpPort } from './sip';

/** A talker: 0.6 s of tone every 1.3 s (a steady tone is background noise to speaker detection). */
export function speechLike(file: string): void {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=500:sample_rate=48000:duration=120',
    '-af',
    "volume='if(lt(mod(t,1.3),0.6),0.8,0.0)':eval=frame",
    '-ac',
    '1',
    '-c:a',
    'pcm_s16le',
    file,
  ]);
}

/** A baresip room system: its own config folder, a SIP port, H.264 and the audio codec asked for. */
export async function baresip(
  speech: string,
  dir: string,
  sipUser: string,
  audioCodec: string,
  /** Whom it calls; null: it waits for a call and answers it. */
  dial: string | null,
  port?: number,
  /** What its camera sends (default 640x360). */
  videoSize = '640x360',
  /** Media encryption it insists on (baresip's mediaenc, e.g. srtp-mand: SDES over RTP/SAVP). */
  mediaenc?: string,
): Promise<{ proc: ChildProcess; output: () => string; port: number; ctrl: number }> {
  port ??= await freeUdpPort();
  const ctrl = await freeTcpPort();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${port}`,
      'net_interface 127.0.0.1',
      `audio_source aufile,${speech}`,
      'ausrc_srate 48000',
      'ausrc_channels 1',
      'auplay_srate 48000',
      'audio_player aufile,/dev/null',
      `snd_path ${dir}`,
      'video_source fakevideo,nil',
      'video_display fakevideo,nil',
      `video_size ${videoSize}`,
      'video_bitrate 600000',
      'video_fps 25',
      'rtp_stats yes',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module g722.so',
      'module opus.so',
      'module avcodec.so',
      'module aufile.so',
      'module sndfile.so',
      'module fakevideo.so',
      'module snapshot.so',
      'module srtp.so',
      'module_app account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${ctrl}`,
      '',
    ].join('\n'),
  );
  const answer = dial === null ? ';answermode=auto' : '';
  writeFileSync(
    join(dir, 'accounts'),
    `<sip:${sipUser}@127.0.0.1>;regint=0${answer};audio_codecs=${audioCodec};video_codecs=H264${mediaenc ? `;mediaenc=${mediaenc}` : ''}\n`,
  );
  let out = '';
  const proc = spawn('baresip', ['-f', dir, ...(dial ? ['-e', `/dial ${dial}`] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await waitFor(
    async () => out.includes('baresip is ready'),
    (ok) => ok,
    15_000,
    'baresip ready',
  );
  return { proc, output: () => out, port, ctrl };
}

export async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A command to baresip's ctrl_tcp (netstring-framed JSON); resolves with its answer. */
export async function baresipCommand(port: number, command: string, params: string): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  const json = JSON.stringify({ command, params, token: '1' });
  sock.write(`${Buffer.byteLength(json)}:${json},`);
  const answer = await new Promise<string>((resolve) => {
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('"response"')) resolve(got);
    });
    setTimeout(() => resolve(got), 5000);
  });
  sock.destroy();
  return answer;
}
