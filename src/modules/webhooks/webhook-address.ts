import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { badInput } from '../../platform/shared/domain-error.ts';
import { MAX_WEBHOOK_URL_LENGTH } from './webhook.decider.ts';

/**
 * Where the service may send a webhook. A registered URL makes the service send requests on a community manager's
 * behalf, so it must not reach what only the service can reach: its own host (loopback, where the database or an
 * admin port may listen) and link-local addresses (a cloud's metadata service at 169.254.169.254 hands out
 * credentials). Private networks stay allowed: an internal bus is one of the receivers this is for.
 * WEBHOOK_ALLOW_LOCAL=on lifts the rule (a receiver on the same host, as in the tests).
 *
 * The rule is checked when the URL is registered (a literal address) and again on every connection, on the address
 * DNS gave: a name that resolves to a forbidden address later (DNS rebinding) is refused too.
 */
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('127.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('0.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addAddress('::1', 'ipv6');
FORBIDDEN.addAddress('::', 'ipv6');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
// IPv4 written as IPv6 (::ffff:127.0.0.1) reaches the same host.
FORBIDDEN.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
FORBIDDEN.addSubnet('::ffff:169.254.0.0', 112, 'ipv6');
FORBIDDEN.addSubnet('::ffff:0.0.0.0', 104, 'ipv6');

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL checked for registering (BAD_USER_INPUT on `url`), and the hint the API shows of it. */
export function checkWebhookUrl(raw: string, allowLocal: boolean): { url: string; hint: string } {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text.length === 0 || text.length > MAX_WEBHOOK_URL_LENGTH) {
    throw badInput(`url must be 1 to ${MAX_WEBHOOK_URL_LENGTH} characters`, { field: 'url' });
  }
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw badInput('url must be an http or https URL, e.g. https://hooks.example.org/governance', { field: 'url' });
  }
  if (url.hash) throw badInput('url must not have a #fragment (it is never sent)', { field: 'url' });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowLocal && (isForbiddenAddress(host) || host === 'localhost' || host.endsWith('.localhost'))) {
    throw badInput(
      'url must not point at this host or a link-local address (cloud metadata); WEBHOOK_ALLOW_LOCAL=on allows it for a receiver on the same host',
      { field: 'url' },
    );
  }
  return { url: url.href, hint: hintOf(url) };
}

/** Scheme, host, port and the path's last four characters: enough to recognise, not enough to call (Teams, Slack). */
export function hintOf(url: URL): string {
  const path = url.pathname.length > 1 ? `/…${url.pathname.slice(-4)}` : '/';
  return `${url.protocol}//${url.host}${path}`;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, refusing a forbidden address: what every webhook connection resolves its host through. */
export function guardedLookup(allowLocal: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const refused = allowLocal ? undefined : list.find((entry) => isForbiddenAddress(entry.address));
      if (refused) {
        const denied: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${refused.address}, which webhooks may not reach`);
        denied.code = 'EWEBHOOKADDRESS';
        return callback(denied, []);
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
