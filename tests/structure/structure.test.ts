// The shape the architecture promises, checked on every run: which package may import which,
// no import cycles, domain code free of IO libraries, files and functions a newcomer can hold.
import { describe, expect, it } from 'vitest';
import { cycles, functionsOf, importsOf, type PackageName, resolveImport, sourceFiles } from './source-tree';

const files = sourceFiles();
const edges = new Map<string, string[]>();
const thirdParty = new Map<string, string[]>();
for (const f of files) {
  const specs = importsOf(f);
  edges.set(
    f.path,
    specs.map((s) => resolveImport(f.path, s)).filter((p): p is string => p !== null),
  );
  thirdParty.set(
    f.path,
    specs.filter((s) => resolveImport(f.path, s) === null),
  );
}

const pkgOf = (path: string) => path.split('/')[0] as PackageName;
const isProtocol = (path: string) => /^[a-z-]+\/src\/protocol\//.test(path) || path.startsWith('kit/src/contracts/');

/** Which packages each package may import from, and, where narrower, which of their files. */
function allowed(from: string, to: string): boolean {
  const a = pkgOf(from);
  const b = pkgOf(to);
  if (a === b || b === 'kit') return true;
  // web talks to the services only through their wire contracts
  return a === 'web' && (b === 'sfu-server' || b === 'nms') && isProtocol(to);
}

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;
/** Message catalogues: long by nature, one entry a line. */
const CATALOGUES = new Set(['web/src/lib/i18n/messages.ts']);
/** What domain code may not import: it stays plain TypeScript, unit-testable without IO. */
const IO_MODULES = /^(socket\.io|fastify|@fastify\/|mediasoup|net-snmp|better-sqlite3|node:(net|dgram|child_process|http|https))/;

describe('source structure', () => {
  it('reads the product source', () => {
    expect(files.length).toBeGreaterThan(100);
    for (const pkg of ['kit', 'sfu-server', 'nms', 'web']) expect(files.some((f) => f.pkg === pkg)).toBe(true);
  });

  it('has no import cycles', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('imports across packages only where the architecture allows', () => {
    const wrong = [...edges].flatMap(([from, tos]) => tos.filter((to) => !allowed(from, to)).map((to) => `${from} -> ${to}`));
    expect(wrong).toEqual([]);
  });

  it('keeps wire contracts free of server code', () => {
    const wrong = [...edges]
      .filter(([from]) => isProtocol(from))
      .flatMap(([from, tos]) => tos.filter((to) => !isProtocol(to) && !to.startsWith('kit/src/')).map((to) => `${from} -> ${to}`));
    expect(wrong).toEqual([]);
  });

  it('keeps domain code free of network, media and storage libraries', () => {
    const wrong = [...thirdParty]
      .filter(([from]) => from.includes('/src/domain/'))
      .flatMap(([from, specs]) => specs.filter((s) => IO_MODULES.test(s)).map((s) => `${from} imports ${s}`));
    expect(wrong).toEqual([]);
  });

  it(`has no source file over ${MAX_FILE_LINES} lines`, () => {
    const long = files.filter((f) => f.lines > MAX_FILE_LINES && !CATALOGUES.has(f.path)).map((f) => `${f.path}: ${f.lines}`);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files
      .flatMap(functionsOf)
      .filter((fn) => fn.lines > MAX_FUNCTION_LINES)
      .map((fn) => `${fn.file}:${fn.line} ${fn.name} (${fn.lines} lines)`);
    expect(long).toEqual([]);
  });
});
