import { randomBytes } from 'node:crypto';
import { io, Socket as ClientSocket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { Leader } from '../src/livestream/leader.entity';
import { LivestreamSession } from '../src/livestream/livestream-session.entity';
import type { TestApp } from './utils/app';

/** Small data factories and socket helpers for the live Q&A suites. */
export const viewerKey = (prefix = 'v') => `${prefix}-${randomBytes(8).toString('hex')}`;

export async function makeLeader(t: TestApp, name: string, userId: number | null): Promise<Leader> {
  const repo = t.get(DataSource).getRepository(Leader);
  return repo.save(repo.create({ name, title: '区长', departmentCode: 'city', email: `${randomBytes(4).toString('hex')}@example.org`, userId }));
}

export async function makeSession(t: TestApp, leaderIds: number[], status: LivestreamSession['status'] = 'live', dataSource?: DataSource): Promise<LivestreamSession> {
  const repo = (dataSource ?? t.get(DataSource)).getRepository(LivestreamSession);
  const startsAt = new Date(Date.now() - 30 * 60_000);
  return repo.save(
    repo.create({ title: '接诉即办 政民互动直播', description: '供暖与物业', departmentCode: 'city', leaderIds, topicKeys: ['heating'], startsAt, endsAt: new Date(startsAt.getTime() + 2 * 3600_000), planned: true, status, streamUrl: null }),
  );
}

export function connect(url: string, auth: Record<string, unknown>, opts: Record<string, unknown> = {}): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    const s = io(`${url}/live`, { auth, transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
    const timer = setTimeout(() => reject(new Error('connect timeout')), 10_000);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('connect_error', (e: Error & { data?: unknown }) => {
      clearTimeout(timer);
      s.close();
      reject(e);
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAck = any;

export function ack(s: ClientSocket, event: string, payload?: unknown, ms = 10_000): Promise<AnyAck> {
  return s.timeout(ms).emitWithAck(event, payload);
}

/** Resolves with the first `event` matching `pred` (rejects after ms). */
export function next<T = AnyAck>(s: ClientSocket, event: string, pred: (p: T) => boolean = () => true, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, h);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const h = (p: T) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      s.off(event, h);
      resolve(p);
    };
    s.on(event, h);
  });
}

/** Records every event a socket receives. */
export function record(s: ClientSocket): Array<[string, AnyAck]> {
  const seen: Array<[string, AnyAck]> = [];
  s.onAny((e: string, p: unknown) => seen.push([e, p]));
  return seen;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
