import { createClient } from 'redis';

/** Redis the scale-out tests use (two app instances sharing it). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** null when Redis answers, else why not (the suites then say so; in CI Redis is required). */
export async function redisReachable(): Promise<string | null> {
  const c = createClient({ url: TEST_REDIS_URL, socket: { connectTimeout: 1500, reconnectStrategy: false } });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.ping();
    await c.close();
    return null;
  } catch (e) {
    return (e as Error).message || 'no answer';
  }
}
