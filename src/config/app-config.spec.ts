import { ConfigError, loadConfig } from './app-config';

describe('configuration', () => {
  it('defaults to the embedded SQLite file with demo data', () => {
    const c = loadConfig({});
    expect(c.db).toEqual({ type: 'sqlite', path: 'data/hub.sqlite' });
    expect(c.demoData).toBe(true);
    expect(c.port).toBe(3000);
  });
  it('reads a MySQL URL and turns demo data off there by default', () => {
    const c = loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/hub' });
    expect(c.db).toEqual({ type: 'mysql', url: 'mysql://u:p@db:3306/hub' });
    expect(c.demoData).toBe(false);
  });
  it('stops a production start with one line naming the missing secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_USERNAME: 'a', ADMIN_PASSWORD: 'long-enough-1' })).toThrow(new ConfigError('JWT_SECRET is required when NODE_ENV=production'));
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ADMIN_PASSWORD: 'long-enough-1' })).toThrow(/ADMIN_USERNAME/);
  });
  it('names a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x/y' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ CORS_ORIGINS: 'example.org' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ DEMO_DATA: 'maybe' })).toThrow(/DEMO_DATA/);
  });
});
