export * from './privacy.decider.ts';
export * from './read-models/privacy.projection.ts';
export * from './privacy-requests.ts';
