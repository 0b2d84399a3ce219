// The secret sfu-server shares with coturn: configured, or generated once into dataDir (0600).
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TURN_SECRET_FILE = 'turn-secret';

export function loadOrCreateTurnSecret(dataDir: string, configured: string): string {
  if (configured) return configured;
  const path = join(dataDir, TURN_SECRET_FILE);
  try {
    writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 16) throw new Error(`${path}: the TURN secret is too short; delete the file to generate a new one`);
  return secret;
}
