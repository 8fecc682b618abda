import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as nodemailer from 'nodemailer';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** iCalendar text (METHOD:REQUEST or METHOD:CANCEL), attached as invite.ics. */
  ics?: string | null;
  /** Stable name for the .eml file (file transport). */
  ref?: string;
}

/**
 * The one door to the outside for mail: SMTP when SMTP_URL is set, else .eml files under MAIL_DIR
 * (the embedded default; the log says so once).
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly smtp?: nodemailer.Transporter;
  private readonly files?: nodemailer.Transporter;

  constructor(@Inject(APP_CONFIG) private readonly cfg: AppConfig) {
    if (cfg.smtpUrl) {
      const u = new URL(cfg.smtpUrl);
      this.smtp = nodemailer.createTransport({
        host: u.hostname,
        port: Number(u.port) || (u.protocol === 'smtps:' ? 465 : 25),
        secure: u.protocol === 'smtps:',
        auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
        pool: true,
        maxConnections: 3,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      } as nodemailer.TransportOptions);
    } else {
      this.files = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' } as nodemailer.TransportOptions);
    }
  }

  get kind(): 'smtp' | 'file' {
    return this.smtp ? 'smtp' : 'file';
  }

  async send(m: OutgoingMail): Promise<void> {
    const method = /^METHOD:(\w+)/m.exec(m.ics ?? '')?.[1] ?? 'REQUEST';
    const msg: nodemailer.SendMailOptions = {
      from: this.cfg.mailFrom,
      to: m.to,
      subject: m.subject,
      html: m.html,
      text: m.text,
      ...(m.ics ? { icalEvent: { method, filename: method === 'CANCEL' ? 'cancel.ics' : 'invite.ics', content: m.ics } } : {}),
    };
    if (this.smtp) {
      await this.smtp.sendMail(msg);
      return;
    }
    const dir = resolve(this.cfg.mailDir);
    const info = (await this.files!.sendMail(msg)) as { message: Buffer };
    mkdirSync(dir, { recursive: true });
    const name = `${Date.now()}-${(m.ref ?? 'mail').replace(/[^\w.-]+/g, '_')}.eml`;
    writeFileSync(join(dir, name), info.message);
  }

  onModuleDestroy(): void {
    this.smtp?.close();
  }
}
