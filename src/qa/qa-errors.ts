import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { payloadProblem } from '../common/body-checks';

export const ACK_CODES = ['bad_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited', 'unavailable'] as const;
export type AckCode = (typeof ACK_CODES)[number];

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: { code: AckCode; message: string; retryAfterMs?: number } };

/** A rule said no: becomes `{ok:false, error:{code, message}}`. */
export class QaError extends Error {
  constructor(readonly code: AckCode, message: string, readonly extra: { retryAfterMs?: number } = {}) {
    super(message);
  }
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${path}${m.slice(e.property.length)}` : `${path}: ${m}`));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * The socket twin of the REST ValidationPipe: a plain object in, a validated DTO out, else QaError('bad_request')
 * with the per-field messages. Nothing is converted implicitly; unknown fields are refused.
 */
export async function validateDto<T extends object>(cls: new () => T, data: unknown): Promise<T> {
  if (data === null || typeof data !== 'object' || Array.isArray(data) || Object.getPrototypeOf(data) !== Object.prototype) {
    throw new QaError('bad_request', 'payload must be a JSON object');
  }
  const problem = payloadProblem(data);
  if (problem) throw new QaError('bad_request', problem);
  let dto: T;
  let errors: ValidationError[];
  try {
    dto = plainToInstance(cls, data as Record<string, unknown>, { enableImplicitConversion: false });
    errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  } catch {
    throw new QaError('bad_request', 'payload could not be read');
  }
  if (errors.length) throw new QaError('bad_request', flatten(errors).slice(0, 10).join('; ').slice(0, 500));
  return dto;
}

/** Runs one handler and always answers an ack object: a rule's QaError or anything unexpected, never a throw. */
export async function toAck<T extends object>(fn: () => Promise<T>, onUnexpected: (e: unknown) => void): Promise<Ack<T>> {
  try {
    const r = await fn();
    return { ok: true, ...r };
  } catch (e) {
    if (e instanceof QaError) return { ok: false, error: { code: e.code, message: e.message, ...e.extra } };
    onUnexpected(e);
    return { ok: false, error: { code: 'unavailable', message: 'the request could not be completed; try again' } };
  }
}
