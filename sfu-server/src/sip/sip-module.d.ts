// The parts of npm `sip` (kirm/sip.js) used here: message parsing and printing. Transactions and
// the UDP socket are ours (its transport throws out of the socket's callback on a malformed packet).
declare module 'sip' {
  export interface SipUri {
    schema?: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params: Record<string, string | null>;
    headers: Record<string, string>;
  }
  export interface NameAddr {
    name?: string;
    uri: string;
    params: Record<string, string | null | undefined>;
  }
  export interface Via {
    version: string;
    protocol: string;
    host: string;
    port?: number;
    params: Record<string, string | number | null | undefined>;
  }
  export interface SipHeaders {
    via: Via[];
    to: NameAddr;
    from: NameAddr;
    'call-id': string;
    cseq: { seq: number; method: string };
    contact?: NameAddr[] | string;
    [name: string]: unknown;
  }
  export interface SipMessage {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    version: string;
    headers: SipHeaders;
    content?: string;
  }
  export function parse(data: string | Buffer): SipMessage | undefined;
  export function stringify(m: SipMessage): string;
  export function parseUri(s: string): SipUri | undefined;
  export function makeResponse(
    rq: SipMessage,
    status: number,
    reason: string,
    ext?: { headers?: Record<string, unknown>; content?: string },
  ): SipMessage;
  export function generateBranch(): string;
}
