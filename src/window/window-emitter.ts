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
const BOARD_CHANGED_SIGNAL = 'window:board-changed';

/**
 * The only place that sends to `/window`. Status changes go to the receipt's room through the adapter
 * (every instance delivers them); board updates are coalesced to at most one per second and sent by
 * each instance to its own sockets; with Redis an instance that saw a change signals the others (serverSideEmit),
 * which then refresh their sockets under the same 1 s limit.
 */
@Injectable()
export class WindowEmitter implements OnModuleDestroy {
  private nsp?: Namespace;
  private last = 0;
  private timer?: NodeJS.Timeout;
  private source?: () => Promise<unknown>;
  private clustered = false;
  /** A change happened here since the last send: tell the other instances too. */
  private localChange = false;

  /** `clustered`: several instances share rooms through the Redis adapter; board changes are then announced to the others. */
  attach(nsp: Namespace, clustered = false): void {
    this.nsp = nsp;
    this.clustered = clustered;
    if (clustered) nsp.on(BOARD_CHANGED_SIGNAL, () => this.boardChanged(false));
  }

  /** What `board:update` carries (set once by the service). */
  setBoardSource(fn: () => Promise<unknown>): void {
    this.source = fn;
  }

  toReceipt<K extends keyof WindowServerEvents>(receiptNo: string, event: K, payload: WindowServerEvents[K]): void {
    this.nsp?.to(receiptRoom(receiptNo)).emit(event, payload);
  }

  /** Something on the board changed: send now, or once the 1 s gap since the last update is over (many changes → one update). */
  boardChanged(local = true): void {
    if (local) this.localChange = true;
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
      if (this.clustered && this.localChange) this.nsp.serverSideEmit(BOARD_CHANGED_SIGNAL);
      this.localChange = false;
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
