import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';

const NAMES: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  503: 'Service Unavailable',
};

/**
 * Errors in Nest's shape. Body-parser errors (bad JSON, too large, bad charset) become their 4xx;
 * a lost database connection becomes 503; anything else unexpected is logged (without the request body) as 500.
 */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter {
  private readonly log = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(exception, host);
    if (exception instanceof HttpException) return super.catch(exception, host);
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    const e = exception as { status?: number; statusCode?: number; type?: string; message?: string; code?: string };
    const status = e.status ?? e.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ statusCode: status, error: NAMES[status] ?? 'Bad Request', message: e.type === 'entity.parse.failed' ? 'malformed JSON body' : (e.message ?? 'bad request') });
      return;
    }
    if (isDbDown(exception)) {
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({ statusCode: 503, error: NAMES[503], message: 'database unavailable, try again shortly' });
      return;
    }
    this.log.error(`unhandled ${(exception as Error)?.name ?? 'error'}: ${(exception as Error)?.message ?? String(exception)}`, (exception as Error)?.stack);
    res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  }
}

export function isDbDown(e: unknown): boolean {
  const x = e as { code?: string; message?: string; driverError?: { code?: string } };
  const code = x?.code ?? x?.driverError?.code ?? '';
  return /^(ECONNREFUSED|ECONNRESET|PROTOCOL_CONNECTION_LOST|ETIMEDOUT|EPIPE|ER_CON_COUNT_ERROR|PROTOCOL_SEQUENCE_TIMEOUT|ENOTFOUND|ER_SERVER_SHUTDOWN)$/.test(code) || /Connection lost|connect ECONNREFUSED|Pool is closed|SQLITE_BUSY/.test(x?.message ?? '');
}
