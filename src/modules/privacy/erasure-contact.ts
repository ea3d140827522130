/**
 * What an erasure runs at the last moment the member's personal data can be read, just before their key is destroyed:
 * whoever will answer the request keeps aside the address to answer it at (the notifications module provides it,
 * erasure-notices.ts there). A port declared here and provided there, so that privacy does not depend on notifications
 * at run time (notifications reads privacy's events, and moderation, which reads privacy, is read by notifications).
 */
export const KEEP_ERASURE_CONTACT = Symbol('KeepErasureContact');

export type KeepErasureContact = (memberId: string) => Promise<void>;
