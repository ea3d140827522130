import { createHash } from 'node:crypto';

/**
 * Namespace of this system's name-based event ids. Changing it changes every deterministic id, so a command
 * retried across the change would no longer be recognised as a retry: it must never change.
 */
export const EVENT_ID_NAMESPACE = 'bf420703-6ec1-4462-8bd0-570d7ee85704';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 version 5 (SHA-1, name-based) UUID. */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new TypeError(`namespace "${namespace}" is not a UUID`);
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the `index`-th event a command appends to a stream: the same command retried yields the same ids. */
export function deterministicEventId(commandId: string, streamId: string, index: number): string {
  return uuidV5(`${commandId}:${streamId}:${index}`, EVENT_ID_NAMESPACE);
}
