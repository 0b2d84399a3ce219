// Start-up guard: a value still holding a production sample's placeholder never starts; without demo data
// the seeded `admin` is the way in, so its initial password must not be one printed in this repository
// (embedded default, samples) nor short enough to guess; the room systems' media ports must hold
// their calls.
import { placeholderProblem } from '@lienthong/kit';
import { PORTS_PER_CALL } from '../sip/rtp-ports';
import { type SfuConfig, sfuDefaults } from './schema';

export const MIN_INITIAL_ADMIN_PASSWORD = 12;
/** Passwords published in the repository: the embedded default and the samples' placeholders. */
export const PUBLIC_ADMIN_PASSWORDS: readonly string[] = [
  sfuDefaults.auth.initialAdminPassword,
  'change-me-now',
  'REPLACE-with-a-long-random-password',
];

/** The one line to print when the config must not start a server, or null. */
export function productionStartProblem(config: Pick<SfuConfig, 'auth' | 'demo'> & Partial<SfuConfig>): string | null {
  const unset = placeholderProblem(config);
  if (unset) return unset;
  const sip = config.sip;
  if (sip?.enabled && sip.rtpPorts.max - sip.rtpPorts.min + 1 < PORTS_PER_CALL * sip.maxCalls)
    return `sip.rtpPorts (${sip.rtpPorts.min}-${sip.rtpPorts.max}) must hold ${PORTS_PER_CALL} ports for each of sip.maxCalls (${sip.maxCalls}): at least ${PORTS_PER_CALL * sip.maxCalls}`;
  if (config.demo.seed) return null;
  const pw = config.auth.initialAdminPassword;
  if (PUBLIC_ADMIN_PASSWORDS.includes(pw))
    return 'auth.initialAdminPassword is a published default; set your own (at least 12 characters, e.g. `openssl rand -base64 18`) in the config file';
  if (pw.length < MIN_INITIAL_ADMIN_PASSWORD)
    return `auth.initialAdminPassword is shorter than ${MIN_INITIAL_ADMIN_PASSWORD} characters; set a longer one (e.g. \`openssl rand -base64 18\`) in the config file`;
  return null;
}
