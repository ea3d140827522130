import http from 'node:http';
import https from 'node:https';
import { guardedLookup } from './webhook-address.ts';

/** One webhook request: the URL, the signed headers and the body as signed. */
export interface OutgoingWebhook {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Posts one webhook; resolves when the receiver answered 2xx, throws with what went wrong otherwise. */
export type WebhookPoster = (request: OutgoingWebhook) => Promise<void>;

/** A receiver that takes longer than this is taken to have failed (the attempt is retried, with the same webhook-id). */
const TIMEOUT_MS = 10_000;

/**
 * Plain node:http(s), kept alive (a busy receiver is sent hundreds of requests a second), resolving hosts through the
 * address guard (webhook-address.ts). Redirects are not followed: a 3xx is a failure, as the specification's
 * receivers answer 2xx.
 */
export function httpWebhookPoster(options: { readonly allowLocal: boolean; readonly maxSockets?: number }): WebhookPoster {
  const lookup = guardedLookup(options.allowLocal);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, lookup };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  return (request) =>
    new Promise<void>((resolve, reject) => {
      const url = new URL(request.url);
      const transport = url.protocol === 'https:' ? https : http;
      const outgoing = transport.request(
        url,
        {
          method: 'POST',
          agent: agents[url.protocol as 'http:' | 'https:'],
          headers: { 'content-type': 'application/json', 'user-agent': 'governance-webhooks/1', ...request.headers },
          timeout: TIMEOUT_MS,
        },
        (response) => {
          response.resume(); // the body is not read, but must be drained for the socket to be reused
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`the receiver answered HTTP ${status}`));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`the receiver did not answer within ${TIMEOUT_MS / 1000} s`)));
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
}
