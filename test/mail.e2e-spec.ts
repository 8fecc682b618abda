import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ClockService } from '../src/common/clock.service';
import { LeaderMailerService } from '../src/livestream/leader-mailer.service';
import { parseIcs } from '../src/mail/ics';
import { bootApp, engines, TestApp } from './utils/app';

/* eslint-disable @typescript-eslint/no-require-imports */
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

interface Got {
  to: string;
  subject: string;
  text: string;
  html: string;
  ics: Record<string, string[]> | null;
}

/** A real SMTP server in the test process: every mail it takes is parsed back with mailparser. */
class Catcher {
  mails: Got[] = [];
  port = 0;
  private server: { listen: (p: number, h: string, cb: () => void) => void; close: (cb: () => void) => void; server: { address: () => AddressInfo } } | null = null;

  async start(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 50,
      onData: (stream: NodeJS.ReadableStream, _s: unknown, cb: (e?: Error) => void) => {
        simpleParser(stream)
          .then((m: { to?: { text: string }; subject?: string; text?: string; html?: string | false; attachments: Array<{ contentType: string; content: Buffer }> }) => {
            const cal = m.attachments.find((a) => a.contentType.startsWith('text/calendar'));
            this.mails.push({ to: m.to?.text ?? '', subject: m.subject ?? '', text: m.text ?? '', html: m.html || '', ics: cal ? parseIcs(cal.content.toString('utf8')) : null });
            cb();
          })
          .catch((e: Error) => cb(e));
      },
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  take(): Got[] {
    const m = this.mails;
    this.mails = [];
    return m;
  }
}

const at = (ymd: string, hm: string) => `${ymd}T${hm}:00+08:00`;

describe.each(engines())('leader mail on %s', (engine) => {
  let t: TestApp;
  let admin: string;
  const smtp = new Catcher();
  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const leaders: Array<{ id: number; email: string; name: string }> = [];
  const run = () => t.get(LeaderMailerService).runOnce();
  const clock = () => t.get(ClockService);

  beforeAll(async () => {
    await smtp.start();
    t = await bootApp(engine, { env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    clock().set(new Date('2026-11-28T10:00:00+08:00'));
    admin = await t.token('admin');
    for (let i = 0; i < 22; i++) {
      const r = await t.http().post('/api/leaders').set(auth()).send({ name: `领导${i}`, title: '主任', departmentCode: i % 2 ? 'city' : 'housing', email: `leader${i}@gov.example` }).expect(201);
      leaders.push(r.body);
    }
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('sends invitations, updates and cancellations with a stable UID and a growing SEQUENCE', async () => {
    const [a, b, c] = leaders;
    const s = await t.http().post('/api/livestream/sessions').set(auth())
      .send({ title: '物业服务与停车难题;答疑,直播', departmentCode: 'housing', leaderIds: [a.id, b.id], startsAt: at('2026-12-01', '15:00'), endsAt: at('2026-12-01', '16:00'), streamUrl: 'https://live.example/room/1' })
      .expect(201);
    const uid = `session-${s.body.id}@zhengmin-hub`;
    expect((await run()).sent).toBe(2);
    const invites = smtp.take().sort((x, y) => x.to.localeCompare(y.to));
    expect(invites.map((m) => m.to)).toEqual([`"领导0" <${a.email}>`, `"领导1" <${b.email}>`]);
    for (const m of invites) {
      expect(m.subject).toContain('【邀请】政民互动直播：物业服务与停车难题');
      expect(m.text).toContain('2026年12月1日（星期二）15:00–16:00');
      expect(m.html).toContain('<table');
      expect(m.ics).not.toBeNull();
      expect(m.ics!.METHOD).toEqual(['REQUEST']);
      expect(m.ics!.UID).toEqual([uid]);
      expect(m.ics!.SEQUENCE).toEqual(['0']);
      // DTSTART of the event in local time with its zone (the VTIMEZONE has its own DTSTART).
      expect(m.ics!.DTSTART).toEqual(expect.arrayContaining(['TZID=Asia/Shanghai:20261201T150000', '19700101T000000']));
      expect(m.ics!.DTEND).toEqual(['TZID=Asia/Shanghai:20261201T160000']);
      expect(m.ics!.TZID).toEqual(['Asia/Shanghai']);
      expect(m.ics!.SUMMARY[0]).toBe('政民互动直播：物业服务与停车难题\\;答疑\\,直播');
      expect(m.ics!.ORGANIZER[0]).toMatch(/mailto:hub@xicheng\.example$/);
      expect(m.ics!.ATTENDEE.join(' ')).toContain(`mailto:${a.email}`);
      expect(m.ics!.ATTENDEE.join(' ')).toContain(`mailto:${b.email}`);
    }

    await t.http().patch(`/api/livestream/sessions/${s.body.id}`).set(auth()).send({ startsAt: at('2026-12-01', '15:30'), endsAt: at('2026-12-01', '16:30') }).expect(200);
    await run();
    const updates = smtp.take();
    expect(updates).toHaveLength(2);
    for (const m of updates) {
      expect(m.subject).toContain('【时间变更】');
      expect(m.ics!.UID).toEqual([uid]);
      expect(m.ics!.SEQUENCE).toEqual(['1']);
      expect(m.ics!.DTSTART).toContain('TZID=Asia/Shanghai:20261201T153000');
    }

    // Reassign: b leaves (cancellation), c joins (invitation).
    await t.http().patch(`/api/livestream/sessions/${s.body.id}`).set(auth()).send({ leaderIds: [a.id, c.id] }).expect(200);
    await run();
    const re = smtp.take();
    expect(re.map((m) => [m.to.includes(b.email) ? 'b' : m.to.includes(c.email) ? 'c' : 'a', m.ics!.METHOD[0], m.ics!.SEQUENCE[0]]).sort()).toEqual([
      ['b', 'CANCEL', '2'],
      ['c', 'REQUEST', '2'],
    ]);
    expect(re.find((m) => m.to.includes(b.email))!.subject).toContain('【取消通知】');

    await t.http().post(`/api/livestream/sessions/${s.body.id}/cancel`).set(auth()).expect(200);
    await run();
    const cancels = smtp.take();
    expect(cancels.map((m) => m.to).sort()).toEqual([`"领导0" <${a.email}>`, `"领导2" <${c.email}>`]);
    for (const m of cancels) {
      expect(m.ics!.METHOD).toEqual(['CANCEL']);
      expect(m.ics!.STATUS).toEqual(['CANCELLED']);
      expect(m.ics!.UID).toEqual([uid]);
      expect(m.ics!.SEQUENCE).toEqual(['3']);
    }
    expect((await run()).sent).toBe(0);
    expect(smtp.take()).toHaveLength(0);
  });

  it('reminds 24 h and 1 h before, each exactly once, across runs and a second instance', async () => {
    const [, , , d] = leaders;
    const s = await t.http().post('/api/livestream/sessions').set(auth())
      .send({ title: '背街小巷整治', departmentCode: 'city', leaderIds: [d.id], startsAt: at('2026-12-08', '15:00'), endsAt: at('2026-12-08', '16:00') })
      .expect(201);
    await run();
    expect(smtp.take().map((m) => m.subject)).toEqual([expect.stringContaining('【邀请】')]);

    clock().set(new Date(at('2026-12-06', '15:30'))); // 48 h before: nothing yet
    expect(await run()).toEqual({ reminders: 0, sent: 0 });
    clock().set(new Date(at('2026-12-07', '15:30'))); // 23.5 h before
    expect((await run()).reminders).toBe(1);
    expect(await run()).toEqual({ reminders: 0, sent: 0 });
    const r24 = smtp.take();
    expect(r24).toHaveLength(1);
    expect(r24[0].subject).toContain('【明日提醒】');
    expect(r24[0].text).toContain('背街小巷整治');

    // A second instance (or a restart) on the same database sends nothing twice.
    const t2 = await bootApp(engine, { databaseUrl: t.cfg.databaseUrl, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    try {
      t2.get(ClockService).set(new Date(at('2026-12-07', '16:00')));
      expect(await t2.get(LeaderMailerService).runOnce()).toEqual({ reminders: 0, sent: 0 });
      t2.get(ClockService).set(new Date(at('2026-12-08', '14:10')));
      clock().set(new Date(at('2026-12-08', '14:10')));
      const both = await Promise.all([t2.get(LeaderMailerService).runOnce(), run()]);
      expect(both[0].reminders + both[1].reminders).toBe(1);
      await run();
      await t2.get(LeaderMailerService).runOnce();
    } finally {
      await t2.app.close();
    }
    const r1 = smtp.take();
    expect(r1.map((m) => m.subject)).toEqual([expect.stringContaining('【一小时后开始】')]);
    clock().set(new Date(at('2026-12-08', '14:50')));
    expect(await run()).toEqual({ reminders: 0, sent: 0 });
    expect(s.body.id).toBeGreaterThan(0);
    clock().set(new Date('2026-11-28T10:00:00+08:00'));
  });

  it('keeps 200 mails queued while SMTP is down and delivers each exactly once when it is back', async () => {
    // 10 sessions × 10 leaders: 100 invitations, then a reschedule each: 100 updates.
    const days = ['2027-01-05', '2027-01-06', '2027-01-07', '2027-01-12', '2027-01-13', '2027-01-14', '2027-01-19', '2027-01-20', '2027-01-21', '2027-01-26'];
    const slot = (ymd: string) => (new Date(`${ymd}T00:00:00Z`).getUTCDay() === 3 ? ['10:00', '11:00', '10:30', '11:30'] : ['15:00', '16:00', '15:30', '16:30']);
    await smtp.stop();
    const ids: number[] = [];
    for (const [i, ymd] of days.entries()) {
      const [s, e] = slot(ymd);
      const r = await t.http().post('/api/livestream/sessions').set(auth())
        .send({ title: `批量场次${i}`, departmentCode: 'city', leaderIds: leaders.slice(4 + (i % 2), 4 + (i % 2) + 10).map((l) => l.id), startsAt: at(ymd, s), endsAt: at(ymd, e) })
        .expect(201);
      ids.push(r.body.id);
    }
    expect((await run()).sent).toBe(0);
    for (const [i, ymd] of days.entries()) {
      const [, , s, e] = slot(ymd);
      await t.http().patch(`/api/livestream/sessions/${ids[i]}`).set(auth()).send({ startsAt: at(ymd, s), endsAt: at(ymd, e) }).expect(200);
    }
    const pending = await t.http().get('/api/mail/outbox?status=pending&pageSize=500').set(auth()).expect(200);
    expect(pending.body.total).toBe(200);
    // While the server is unreachable, a round stops after the first failing batch instead of trying all 200.
    expect(pending.body.items.filter((m: { attempts: number }) => m.attempts > 0).length).toBeLessThanOrEqual(5);
    const row = pending.body.items.find((m: { attempts: number }) => m.attempts === 1);
    expect(row.lastError).toBeTruthy();
    expect(row.html).toBeUndefined();
    expect(row.text).toBeUndefined();

    await smtp.start(smtp.port);
    clock().advance(2 * 3600_000);
    expect((await run()).sent).toBe(200);
    await run();
    const got = smtp.take();
    expect(got).toHaveLength(200);
    const keys = got.map((m) => `${m.to}|${m.ics!.UID[0]}|${m.ics!.SEQUENCE[0]}`);
    expect(new Set(keys).size).toBe(200);
    expect(got.filter((m) => m.ics!.SEQUENCE[0] === '1')).toHaveLength(100);
    const sent = await t.http().get('/api/mail/outbox?status=sent&pageSize=1').set(auth()).expect(200);
    expect(sent.body.total).toBeGreaterThanOrEqual(200);
    clock().set(new Date('2026-11-28T10:00:00+08:00'));
  });

  it('marks a mail failed after 8 tries, shows it to the admin and sends it on retry', async () => {
    const s = await t.http().post('/api/livestream/sessions').set(auth())
      .send({ title: '重试测试', departmentCode: 'housing', leaderIds: [leaders[20].id], startsAt: at('2027-02-02', '15:00'), endsAt: at('2027-02-02', '16:00') })
      .expect(201);
    await smtp.stop();
    for (let i = 0; i < 8; i++) {
      await run();
      clock().advance(2 * 3600_000);
    }
    const failed = await t.http().get('/api/mail/outbox?status=failed').set(auth()).expect(200);
    expect(failed.body.total).toBe(1);
    expect(failed.body.items[0]).toMatchObject({ status: 'failed', attempts: 8, to: expect.stringContaining(leaders[20].email) });
    expect(failed.body.items[0].lastError).toMatch(/ECONNREFUSED|connect/i);
    const op = await t.token('operator');
    await t.http().get('/api/mail/outbox').set('Authorization', `Bearer ${op}`).expect(403);
    await t.http().get('/api/mail/outbox?status=lost').set(auth()).expect(400);

    await smtp.start(smtp.port);
    const retried = await t.http().post(`/api/mail/outbox/${failed.body.items[0].id}/retry`).set(auth()).expect(200);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
    await run();
    const got = smtp.take();
    expect(got.map((m) => m.ics!.UID[0])).toEqual([`session-${s.body.id}@zhengmin-hub`]);
    await t.http().post(`/api/mail/outbox/${failed.body.items[0].id}/retry`).set(auth()).expect(409);
    await t.http().post('/api/mail/outbox/999999/retry').set(auth()).expect(404);
    clock().set(new Date('2026-11-28T10:00:00+08:00'));
  });

  it('writes .eml files under MAIL_DIR when no SMTP_URL is set, and says so in the log', async () => {
    if (engine !== 'sqlite') return;
    const f = await bootApp('sqlite');
    try {
      f.get(ClockService).set(new Date('2026-11-28T10:00:00+08:00'));
      const tok = await f.token('admin');
      const l = await f.http().post('/api/leaders').set('Authorization', `Bearer ${tok}`).send({ name: '文件', title: '主任', departmentCode: 'city', email: 'file@gov.example' }).expect(201);
      await f.http().post('/api/hotline-duty/shifts').set('Authorization', `Bearer ${tok}`).send({ leaderId: l.body.id, startsAt: at('2026-12-02', '09:00'), endsAt: at('2026-12-02', '11:00') }).expect(201);
      expect((await f.get(LeaderMailerService).runOnce()).sent).toBe(1);
      const files = readdirSync(f.cfg.mailDir).filter((x) => x.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const eml = readFileSync(`${f.cfg.mailDir}/${files[0]}`, 'utf8');
      expect(eml).toContain('file@gov.example');
      expect(eml).toMatch(/text\/calendar/);
      expect(f.logs.join('')).toMatch(/no SMTP_URL, mails are written as \.eml files under/);
    } finally {
      await f.close();
    }
  });
});
