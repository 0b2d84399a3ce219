// Reads the product's source tree (not tests) as the structure tests see it: files, their
// imports resolved to files, and their functions with line spans. TypeScript's own parser.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(import.meta.dirname, '../..');
/** Top-level folders whose src/ is product code; each is one workspace package. */
export const PACKAGES = ['kit', 'sfu-server', 'nms', 'web'] as const;
export type PackageName = (typeof PACKAGES)[number];

export interface SourceFile {
  path: string; // relative to ROOT
  pkg: PackageName;
  text: string;
  lines: number;
}

const SOURCE = /\.(ts|svelte|mjs)$/;

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
}

export function sourceFiles(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const pkg of PACKAGES) {
    const found: string[] = [];
    walk(join(ROOT, pkg, 'src'), found);
    for (const abs of found) {
      const text = readFileSync(abs, 'utf8');
      files.push({ path: relative(ROOT, abs), pkg, text, lines: text.split('\n').length });
    }
  }
  return files;
}

/** The script of a .svelte file (what holds its logic), or the file itself. */
export function scriptOf(f: SourceFile): string {
  if (!f.path.endsWith('.svelte')) return f.text;
  return [...f.text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

function packageExports(pkg: string): Record<string, string> {
  const json = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as { exports?: Record<string, string> };
  return json.exports ?? {};
}

const EXTENSIONS = ['', '.ts', '.svelte.ts', '/index.ts'];

/** The file an import specifier names, or null for a third-party package. */
export function resolveImport(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith('.')) {
    base = join(dirname(join(ROOT, from)), spec);
  } else {
    const m = spec.match(/^@lienthong\/([a-z-]+)(\/.*)?$/);
    if (!m) return null;
    const target = packageExports(m[1]!)[`.${m[2] ?? ''}`];
    if (!target) throw new Error(`${from}: ${spec} is not exported by ${m[1]}/package.json`);
    base = join(ROOT, m[1]!, target);
  }
  for (const ext of EXTENSIONS) {
    const p = base + ext;
    if (existsSync(p) && statSync(p).isFile()) return relative(ROOT, p);
  }
  throw new Error(`${from}: cannot resolve ${spec}`);
}

export function importsOf(f: SourceFile): string[] {
  return ts.preProcessFile(scriptOf(f), true, true).importedFiles.map((i) => i.fileName);
}

/** Strongly connected groups of more than one file (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

export interface FunctionSpan {
  file: string;
  name: string;
  line: number;
  lines: number;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) return parent.name.getText(sf);
  return '(anonymous)';
}

export function functionsOf(f: SourceFile): FunctionSpan[] {
  const sf = ts.createSourceFile(f.path, scriptOf(f), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: FunctionSpan[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file: f.path, name: nameOf(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}
