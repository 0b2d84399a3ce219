// A network namespace with a veth pair to the host, made and removed by the test.
// The host side is HOST_IP, the namespace side NS_IP. Taking the host end down
// cuts that one site's network (this kernel has no sch_netem, so no tc netem).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sh = (args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

export interface TestNetns {
  name: string;
  hostIp: string;
  nsIp: string;
  hostDev: string;
  /** A chromium launcher that runs inside the namespace. */
  chromiumWrapper: string;
  cut(): void;
  restore(): void;
  /** Loads an nftables ruleset inside the namespace (its own firewall, as a site's would be); replaces the last one. */
  firewall(ruleset: string): void;
  /** Removes every nftables rule inside the namespace. */
  openFirewall(): void;
  remove(): void;
}

/**
 * An outbound firewall for the namespace: established traffic and loopback pass, and only `allow`
 * (nft match expressions, e.g. `ip daddr 10.0.0.1 tcp dport { 443, 5349 }`); everything else is dropped.
 */
export function outboundOnly(...allow: string[]): string {
  return [
    'table inet lt_site {',
    '  chain out {',
    '    type filter hook output priority 0; policy drop;',
    '    oif "lo" accept',
    '    ct state established,related accept',
    ...allow.map((a) => `    ${a} accept`),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A chromium launcher (launchChromium's executablePath) that runs the browser inside namespace `ns`. */
export function chromiumInNetns(ns: string): string {
  const wrapper = join(mkdtempSync(join(tmpdir(), 'lt-netns-')), 'chromium-in-netns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

export function createNetns(tag: string, subnet = 77): TestNetns {
  const name = `lt-${tag}`;
  const hostDev = `lth${subnet}`;
  const nsDev = `ltn${subnet}`;
  const hostIp = `10.213.${subnet}.1`;
  const nsIp = `10.213.${subnet}.2`;
  try {
    sh(['netns', 'del', name]);
  } catch {
    // not there
  }
  try {
    sh(['link', 'del', hostDev]);
  } catch {
    // not there
  }
  sh(['netns', 'add', name]);
  sh(['link', 'add', hostDev, 'type', 'veth', 'peer', 'name', nsDev]);
  sh(['link', 'set', nsDev, 'netns', name]);
  sh(['addr', 'add', `${hostIp}/24`, 'dev', hostDev]);
  sh(['link', 'set', hostDev, 'up']);
  sh(['netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/24`, 'dev', nsDev]);
  sh(['netns', 'exec', name, 'ip', 'link', 'set', nsDev, 'up']);
  sh(['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  sh(['netns', 'exec', name, 'ip', 'route', 'add', 'default', 'via', hostIp]);
  const chromiumWrapper = chromiumInNetns(name);
  return {
    name,
    hostIp,
    nsIp,
    hostDev,
    chromiumWrapper,
    cut() {
      sh(['link', 'set', hostDev, 'down']);
    },
    restore() {
      sh(['link', 'set', hostDev, 'up']);
    },
    firewall(ruleset: string) {
      execFileSync('ip', ['netns', 'exec', name, 'nft', '-f', '-'], {
        input: `flush ruleset\n${ruleset}`,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    },
    openFirewall() {
      execFileSync('ip', ['netns', 'exec', name, 'nft', 'flush', 'ruleset'], { stdio: 'pipe' });
    },
    remove() {
      try {
        sh(['link', 'del', hostDev]);
      } catch {
        // gone with the namespace
      }
      try {
        sh(['netns', 'del', name]);
      } catch {
        // already removed
      }
    },
  };
}
