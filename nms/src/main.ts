// Composition root: the only reader of process.env. Starts with embedded defaults and no file.

import { resolve } from 'node:path';
import { createLogger, loadConfigOrExit, parseStartupArgs, placeholderProblem, redactConfig } from '@lienthong/kit';
import { firstLanAddress, httpsServerFactory, PortTakenError, prepareTls, serveHttps } from '@lienthong/kit/tls';
import { NmsConfigSchema, nmsDefaults } from './config/schema';
import { createNms } from './service';

const args = parseStartupArgs(process.argv.slice(2), process.env.LIENTHONG_NMS_CONFIG);
const config = loadConfigOrExit('nms', args, NmsConfigSchema, nmsDefaults);
const unset = placeholderProblem(config);
if (unset) {
  console.error(`nms: refusing to start: ${unset}`);
  process.exit(1);
}
const logger = createLogger({ service: 'nms', level: config.log.level });
logger.info({ config: redactConfig(NmsConfigSchema, config) }, 'starting nms');

const tls = await prepareTls(config.http.tls, { dataDir: resolve(config.dataDir) }).catch((e: Error) => {
  console.error(`nms: cannot start: HTTPS certificate: ${e.message}`);
  process.exit(1);
});
const nms = await createNms({ config, logger, serverFactory: httpsServerFactory(tls) }).catch((e: unknown) => {
  // A bad inventory file or an unusable data dir: say so plainly and stop.
  logger.fatal({ err: e }, 'nms cannot start');
  console.error(`nms: cannot start: ${(e as Error).message}`);
  process.exit(1);
});

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  await nms.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await serveHttps(nms.app, { service: 'nms', http: config.http, tls, logger, publicHost: firstLanAddress(), forBrowsers: false }).catch(
  async (e: Error) => {
    if (!(e instanceof PortTakenError)) throw e;
    console.error(`nms: cannot start: ${e.message}`);
    await nms.close();
    process.exit(1);
  },
);
