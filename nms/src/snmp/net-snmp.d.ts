// The parts of net-snmp 3.x this adapter uses (the package ships no types).
declare module 'net-snmp' {
  export interface Varbind {
    oid: string;
    type: number;
    value: unknown;
  }
  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: 'udp4' | 'udp6';
    trapPort?: number;
    version?: number;
    backwardsGetNexts?: boolean;
    reportOidMismatchErrors?: boolean;
    idBitsSize?: 16 | 32;
    context?: string;
    engineID?: string | Buffer;
  }
  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }
  export interface Session {
    get(oids: string[], cb: (error: Error | null, varbinds: Varbind[]) => void): void;
    getBulk(
      oids: string[],
      nonRepeaters: number,
      maxRepetitions: number,
      cb: (error: Error | null, varbinds: (Varbind | Varbind[])[]) => void,
    ): void;
    trap(typeOrOid: number | string, varbinds: Varbind[], cb: (error: Error | null) => void): void;
    inform(typeOrOid: number | string, varbinds: Varbind[], options: object, cb: (error: Error | null) => void): void;
    close(): void;
    on(event: 'error' | 'close', fn: (e?: Error) => void): void;
  }
  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
  export function isVarbindError(vb: Varbind): boolean;
  export function varbindError(vb: Varbind): string;

  export interface Authorizer {
    addCommunity(c: string): void;
    getCommunities(): string[];
    deleteCommunity(c: string): void;
    addUser(u: User): void;
    getUsers(): User[];
    deleteUser(name: string): void;
  }
  export interface TrapData {
    pdu: {
      type: number;
      id: number;
      varbinds: Varbind[];
      community?: string;
      user?: string;
      enterprise?: string;
      generic?: number;
      specific?: number;
    };
    rinfo: { address: string; port: number; family: string };
  }
  export interface Receiver {
    getAuthorizer(): Authorizer;
    close(cb?: () => void): void;
  }
  export interface ReceiverOptions {
    port: number;
    address?: string;
    transport?: 'udp4' | 'udp6';
    disableAuthorization?: boolean;
    includeAuthentication?: boolean;
    engineID?: string;
    accessControlModelType?: number;
  }
  export function createReceiver(options: ReceiverOptions, cb: (error: Error | null, data?: TrapData) => void): Receiver;

  export interface MibProvider {
    name: string;
    type: number;
    oid: string;
    scalarType?: number;
    maxAccess?: number;
    tableColumns?: { number: number; name: string; type: number; maxAccess?: number }[];
    tableIndex?: { columnName: string }[];
  }
  export interface Mib {
    setScalarValue(name: string, value: unknown): void;
    addTableRow(name: string, row: unknown[]): void;
    setTableSingleCell(name: string, column: number, rowIndex: number[], value: unknown): void;
    getTableSingleCell(name: string, column: number, rowIndex: number[]): unknown;
  }
  export interface Agent {
    getMib(): Mib;
    getAuthorizer(): Authorizer;
    registerProviders(p: MibProvider[]): void;
    close(cb?: () => void): void;
  }
  export function createAgent(
    options: { port: number; address?: string; disableAuthorization?: boolean; transport?: string },
    cb: (error: Error | null, data?: unknown) => void,
    mib?: unknown,
  ): Agent;

  export const Version1: number;
  export const Version2c: number;
  export const Version3: number;
  export const ObjectType: {
    Integer: number;
    OctetString: number;
    Counter: number;
    Counter64: number;
    TimeTicks: number;
    [k: string]: number;
  };
  export const PduType: Record<string, number>;
  export const MibProviderType: Record<string, number>;
  export const MaxAccess: Record<string, number>;
  export const SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
  export const AuthProtocols: { none: number; md5: number; sha: number; sha224: number; sha256: number; sha384: number; sha512: number };
  export const PrivProtocols: { none: number; des: number; aes: number; aes256b: number; aes256r: number };
  export const ErrorStatus: Record<string, number>;
  export const ResponseInvalidCode: Record<string, number>;
  export const TrapType: Record<string, number>;
  export class RequestTimedOutError extends Error {}
  export class RequestFailedError extends Error {
    status: number;
  }
  export class ResponseInvalidError extends Error {
    code: number;
  }
}
