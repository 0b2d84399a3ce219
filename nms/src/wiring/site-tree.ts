// The site tree nms works with. sfu-server owns it: nms starts with the tree given (tests) or
// the one it last read (its store), else none, and takes each new one from the directory.
// Steps that need sites (demo agents, the inventory file) wait until a tree is known.
import type { SiteInfo } from '../domain/monitor';

export class SiteTree {
  private sites: SiteInfo[];
  private codeSet: Set<string>;
  private readonly listeners: ((sites: SiteInfo[]) => void)[] = [];
  private waiting: ((sites: SiteInfo[]) => void)[] = [];

  constructor(initial: SiteInfo[]) {
    this.sites = initial;
    this.codeSet = new Set(initial.map((s) => s.code));
  }

  get list(): SiteInfo[] {
    return this.sites;
  }
  get codes(): Set<string> {
    return this.codeSet;
  }
  get known(): boolean {
    return this.sites.length > 0;
  }

  /** Called with every new tree. */
  onChange(fn: (sites: SiteInfo[]) => void): void {
    this.listeners.push(fn);
  }

  /** Runs fn once: now if a tree is known, else with the first one. */
  whenKnown(fn: (sites: SiteInfo[]) => void): void {
    if (this.known) fn(this.sites);
    else this.waiting.push(fn);
  }

  set(next: SiteInfo[]): void {
    this.sites = next;
    this.codeSet = new Set(next.map((s) => s.code));
    for (const fn of this.listeners) fn(next);
    if (!this.known) return;
    const ready = this.waiting;
    this.waiting = [];
    for (const fn of ready) fn(next);
  }
}
