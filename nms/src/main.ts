// Composition root: the only reader of process.env. Starts with embedded defaults and no file.
import { createLogger, loadConfigOrExit, parseStartupArgs, redactConfig } from '@lienthong/kit';
import { NmsConfigSchema, nmsDefaults } from './config/schema';
import { createNms } from './service';

const args = parseStartupArgs(process.argv.slice(2), process.env.LIENTHONG_NMS_CONFIG);
const config = loadConfigOrExit('nms', args, NmsConfigSchema, nmsDefaults);
const logger = createLogger({ service: 'nms', level: config.log.level });
logger.info({ config: redactConfig(NmsConfigSchema, config) }, 'starting nms');

const nms = await createNms({ config, logger }).catch((e: unknown) => {
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

await nms.app.listen({ host: config.http.host, port: config.http.port });
logger.info(`nms listening on http://${config.http.host}:${config.http.port}`);
