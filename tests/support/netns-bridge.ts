// A TCP port on this host's loopback that reaches a loopback port inside a network namespace, through
// a Unix socket (the file system is shared, the network is not). The test process needs no route into
// the namespace and sends nothing over its links; the server sees a loopback client, as an operator's
// curl on that machine would be.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface NetnsBridge {
  /** The loopback port on this host. */
  port: number;
  close(): void;
}

// Runs inside the namespace: each connection to the socket is joined to 127.0.0.1:<port> there.
const FORWARDER = `
const net = require('node:net');
const [sock, port] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(Number(port), '127.0.0.1');
  const end = () => { c.destroy(); u.destroy(); };
  for (const s of [c, u]) { s.on('error', end); s.on('close', end); }
  c.pipe(u).pipe(c);
}).listen(sock, () => console.log('ready'));
`;

function pipeBoth(a: Socket, b: Socket): void {
  const end = () => {
    a.destroy();
    b.destroy();
  };
  for (const s of [a, b]) {
    s.on('error', end);
    s.on('close', end);
  }
  a.pipe(b).pipe(a);
}

export async function bridgeIntoNetns(ns: string, port: number): Promise<NetnsBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-bridge-'));
  const sock = join(dir, 'b.sock');
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', FORWARDER, sock, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bridge into ${ns} exited ${code}`)));
    createInterface({ input: child.stdout! }).once('line', () => resolve());
  });
  const server: Server = createServer((c) => pipeBoth(c, connect(sock)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close() {
      server.close();
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
