/** Injection tokens for values built before Nest starts (see main.ts and app.module.ts). */
export const EVENT_SOURCING = Symbol('EventSourcing');
export const APP_CONFIG = Symbol('AppConfig');
/** Every module's stream declarations (StreamDeclaration[]), from MODULES: provided by the composition root. */
export const GOVERNANCE_STREAMS = Symbol('GovernanceStreams');
