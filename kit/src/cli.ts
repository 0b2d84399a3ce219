// Shared start-up for services: `--config FILE`, `--check-config`.
import { parseArgs } from 'node:util';
import type { Static, TSchema } from 'typebox';
import { ConfigError, loadConfig, redactConfig } from './config';

export interface StartupArgs {
  configFile: string | undefined;
  checkOnly: boolean;
}

export function parseStartupArgs(argv: string[], envConfigFile: string | undefined): StartupArgs {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, 'check-config': { type: 'boolean' } },
    strict: true,
  });
  return { configFile: values.config ?? envConfigFile, checkOnly: values['check-config'] ?? false };
}

/** Loads the config or exits 1 with the reasons. With --check-config, exits 0 when valid. */
export function loadConfigOrExit<S extends TSchema>(service: string, args: StartupArgs, schema: S, defaults: Static<S>): Static<S> {
  try {
    const cfg = loadConfig({ schema, defaults, file: args.configFile });
    if (args.checkOnly) {
      console.log(`${service}: config OK (${args.configFile ?? 'embedded defaults'})`);
      console.log(JSON.stringify(redactConfig(schema, cfg), null, 2));
      process.exit(0);
    }
    return cfg;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`${service}: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
