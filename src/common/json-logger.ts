import { LoggerService, LogLevel } from '@nestjs/common';

/**
 * Structured JSON logs, one object per line. Callers never pass personal data (names, phones):
 * log ids and counts, not people.
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly levels: LogLevel[] = ['log', 'warn', 'error', 'fatal'], private readonly out: NodeJS.WritableStream = process.stdout) {}

  private write(level: LogLevel, message: unknown, context?: string, extra?: Record<string, unknown>): void {
    if (!this.levels.includes(level)) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level: level === 'log' ? 'info' : level };
    if (context) line.context = context;
    if (message instanceof Error) {
      line.msg = message.message;
      line.stack = message.stack;
    } else if (typeof message === 'object' && message !== null) Object.assign(line, message);
    else line.msg = String(message);
    if (extra) Object.assign(line, extra);
    this.out.write(JSON.stringify(line) + '\n');
  }

  private split(params: unknown[]): { context?: string; rest: unknown[] } {
    if (params.length && typeof params[params.length - 1] === 'string') {
      return { context: params[params.length - 1] as string, rest: params.slice(0, -1) };
    }
    return { rest: params };
  }

  log(message: unknown, ...p: unknown[]) {
    this.write('log', message, this.split(p).context);
  }
  warn(message: unknown, ...p: unknown[]) {
    this.write('warn', message, this.split(p).context);
  }
  error(message: unknown, ...p: unknown[]) {
    const { context, rest } = this.split(p);
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    this.write('error', message, context, stack ? { stack } : undefined);
  }
  fatal(message: unknown, ...p: unknown[]) {
    this.write('fatal', message, this.split(p).context);
  }
  debug(message: unknown, ...p: unknown[]) {
    this.write('debug', message, this.split(p).context);
  }
  verbose(message: unknown, ...p: unknown[]) {
    this.write('verbose', message, this.split(p).context);
  }
}
