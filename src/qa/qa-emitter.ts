import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { PublicAnswer, PublicQuestion } from './question.entity';

/** The one typed map of what the server sends in namespace `/live`. */
export interface LiveServerEvents {
  'question:pending': { question: PublicQuestion };
  'question:approved': { question: PublicQuestion };
  'question:rejected': { questionId: number; reason: string | null };
  'question:upvoted': { questionId: number; upvotes: number };
  'question:answered': { questionId: number; answer: PublicAnswer };
  'question:highlighted': { questionId: number };
  'session:status': { sessionId: number; status: string };
  'viewers:count': { sessionId: number; count: number };
}

export const sessionRoom = (sessionId: number) => `session:${sessionId}`;
export const staffRoom = (sessionId: number) => `staff:${sessionId}`;

/** Minimum gap between two `question:upvoted` of one question from one instance (the latest count wins). */
export const UPVOTED_INTERVAL_MS = 1000;

/** Minimum gap between two `viewers:count` of one session on one instance. */
export const VIEWERS_COUNT_INTERVAL_MS = 1000;

/**
 * The socket emitter: the only place that sends to rooms of `/live`. Broadcasts go through the adapter
 * (the Redis Streams adapter when REDIS_URL is set, so every instance delivers them). Each broadcast is
 * encoded once by socket.io and the same frame is written to every socket of the room.
 */
@Injectable()
export class QaEmitter implements OnModuleDestroy {
  private nsp?: Namespace;
  private readonly counts = new Map<number, { last: number; timer?: NodeJS.Timeout }>();
  private clustered = false;
  private readonly upvotes = new Map<number, { last: number; sessionId: number; upvotes: number; timer?: NodeJS.Timeout }>();

  attach(nsp: Namespace, clustered: boolean): void {
    this.nsp = nsp;
    this.clustered = clustered;
  }

  toSession<K extends keyof LiveServerEvents>(sessionId: number, event: K, payload: LiveServerEvents[K]): void {
    this.nsp?.to(sessionRoom(sessionId)).emit(event, payload);
  }

  toStaff<K extends keyof LiveServerEvents>(sessionId: number, event: K, payload: LiveServerEvents[K]): void {
    this.nsp?.to(staffRoom(sessionId)).emit(event, payload);
  }

  /**
   * `question:upvoted`, coalesced: the first upvote goes out at once, the ones within the next second become one
   * message with the latest count, so a popular question does not become one broadcast per viewer.
   */
  upvoted(sessionId: number, questionId: number, upvotes: number): void {
    const now = Date.now();
    const s = this.upvotes.get(questionId);
    if (!s || (!s.timer && now - s.last >= UPVOTED_INTERVAL_MS)) {
      this.upvotes.set(questionId, { last: now, sessionId, upvotes });
      this.toSession(sessionId, 'question:upvoted', { questionId, upvotes });
      if (this.upvotes.size > 10_000) for (const [k, v] of this.upvotes) if (!v.timer && now - v.last > 60_000) this.upvotes.delete(k);
      return;
    }
    s.upvotes = Math.max(s.upvotes, upvotes);
    if (s.timer) return;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.last = Date.now();
      this.toSession(s.sessionId, 'question:upvoted', { questionId, upvotes: s.upvotes });
    }, Math.max(0, s.last + UPVOTED_INTERVAL_MS - now));
    s.timer.unref?.();
  }

  /** Someone joined or left: send `viewers:count` now, or once the 1 s gap since the last one is over. */
  viewersChanged(sessionId: number): void {
    let s = this.counts.get(sessionId);
    if (!s) {
      s = { last: 0 };
      this.counts.set(sessionId, s);
    }
    if (s.timer) return;
    const st = s;
    const delay = Math.max(0, st.last + VIEWERS_COUNT_INTERVAL_MS - Date.now());
    st.timer = setTimeout(() => {
      st.last = Date.now();
      st.timer = undefined;
      void this.sendCount(sessionId);
    }, delay);
    st.timer.unref?.();
  }

  /** Sockets in the session's room: across all instances when clustered (fetchSockets), else this instance's room. */
  async viewerCount(sessionId: number): Promise<number> {
    const nsp = this.nsp;
    if (!nsp) return 0;
    const room = sessionRoom(sessionId);
    if (this.clustered) {
      try {
        return (await nsp.in(room).fetchSockets()).length;
      } catch {
        /* another instance did not answer in time: fall back to ours */
      }
    }
    return nsp.adapter.rooms.get(room)?.size ?? 0;
  }

  private async sendCount(sessionId: number): Promise<void> {
    try {
      const count = await this.viewerCount(sessionId);
      // Each instance tells its own sockets (so N instances never multiply the rate a viewer sees).
      this.nsp?.local.to(sessionRoom(sessionId)).emit('viewers:count', { sessionId, count });
      if (count === 0) this.counts.delete(sessionId);
    } catch {
      /* a count is best effort */
    }
  }

  onModuleDestroy(): void {
    for (const s of this.counts.values()) if (s.timer) clearTimeout(s.timer);
    for (const s of this.upvotes.values()) if (s.timer) clearTimeout(s.timer);
    this.counts.clear();
    this.upvotes.clear();
  }
}
