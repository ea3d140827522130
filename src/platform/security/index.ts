export { applyHttpSecurity } from './http-security.ts';
export { NO_INTROSPECTION, PARSE_OPTIONS, QUERY_LIMITS, limitRules } from './query-limits.ts';
export { RateLimiter, type RateDecision } from './rate-limiter.ts';
export { refuseReadOnlyActor } from './read-only-roles.ts';
export { RATE_LIMITED, Security, type RateLimitPathPolicy } from './security.ts';
export { SubscriptionLimiter } from './subscription-limiter.ts';
