import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closing the HTTP server without dropping requests. Node's `server.close()` also destroys every "idle" connection,
 * and a connection accepted whose request a busy event loop has not read yet counts as idle: under load those
 * requests were reset. This tracks the connections instead; `prepareClose()` (call it before the server closes)
 * keeps fresh connections (their request is read and answered with `Connection: close`, see `closingHeader`) and
 * ends only keep-alive connections that have been served and wait for nothing.
 */
export function trackConnections(server: Server): { prepareClose: () => void; closing: () => boolean } {
  const state = new Map<Socket, { busy: number; served: boolean }>();
  let closing = false;
  server.on('connection', (s: Socket) => {
    state.set(s, { busy: 0, served: false });
    s.once('close', () => state.delete(s));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const st = state.get(req.socket);
    if (!st) return;
    st.busy++;
    res.once('close', () => {
      st.busy--;
      st.served = true;
    });
  });
  return {
    closing: () => closing,
    prepareClose: () => {
      closing = true;
      server.closeIdleConnections = () => undefined;
      for (const [s, st] of state) if (st.served && st.busy === 0) s.destroy();
    },
  };
}
