import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Namespace } from 'socket.io';

/** The one typed map of what the server sends in namespace `/window`. */
export interface WindowServerEvents {
  'application:status': { receiptNo: string; status: string; statusLabel: string; at: string; note: string | null };
  'board:update': unknown;
}

export const receiptRoom = (receiptNo: string) => `receipt:${receiptNo}`;

/** Minimum gap between two `board:update` on one instance. */
export const BOARD_UPDATE_INTERVAL_MS = 1000;

/**
 * The only place that sends to `/window`. Status changes go to the receipt's room through the adapter
 * (every instance delivers them); board updates are coalesced to at most one per second and sent by
 * each instance to its own sockets.
 */
@Injectable()
export class WindowEmitter implements OnModuleDestroy {
  private nsp?: Namespace;
  private last = 0;
  private timer?: NodeJS.Timeout;
  private source?: () => Promise<unknown>;

  attach(nsp: Namespace): void {
    this.nsp = nsp;
  }

  /** What `board:update` carries (set once by the service). */
  setBoardSource(fn: () => Promise<unknown>): void {
    this.source = fn;
  }

  toReceipt<K extends keyof WindowServerEvents>(receiptNo: string, event: K, payload: WindowServerEvents[K]): void {
    this.nsp?.to(receiptRoom(receiptNo)).emit(event, payload);
  }

  /** Something on the board changed: send now, or once the 1 s gap since the last update is over (many changes → one update). */
  boardChanged(): void {
    if (this.timer || !this.nsp) return;
    const delay = Math.max(0, this.last + BOARD_UPDATE_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.last = Date.now();
      this.timer = undefined;
      void this.sendBoard();
    }, delay);
    this.timer.unref?.();
  }

  private async sendBoard(): Promise<void> {
    try {
      if (!this.source || !this.nsp) return;
      const board = await this.source();
      this.nsp.local.emit('board:update', board);
    } catch {
      /* best effort: the next change sends a fresh board */
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nsp = undefined;
  }
}
