import { domainError } from '../../../test/support/domain-error.ts';
import { checkWebhookUrl, guardedLookup, isForbiddenAddress } from './webhook-address.ts';

describe('checkWebhookUrl', () => {
  test('takes an https URL and shows only a hint of its path (Teams and Slack URLs are credentials)', () => {
    expect(checkWebhookUrl(' https://hooks.example.org/services/T000/B000/XXXXsecret ', false)).toEqual({
      url: 'https://hooks.example.org/services/T000/B000/XXXXsecret',
      hint: 'https://hooks.example.org/…cret',
    });
    expect(checkWebhookUrl('http://10.1.2.3:8080/', false).hint).toBe('http://10.1.2.3:8080/');
  });

  test.each(['', 'ftp://example.org/x', 'not a url', 'https://example.org/x#frag', `https://example.org/${'x'.repeat(2000)}`])(
    'refuses %j as BAD_USER_INPUT on url',
    (url) => {
      let thrown: unknown;
      try {
        checkWebhookUrl(url, false);
      } catch (error) {
        thrown = error;
      }
      expect(domainError('BAD_USER_INPUT', undefined, 'url')(thrown)).toBe(true);
    },
  );

  test.each([
    'http://127.0.0.1:5432/',
    'http://localhost/',
    'http://api.localhost/',
    'http://[::1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fe80::1]/',
  ])('refuses %s (this host, cloud metadata) unless WEBHOOK_ALLOW_LOCAL=on', (url) => {
    expect(() => checkWebhookUrl(url, false)).toThrow(/must not point at this host or a link-local address/);
    expect(checkWebhookUrl(url, true).url).toBe(new URL(url).href);
  });
});

describe('the address guard on every connection', () => {
  test('knows the forbidden addresses and lets private networks through (an internal bus)', () => {
    for (const address of ['127.0.0.1', '127.8.9.1', '::1', '169.254.169.254', '::ffff:127.0.0.1', 'fe80::abcd']) {
      expect(isForbiddenAddress(address)).toBe(true);
    }
    for (const address of ['10.0.0.5', '192.168.1.10', '172.16.0.1', '93.184.216.34', '2001:db8::1']) {
      expect(isForbiddenAddress(address)).toBe(false);
    }
  });

  test('refuses a name that resolves to this host (DNS rebinding), and allows it with WEBHOOK_ALLOW_LOCAL=on', async () => {
    const resolve = (allowLocal: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((done) =>
        guardedLookup(allowLocal)('localhost', {}, (error, address) => done({ error, address })),
      );
    const refused = await resolve(false);
    expect(refused.error?.code).toBe('EWEBHOOKADDRESS');
    const allowed = await resolve(true);
    expect(allowed.error).toBeNull();
    expect(isForbiddenAddress(String(allowed.address))).toBe(true);
  });
});
