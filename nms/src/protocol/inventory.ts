// Inventory on the wire. Credentials are write-only: inputs carry them, views never do.
import Type, { type Static } from 'typebox';

export const DeviceRole = Type.Union([
  Type.Literal('router'),
  Type.Literal('switch'),
  Type.Literal('room_system'),
  Type.Literal('media_server'),
  Type.Literal('other'),
]);
export type DeviceRole = Static<typeof DeviceRole>;

export const AuthProtocol = Type.Union([
  Type.Literal('sha'),
  Type.Literal('sha224'),
  Type.Literal('sha256'),
  Type.Literal('sha384'),
  Type.Literal('sha512'),
]);
export const PrivProtocol = Type.Union([Type.Literal('aes128'), Type.Literal('aes256')]);

export const SnmpV2cCredentials = Type.Object(
  { version: Type.Literal('2c'), community: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export const SnmpV3Credentials = Type.Object(
  {
    version: Type.Literal('3'),
    user: Type.String({ minLength: 1, maxLength: 32 }),
    level: Type.Union([Type.Literal('authNoPriv'), Type.Literal('authPriv')]),
    authProtocol: AuthProtocol,
    authKey: Type.String({ minLength: 8, maxLength: 128 }),
    privProtocol: Type.Optional(PrivProtocol),
    privKey: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export const SnmpCredentials = Type.Union([SnmpV2cCredentials, SnmpV3Credentials]);
export type SnmpCredentials = Static<typeof SnmpCredentials>;

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

export const DeviceInput = Type.Object(
  {
    name: Code,
    siteCode: Type.String({ minLength: 1, maxLength: 64 }),
    role: DeviceRole,
    /** Management address (IPv4/IPv6/host name). */
    address: Type.String({ minLength: 1, maxLength: 255 }),
    snmpPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    /** Absent: not polled (ICMP probe only). */
    snmp: Type.Optional(SnmpCredentials),
    pollIntervalSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    probe: Type.Optional(Type.Boolean({ description: 'ICMP latency/loss probe to this device' })),
    demo: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type DeviceInput = Static<typeof DeviceInput>;

export const DevicePatch = Type.Partial(DeviceInput, { additionalProperties: false });
export type DevicePatch = Static<typeof DevicePatch>;

export const DeviceState = Type.Union([
  Type.Literal('unknown'),
  Type.Literal('up'),
  Type.Literal('unreachable'),
  /** SNMP times out but the device answers ping: a monitoring problem, not an outage. */
  Type.Literal('snmp_unreachable'),
  Type.Literal('error'),
  Type.Literal('not_polled'),
]);
export type DeviceState = Static<typeof DeviceState>;

export const InterfaceView = Type.Object({
  ifIndex: Type.Integer(),
  name: Type.String(),
  alias: Type.String(),
  adminUp: Type.Boolean(),
  operUp: Type.Boolean(),
  speedBps: Type.Number(),
  inBps: Type.Union([Type.Number(), Type.Null()]),
  outBps: Type.Union([Type.Number(), Type.Null()]),
  counterBits: Type.Union([Type.Literal(32), Type.Literal(64)]),
});
export type InterfaceView = Static<typeof InterfaceView>;

export const DeviceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  siteCode: Type.String(),
  role: DeviceRole,
  address: Type.String(),
  snmpPort: Type.Integer(),
  snmpVersion: Type.Union([Type.Literal('2c'), Type.Literal('3'), Type.Null()]),
  /** True when credentials are stored; the credentials themselves are never returned. */
  hasCredentials: Type.Boolean(),
  pollIntervalSeconds: Type.Integer(),
  timeoutMs: Type.Integer(),
  retries: Type.Integer(),
  probe: Type.Boolean(),
  demo: Type.Boolean(),
  status: Type.Object({
    state: DeviceState,
    errorCode: Type.Union([Type.String(), Type.Null()]),
    errorMessage: Type.Union([Type.String(), Type.Null()]),
    lastPollAt: Type.Union([Type.String(), Type.Null()]),
    sysName: Type.Union([Type.String(), Type.Null()]),
    sysDescr: Type.Union([Type.String(), Type.Null()]),
    uptimeSeconds: Type.Union([Type.Number(), Type.Null()]),
    cpuLoadPercent: Type.Union([Type.Number(), Type.Null()]),
    memoryUsedRatio: Type.Union([Type.Number(), Type.Null()]),
    rttMs: Type.Union([Type.Number(), Type.Null()]),
    lossRatio: Type.Union([Type.Number(), Type.Null()]),
  }),
  interfaces: Type.Array(InterfaceView),
});
export type DeviceView = Static<typeof DeviceView>;

export const LinkEnd = Type.Object(
  {
    siteCode: Type.String({ minLength: 1 }),
    /** Device name at this end (optional for the upstream end). */
    device: Type.Optional(Type.String({ minLength: 1 })),
    /** Interface name (ifName, else ifDescr): stable across ifIndex renumbering. */
    interface: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type LinkEnd = Static<typeof LinkEnd>;

export const LinkInput = Type.Object(
  {
    name: Code,
    /** The site further from the province. */
    downstream: LinkEnd,
    /** Its parent site, towards the province. */
    upstream: LinkEnd,
    speedBps: Type.Integer({ minimum: 1 }),
    role: Type.Union([Type.Literal('primary'), Type.Literal('backup')]),
    demo: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type LinkInput = Static<typeof LinkInput>;
export const LinkPatch = Type.Partial(LinkInput, { additionalProperties: false });
export type LinkPatch = Static<typeof LinkPatch>;

export const ImportBody = Type.Object(
  {
    format: Type.Union([Type.Literal('yaml'), Type.Literal('json')]),
    /** File content: { devices: DeviceInput[], links: LinkInput[] }. */
    content: Type.String({ maxLength: 2_000_000 }),
  },
  { additionalProperties: false },
);
export type ImportBody = Static<typeof ImportBody>;

export const ImportFile = Type.Object(
  {
    devices: Type.Optional(Type.Array(DeviceInput, { maxItems: 10_000 })),
    links: Type.Optional(Type.Array(LinkInput, { maxItems: 10_000 })),
  },
  { additionalProperties: false },
);
export type ImportFile = Static<typeof ImportFile>;

export const ImportResult = Type.Object({
  ok: Type.Literal(true),
  devices: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
  links: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
});
export type ImportResult = Static<typeof ImportResult>;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
