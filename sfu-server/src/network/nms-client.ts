// Asks nms about the network under the sites of live meetings (POST /api/nms/meetings/network,
// kit's contract): the same call tells nms which sites are live, so it raises alerts on their paths.
// Signed with a short-lived service token; nms's certificate is verified against `ca`.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createParser } from '@lienthong/kit';
import type { SiteNetwork } from '@lienthong/kit/contracts';
import { SITES_NETWORK_PATH, SitesNetworkReply } from '@lienthong/kit/contracts';

const parser = createParser(SitesNetworkReply);
const TOKEN_TTL_S = 600;
const TIMEOUT_MS = 5000;
/** The largest answer read (a province's few hundred sites with their paths are far below). */
const MAX_REPLY_BYTES = 8 * 1024 * 1024;

/** `live` false: only asking (the sites are not in a meeting now). */
export type SiteNetworkSource = (siteCodes: string[], live?: boolean) => Promise<SiteNetwork[]>;

export type SignService = (roles: ['network_engineer'], ttlSeconds: number) => Promise<string>;

/** A service token for calls to nms, signed again when half its life is gone. */
export function serviceBearer(signService: SignService): () => Promise<string> {
  let token: { value: string; renewAt: number } | null = null;
  return async () => {
    if (!token || Date.now() >= token.renewAt)
      token = { value: await signService(['network_engineer'], TOKEN_TTL_S), renewAt: Date.now() + (TOKEN_TTL_S / 2) * 1000 };
    return token.value;
  };
}

export function nmsSiteNetwork(nmsUrl: string, signService: SignService, ca?: Buffer): SiteNetworkSource {
  const bearer = serviceBearer(signService);
  const url = new URL(SITES_NETWORK_PATH, nmsUrl);
  return async (siteCodes, live = true) => {
    const body = JSON.stringify({ sites: siteCodes, ...(live ? {} : { live: false }) });
    const { status, text } = await postJson(url, body, await bearer(), ca);
    if (status !== 200) throw new Error(`nms answered HTTP ${status}: ${text.slice(0, 200)}`);
    const parsed = parser.parse(JSON.parse(text));
    if (!parsed.ok) throw new Error(`nms's answer is not a site network reply: ${parsed.problems.slice(0, 3).join('; ')}`);
    return parsed.value.sites;
  };
}

export function postJson(url: URL, body: string, bearer: string, ca?: Buffer): Promise<{ status: number; text: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((done, fail) => {
    const req = send(
      url,
      {
        method: 'POST',
        timeout: TIMEOUT_MS,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${bearer}` },
        ...(ca ? { ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_REPLY_BYTES) req.destroy(new Error('nms answer too large'));
          else chunks.push(c);
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`nms did not answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', fail);
    req.end(body);
  });
}
