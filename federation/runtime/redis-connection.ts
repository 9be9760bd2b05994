/**
 * The Redis connection factory, as the runtime wiring has always imported it; the factory itself
 * lives in federation/redis/ (the API and the store use it too).
 */
export { connectRedis, redisOptions } from '../redis/connection-factory.js';
export { redactedRedisUrl as redactedUrl } from '../redis/redis-url.js';
