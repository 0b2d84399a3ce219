// What a bench result file records about where it came from.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

/** The commit measured, "+dirty" when the tree had uncommitted changes. */
export function commit(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    // Uncommitted changes: the figures are not those of that commit alone (diff-index writes nothing).
    try {
      execFileSync('git', ['diff-index', '--quiet', 'HEAD', '--']);
      return rev;
    } catch {
      return `${rev}+dirty`;
    }
  } catch {
    return 'unknown';
  }
}

/** The machine, with its load average at the end (other work skews CPU time). */
export function machine() {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadAverage: loadavg() };
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spreadOf(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}
