import { Inject, Injectable, Logger, NotFoundException, OnModuleDestroy, OnModuleInit, ConflictException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { DataSource, EntityManager } from 'typeorm';
import { ClockService } from '../common/clock.service';
import { LockService } from '../common/lock.service';
import { Page } from '../common/pagination';
import { configPath } from '../common/paths';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MailOutbox, OutboxStatus } from './mail-outbox.entity';
import { MailTransport, OutgoingMail } from './mail-transport';

export interface EnqueueMail extends OutgoingMail {
  dedupeKey: string;
}

export interface OutboxView {
  id: number;
  to: string;
  subject: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  createdAt: string;
  sentAt: string | null;
}

interface MailSettings {
  maxAttempts: number;
  baseBackoffSeconds: number;
  maxBackoffSeconds: number;
}

function settings(): MailSettings {
  const def = { maxAttempts: 8, baseBackoffSeconds: 30, maxBackoffSeconds: 3600 };
  try {
    const f = JSON.parse(readFileSync(configPath('livestream.json'), 'utf8')) as { mail?: Partial<MailSettings> };
    return { ...def, ...(f.mail ?? {}) };
  } catch {
    return def;
  }
}

/** Backoff after the n-th failed attempt (n ≥ 1): base · 2^(n-1), capped. */
export function backoffMs(attempts: number, s: MailSettings): number {
  return Math.min(s.baseBackoffSeconds * 2 ** Math.max(attempts - 1, 0), s.maxBackoffSeconds) * 1000;
}

/**
 * The persistent outbox: mails are written with `enqueue(manager, …)` inside the transaction of the
 * change that causes them, then sent by `processOnce()` (a timer when JOBS_ENABLED, or on demand)
 * with exponential backoff; after `maxAttempts` failures a mail is `failed` until an admin retries it.
 */
