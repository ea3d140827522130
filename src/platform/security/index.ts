export { applyHttpSecurity } from './http-security.ts';
export { NO_INTROSPECTION, PARSE_OPTIONS, QUERY_LIMITS, limitRules } from './query-limits.ts';
export { RateLimiter, type RateDecision, type RateLimit } from './rate-limiter.ts';
export { refuseReadOnlyActor } from './read-only-roles.ts';
export { RATE_LIMITED, Security, type RateLimitPathPolicy } from './security.ts';
export { SharedRateLimiter } from './shared-rate-limiter.ts';
export { SharedSubscriptionLimiter } from './shared-subscription-limiter.ts';
export { SubscriptionLimiter, type SubscriptionLimits } from './subscription-limiter.ts';
