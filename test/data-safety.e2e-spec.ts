import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/common/clock.service';
import { backupDatabase, restoreDatabase } from '../src/ops/backup';
import { RetentionService } from '../src/retention/retention.service';
import { Ticket } from '../src/tickets/ticket.entity';
import { bootApp, engines, TestApp } from './utils/app';

describe.each(engines())('data safety on %s', (engine) => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await bootApp(engine);
    dir = mkdtempSync(join(tmpdir(), 'hub-backup-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ticket = (no: string, receivedAt: Date): Partial<Ticket> => ({
    ticketNo: no,
    receivedAt,
    quarter: '2022Q1',
    channel: 'phone',
    callerName: '赵先生',
    callerPhone: '13912345678',
    content: '小区路灯不亮，晚上出行不便，请尽快维修。',
    status: 'closed',
    topics: [],
  });

  it('erases names and phones past the retention period and keeps the rest', async () => {
    const repo = t.app.get(DataSource).getRepository(Ticket);
    const now = new Date('2026-11-28T12:00:00+08:00');
    t.get(ClockService).set(now);
    await repo.save([ticket('RET-OLD', new Date('2023-01-05T10:00:00+08:00')), ticket('RET-NEW', new Date('2024-01-05T10:00:00+08:00'))]);
    const res = await t.get(RetentionService).runOnce();
    expect(res).toMatchObject({ tickets: 1 });
    const old = await repo.findOneByOrFail({ ticketNo: 'RET-OLD' });
    expect(old.callerName).toBeNull();
    expect(old.callerPhone).toBe('');
    expect(old.content).toContain('路灯');
    const recent = await repo.findOneByOrFail({ ticketNo: 'RET-NEW' });
    expect(recent.callerPhone).toBe('13912345678');
    // Running again changes nothing more.
    expect(await t.get(RetentionService).runOnce()).toMatchObject({ tickets: 0 });
    t.get(ClockService).set(null);
  });

  it('backs up and restores the database in a round trip', async () => {
    const admin = await t.token('admin');
    await t.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send({ username: 'before_backup', password: 'password-1', role: 'clerk', displayName: '窗口𠀀' }).expect(201);
    const file = join(dir, engine === 'sqlite' ? 'b.sqlite' : 'b.sql');
    await backupDatabase(t.cfg.db, file);
    expect(statSync(file).size).toBeGreaterThan(1000);
    await t.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send({ username: 'after_backup', password: 'password-1', role: 'clerk', displayName: '窗口' }).expect(201);
    if (engine === 'sqlite') {
      // The running app holds the SQLite file: restore into a copy and read it there.
      const copy = { type: 'sqlite' as const, path: join(dir, 'restored.sqlite') };
      await restoreDatabase(copy, file);
      const ds = await new DataSource({ type: 'better-sqlite3', database: copy.path }).initialize();
      const names = (await ds.query('SELECT username FROM users')).map((r: { username: string }) => r.username);
      const shown = (await ds.query(`SELECT displayName FROM users WHERE username = 'before_backup'`))[0].displayName;
      await ds.destroy();
      expect(names).toContain('before_backup');
      expect(names).not.toContain('after_backup');
      expect(shown).toBe('窗口𠀀');
    } else {
      await restoreDatabase(t.cfg.db, file);
      const rows = await t.app.get(DataSource).query('SELECT username, displayName FROM users');
      const names = rows.map((r: { username: string }) => r.username);
      expect(names).toContain('before_backup');
      expect(names).not.toContain('after_backup');
      expect(rows.find((r: { username: string }) => r.username === 'before_backup').displayName).toBe('窗口𠀀');
    }
  });
});
