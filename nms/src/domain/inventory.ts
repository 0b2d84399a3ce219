// Inventory: devices attached to sites and links between a site and its parent.
// Checks references (known sites, existing devices) before anything is stored.

import { IsIPv4, IsIPv6 } from 'typebox/format';
import type {
  DeviceInput,
  DevicePatch,
  DeviceRole,
  ImportFile,
  LinkEnd,
  LinkInput,
  LinkPatch,
  SnmpCredentials,
} from '../protocol/inventory';
import { DomainError as AppError } from './errors';

const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** An IP address, or a DNS name whose last label is not all digits (so 10.0.0.300 is refused). */
export function isManagementAddress(a: string): boolean {
  if (IsIPv4(a) || IsIPv6(a)) return true;
  if (a.length > 253) return false;
  const labels = a.replace(/\.$/, '').split('.');
  return labels.every((l) => HOST_LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

export interface Device {
  id: string;
  name: string;
  siteCode: string;
  role: DeviceRole;
  address: string;
  snmpPort: number;
  snmp: SnmpCredentials | null;
  pollIntervalSeconds: number;
  timeoutMs: number;
  retries: number;
  probe: boolean;
  demo: boolean;
}

export interface Link {
  id: string;
  name: string;
  downstream: LinkEnd;
  upstream: LinkEnd;
  speedBps: number;
  role: 'primary' | 'backup';
  demo: boolean;
}

export interface InventoryStore {
  listDevices(): Device[];
  listLinks(): Link[];
  saveDevice(d: Device): void;
  deleteDevice(id: string): void;
  saveLink(l: Link): void;
  deleteLink(id: string): void;
  transaction<T>(fn: () => T): T;
}

export interface DeviceDefaults {
  pollIntervalSeconds: number;
  timeoutMs: number;
  retries: number;
}

export type InventoryChange = { type: 'device'; id: string } | { type: 'link'; id: string } | { type: 'bulk' };

export class Inventory {
  private readonly listeners: ((c: InventoryChange) => void)[] = [];

  constructor(
    private readonly store: InventoryStore,
    private readonly siteCodes: () => Set<string>,
    private readonly defaults: DeviceDefaults,
    private readonly newId: () => string,
  ) {}

  onChange(fn: (c: InventoryChange) => void): void {
    this.listeners.push(fn);
  }
  private emit(c: InventoryChange): void {
    for (const l of this.listeners) l(c);
  }

  devices(): Device[] {
    return this.store.listDevices();
  }
  links(): Link[] {
    return this.store.listLinks();
  }
  device(id: string): Device {
    const d = this.devices().find((x) => x.id === id);
    if (!d) throw new AppError('NOT_FOUND', `No device ${id}`, 404);
    return d;
  }
  link(id: string): Link {
    const l = this.links().find((x) => x.id === id);
    if (!l) throw new AppError('NOT_FOUND', `No link ${id}`, 404);
    return l;
  }

  createDevice(input: DeviceInput): Device {
    const d = this.buildDevice(this.newId(), input, byName(this.devices()), this.siteCodes());
    this.store.saveDevice(d);
    this.emit({ type: 'device', id: d.id });
    return d;
  }

  updateDevice(id: string, patch: DevicePatch): Device {
    const cur = this.device(id);
    const merged: DeviceInput = { ...toInput(cur), ...patch };
    const d = this.buildDevice(id, merged, byName(this.devices()), this.siteCodes());
    this.store.transaction(() => {
      this.store.saveDevice(d);
      if (d.name !== cur.name) {
        for (const l of this.links()) if (usesDevice(l, cur.name)) this.store.saveLink(renameDevice(l, cur.name, d.name));
      }
    });
    this.emit({ type: 'device', id });
    return d;
  }

  deleteDevice(id: string): void {
    const d = this.device(id);
    const used = this.links().filter((l) => usesDevice(l, d.name));
    if (used.length > 0) throw new AppError('CONFLICT', `Device ${d.name} is used by link(s) ${used.map((l) => l.name).join(', ')}`, 409);
    this.store.deleteDevice(id);
    this.emit({ type: 'device', id });
  }

  createLink(input: LinkInput): Link {
    const l = this.buildLink(this.newId(), input, byName(this.devices()), byName(this.links()), this.siteCodes());
    this.store.saveLink(l);
    this.emit({ type: 'link', id: l.id });
    return l;
  }

  updateLink(id: string, patch: LinkPatch): Link {
    const cur = this.link(id);
    const l = this.buildLink(id, { ...toLinkInput(cur), ...patch }, byName(this.devices()), byName(this.links()), this.siteCodes());
    this.store.saveLink(l);
    this.emit({ type: 'link', id });
    return l;
  }

  deleteLink(id: string): void {
    this.link(id);
    this.store.deleteLink(id);
    this.emit({ type: 'link', id });
  }

  /** Upserts by name, all or nothing. */
  import(file: ImportFile): { devices: { created: number; updated: number }; links: { created: number; updated: number } } {
    const res = { devices: { created: 0, updated: 0 }, links: { created: 0, updated: 0 } };
    const devices = byName(this.devices());
    const links = byName(this.links());
    const sites = this.siteCodes();
    const newDevices: Device[] = [];
    const problems: string[] = [];
    const names = new Set<string>();
    for (const [i, input] of (file.devices ?? []).entries()) {
      if (names.has(input.name)) problems.push(`/devices/${i}: duplicate name ${input.name}`);
      names.add(input.name);
      // A stored device of the same name is this row's: it keeps its id.
      const existing = devices.get(input.name);
      try {
        newDevices.push(this.buildDevice(existing?.id ?? this.newId(), input, devices, sites));
        existing ? res.devices.updated++ : res.devices.created++;
      } catch (e) {
        problems.push(`/devices/${i}: ${(e as Error).message}`);
      }
    }
    const allDevices = new Map(devices);
    for (const d of newDevices) allDevices.set(d.name, d);
    const newLinks: Link[] = [];
    const linkNames = new Set<string>();
    for (const [i, input] of (file.links ?? []).entries()) {
      if (linkNames.has(input.name)) problems.push(`/links/${i}: duplicate name ${input.name}`);
      linkNames.add(input.name);
      const existing = links.get(input.name);
      try {
        newLinks.push(this.buildLink(existing?.id ?? this.newId(), input, allDevices, links, sites));
        existing ? res.links.updated++ : res.links.created++;
      } catch (e) {
        problems.push(`/links/${i}: ${(e as Error).message}`);
      }
    }
    if (problems.length > 0) throw new AppError('IMPORT_INVALID', `Import refused: ${problems.length} problem(s)`, 400, { problems });
    this.store.transaction(() => {
      for (const d of newDevices) this.store.saveDevice(d);
      for (const l of newLinks) this.store.saveLink(l);
    });
    this.emit({ type: 'bulk' });
    return res;
  }

  private buildDevice(id: string, input: DeviceInput, devices: ReadonlyMap<string, Device>, sites: Set<string>): Device {
    if (!sites.has(input.siteCode)) throw new AppError('UNKNOWN_SITE', `No site ${input.siteCode}`, 400);
    const named = devices.get(input.name);
    if (named && named.id !== id) throw new AppError('CONFLICT', `Device name ${input.name} is taken`, 409);
    if (!isManagementAddress(input.address))
      throw new AppError('BAD_REQUEST', `address: ${JSON.stringify(input.address)} is not an IPv4/IPv6 address or a host name`, 400);
    if (input.snmp?.version === '3' && input.snmp.level === 'authPriv' && (!input.snmp.privKey || !input.snmp.privProtocol)) {
      throw new AppError('BAD_REQUEST', 'SNMPv3 authPriv needs privProtocol and privKey', 400);
    }
    return {
      id,
      name: input.name,
      siteCode: input.siteCode,
      role: input.role,
      address: input.address,
      snmpPort: input.snmpPort ?? 161,
      snmp: input.snmp ?? null,
      pollIntervalSeconds: input.pollIntervalSeconds ?? this.defaults.pollIntervalSeconds,
      timeoutMs: input.timeoutMs ?? this.defaults.timeoutMs,
      retries: input.retries ?? this.defaults.retries,
      probe: input.probe ?? true,
      demo: input.demo ?? false,
    };
  }

  private buildLink(
    id: string,
    input: LinkInput,
    devices: ReadonlyMap<string, Device>,
    links: ReadonlyMap<string, Link>,
    sites: Set<string>,
  ): Link {
    for (const [label, end] of [
      ['downstream', input.downstream],
      ['upstream', input.upstream],
    ] as const) {
      if (!sites.has(end.siteCode)) throw new AppError('UNKNOWN_SITE', `${label}: no site ${end.siteCode}`, 400);
      if (end.device !== undefined) {
        const d = devices.get(end.device);
        if (!d) throw new AppError('UNKNOWN_DEVICE', `${label}: no device ${end.device}`, 400);
        if (d.siteCode !== end.siteCode)
          throw new AppError('BAD_REQUEST', `${label}: device ${end.device} is at ${d.siteCode}, not ${end.siteCode}`, 400);
      } else if (end.interface !== undefined) throw new AppError('BAD_REQUEST', `${label}: interface given without device`, 400);
    }
    if (input.downstream.siteCode === input.upstream.siteCode) throw new AppError('BAD_REQUEST', 'A link joins two different sites', 400);
    const named = links.get(input.name);
    if (named && named.id !== id) throw new AppError('CONFLICT', `Link name ${input.name} is taken`, 409);
    return {
      id,
      name: input.name,
      downstream: input.downstream,
      upstream: input.upstream,
      speedBps: input.speedBps,
      role: input.role,
      demo: input.demo ?? false,
    };
  }
}

/** Names are unique among devices and among links (the store and every write keep them so). */
function byName<T extends { name: string }>(xs: T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.name, x]));
}

function toInput(d: Device): DeviceInput {
  const { id: _id, snmp, ...rest } = d;
  return snmp ? { ...rest, snmp } : rest;
}
function toLinkInput(l: Link): LinkInput {
  const { id: _id, ...rest } = l;
  return rest;
}
function usesDevice(l: Link, name: string): boolean {
  return l.downstream.device === name || l.upstream.device === name;
}
function renameDevice(l: Link, from: string, to: string): Link {
  const fix = (e: LinkEnd): LinkEnd => (e.device === from ? { ...e, device: to } : e);
  return { ...l, downstream: fix(l.downstream), upstream: fix(l.upstream) };
}
