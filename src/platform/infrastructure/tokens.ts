/** Injection tokens for values built before Nest starts (see main.ts and app.module.ts). */
export const EVENT_SOURCING = Symbol('EventSourcing');
export const APP_CONFIG = Symbol('AppConfig');
