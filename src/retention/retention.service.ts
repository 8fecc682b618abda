import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as cron from 'node-cron';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ClockService } from '../common/clock.service';
import { LockService } from '../common/lock.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * The retention rule for personal data: callers' and applicants' names and phones older than
 * RETENTION_YEARS (default 3) are erased; the records themselves (content, status, figures) stay for statistics.
 * Runs daily (RETENTION_CRON, Asia/Shanghai) once across instances.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(RetentionService.name);
  private task?: cron.ScheduledTask;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: ClockService,
    private readonly locks: LockService,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.cfg.jobsEnabled) return;
    this.task = cron.schedule(this.cfg.retentionCron, () => void this.runOnce().catch((e: Error) => this.log.warn(`retention: ${e.message}`)), {
      timezone: this.cfg.timezone,
      name: 'retention',
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  cutoff(): Date {
    const d = this.clock.now();
    d.setUTCFullYear(d.getUTCFullYear() - this.cfg.retentionYears);
    return d;
  }

  /** Erase what is past retention; answers how many records were anonymised. */
  async runOnce(): Promise<{ tickets: number; applications: number; cutoff: string } | undefined> {
    return this.locks.runExclusive('retention', 10 * 60_000, async () => {
      const cutoff = this.cutoff();
      const t = await this.ds
        .createQueryBuilder()
        .update('tickets')
        .set({ callerName: null, callerPhone: '' })
        .where('receivedAt < :cutoff AND callerPhone <> :empty', { cutoff, empty: '' })
        .execute();
      const a = await this.ds
        .createQueryBuilder()
        .update('window_applications')
        .set({ applicantName: '', applicantPhone: '' })
        .where('acceptedAt < :cutoff AND applicantPhone <> :empty', { cutoff, empty: '' })
        .execute();
      const res = { tickets: t.affected ?? 0, applications: a.affected ?? 0, cutoff: cutoff.toISOString() };
      if (res.tickets || res.applications) {
        await this.audit.record({ action: 'retention.erased', detail: JSON.stringify(res) });
        this.log.log({ msg: 'personal data past retention erased', ...res });
      }
      return res;
    });
  }
}