@Injectable()
export class MailOutboxService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('MailOutbox');
  private readonly s = settings();
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: ClockService,
    private readonly locks: LockService,
    private readonly transport: MailTransport,
  ) {}

  onModuleInit(): void {
    if (this.cfg.smtpUrl === undefined) this.log.log(`mail: no SMTP_URL, mails are written as .eml files under ${this.cfg.mailDir}`);
    if (!this.cfg.jobsEnabled) return;
    this.timer = setInterval(() => {
      this.processOnce().catch((e: Error) => this.log.warn(`outbox worker: ${e.message}`));
    }, 10_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Write mails in `em`'s transaction; a mail whose dedupeKey exists already is skipped. Returns how many were new. */
  async enqueue(em: EntityManager, mails: EnqueueMail[]): Promise<number> {
    if (!mails.length) return 0;
    const now = this.clock.now();
    const keys = [...new Set(mails.map((m) => m.dedupeKey.slice(0, 191)))];
    const have = new Set<string>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await em.getRepository(MailOutbox).createQueryBuilder('m').select('m.dedupeKey', 'k').where('m.dedupeKey IN (:...keys)', { keys: keys.slice(i, i + 500) }).getRawMany<{ k: string }>();
      rows.forEach((r) => have.add(r.k));
    }
    let n = 0;
    for (const m of mails) {
      const key = m.dedupeKey.slice(0, 191);
      if (have.has(key)) continue;
      have.add(key);
      // INSERT … OR IGNORE: another instance may have written the same key meanwhile; then this is a no-op.
      await em
        .createQueryBuilder()
        .insert()
        .into(MailOutbox)
        .values({ dedupeKey: key, to: m.to, subject: m.subject.slice(0, 255), html: m.html, text: m.text, ics: m.ics ?? null, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now, lastError: null, sentAt: null })
        .orIgnore()
        .updateEntity(false)
        .execute();
      n++;
    }
    return n;
  }

  /** Send the due pending mails once (under a lock, so one instance sends at a time). Returns how many were sent. */
  async processOnce(): Promise<number> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        return (await this.locks.runExclusive('mail-outbox', 5 * 60_000, () => this.drain())) ?? 0;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async drain(): Promise<number> {
    let sent = 0;
    const repo = this.ds.getRepository(MailOutbox);
    const tried = new Set<number>();
    for (;;) {
      const now = this.clock.now();
      const batch = (await repo
        .createQueryBuilder('m')
        .where('m.status = :s AND m.nextAttemptAt <= :now', { s: 'pending', now })
        .orderBy('m.id', 'ASC')
        .take(50)
        .getMany()).filter((m) => !tried.has(m.id));
      if (!batch.length) return sent;
      for (let i = 0; i < batch.length; i += 5) {
        const chunk = batch.slice(i, i + 5);
        const results = await Promise.all(chunk.map((m) => this.sendOne(m)));
        sent += results.filter((r) => r === 'sent').length;
        chunk.forEach((m) => tried.add(m.id));
        // Circuit breaker: the server is unreachable, so leave the rest for the next round untouched.
        if (results.every((r) => r === 'unreachable')) return sent;
      }
    }
  }

  private async sendOne(m: MailOutbox): Promise<'sent' | 'failed' | 'unreachable' | 'skipped'> {
    const repo = this.ds.getRepository(MailOutbox);
    // Claim the row (attempts is the version): if another worker took it meanwhile, leave it.
    const claim = await repo.update(
      { id: m.id, status: 'pending', attempts: m.attempts },
      { nextAttemptAt: new Date(this.clock.nowMs() + 10 * 60_000) },
    );
    if (claim.affected === 0) return 'skipped';
    try {
      await this.transport.send({ to: m.to, subject: m.subject, html: m.html, text: m.text, ics: m.ics, ref: `${m.id}-${m.dedupeKey}` });
      await repo.update({ id: m.id }, { status: 'sent', sentAt: this.clock.now(), attempts: m.attempts + 1, lastError: null });
      return 'sent';
    } catch (e) {
      const attempts = m.attempts + 1;
      const failed = attempts >= this.s.maxAttempts;
      const msg = String((e as Error).message ?? e).slice(0, 500);
      await repo.update(
        { id: m.id },
        { attempts, status: failed ? 'failed' : 'pending', lastError: msg, nextAttemptAt: new Date(this.clock.nowMs() + backoffMs(attempts, this.s)) },
      );
      if (failed) this.log.warn(`mail ${m.id} failed after ${attempts} attempts: ${msg}`);
      const code = (e as { code?: string }).code ?? '';
      return /^(ECONNECTION|ETIMEDOUT|ESOCKET|ECONNREFUSED|EDNS)$/.test(code) || /ECONNREFUSED|ETIMEDOUT/.test(msg) ? 'unreachable' : 'failed';
    }
  }

  async list(status: OutboxStatus | undefined, page: number, pageSize: number): Promise<Page<OutboxView>> {
    const qb = this.ds.getRepository(MailOutbox).createQueryBuilder('m').orderBy('m.id', 'DESC').skip((page - 1) * pageSize).take(pageSize);
    if (status) qb.where('m.status = :status', { status });
    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map(view), total, page, pageSize };
  }

  /** Admin: send a failed (or pending) mail again now, with a fresh attempt count. */
  async retry(id: number): Promise<OutboxView> {
    const repo = this.ds.getRepository(MailOutbox);
    const m = await repo.findOneBy({ id });
    if (!m) throw new NotFoundException(`mail ${id} not found`);
    if (m.status === 'sent') throw new ConflictException(`mail ${id} was sent already`);
    await repo.update({ id }, { status: 'pending', attempts: 0, nextAttemptAt: this.clock.now() });
    return view((await repo.findOneByOrFail({ id })));
  }
}

function view(m: MailOutbox): OutboxView {
  return {
    id: m.id,
    to: m.to,
    subject: m.subject,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    nextAttemptAt: new Date(m.nextAttemptAt).toISOString(),
    createdAt: new Date(m.createdAt).toISOString(),
    sentAt: m.sentAt ? new Date(m.sentAt).toISOString() : null,
  };
}
