import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** One typed map of in-process events between modules (e.g. livestream → live Q&A room). */
export interface DomainEventMap {
  /** A livestream session changed status (start/end/cancel) or schedule. */
  'session.changed': { sessionId: number; status: string };
  /** A ticket was created (by the API, import rows are not announced one by one). */
  'ticket.created': { ticketId: number };
  /** A single-window application changed status. */
  'application.changed': { receiptNo: string; status: string; at: string; note: string | null };
}

@Injectable()
export class DomainEvents {
  private readonly ee = new EventEmitter().setMaxListeners(50);

  emit<K extends keyof DomainEventMap>(name: K, payload: DomainEventMap[K]): void {
    this.ee.emit(name, payload);
  }

  on<K extends keyof DomainEventMap>(name: K, fn: (payload: DomainEventMap[K]) => void): () => void {
    const h = (p: DomainEventMap[K]) => {
      try {
        fn(p);
      } catch {
        /* a listener's failure must not break the emitter */
      }
    };
    this.ee.on(name, h);
    return () => this.ee.off(name, h);
  }
}
