import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@lienthong/kit';
import { generateKeyPair, SignJWT } from 'jose';
import { type NmsConfig, nmsDefaults } from '../src/config/schema';
import { staticKey } from '../src/http/auth';
import { createNms } from '../src/service';
import { TEST_SITES } from './fixtures/sites';

export async function sessionKeys() {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const token = (roles: string[], expSeconds = 3600, siteCode = 'TN') =>
    new SignJWT({ name: 'Test', siteId: 's1', siteCode, roles, sid: 'sid1' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('u1')
      .setIssuer('lienthong-sfu-server')
      .setAudience('lienthong')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
      .sign(privateKey);
  return { publicKey, privateKey, token };
}

export function testConfig(over: Partial<NmsConfig> = {}): NmsConfig {
  return {
    ...nmsDefaults,
    dataDir: mkdtempSync(join(tmpdir(), 'nms-test-')),
    log: { level: 'silent' },
    demo: { ...nmsDefaults.demo, enabled: false },
    sites: { ...nmsDefaults.sites, followSfuServer: false },
    traps: { ...nmsDefaults.traps, enabled: false },
    probes: { ...nmsDefaults.probes, enabled: false },
    ...over,
  };
}

export async function testNms(over: Partial<NmsConfig> = {}) {
  const keys = await sessionKeys();
  const config = testConfig(over);
  const nms = await createNms({
    config,
    logger: createLogger({ service: 'nms-test', level: 'silent' }),
    keys: staticKey(keys.publicKey),
    // Not following sfu-server: a fixed tree.
    ...(config.sites.followSfuServer ? {} : { sites: TEST_SITES }),
  });
  return { nms, keys, config };
}
