import type { Socket } from 'socket.io';
import type { AuthService } from './auth.service';
import type { AuthUser } from './decorators';

/** What a socket is, set by the handshake middleware: a staff member or an anonymous viewer. */
export interface SocketIdentity {
  user?: AuthUser;
  /** Anonymous viewer id the page keeps in localStorage (8–64 chars [A-Za-z0-9_-]). */
  viewerKey?: string;
}

const VIEWER_KEY = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * socket.io handshake middleware shared by every namespace: `auth.token` → staff (a bad token is refused),
 * `auth.viewerKey` → anonymous viewer. Guards do not run on connection, so this is the door.
 */
export function socketAuthMiddleware(auth: AuthService, opts: { allowAnonymous: boolean } = { allowAnonymous: true }) {
  return (socket: Socket, next: (err?: Error) => void): void => {
    const a = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const token = typeof a.token === 'string' ? a.token : undefined;
    const viewerKey = typeof a.viewerKey === 'string' ? a.viewerKey : undefined;
    const data = socket.data as SocketIdentity;
    if (token) {
      auth
        .verify(token)
        .then((user) => {
          if (!user) return next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', message: 'invalid or expired token' } }));
          data.user = user;
          if (viewerKey && VIEWER_KEY.test(viewerKey)) data.viewerKey = viewerKey;
          next();
        })
        .catch(() => next(new Error('unauthorized')));
      return;
    }
    if (!opts.allowAnonymous) return next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', message: 'token required' } }));
    if (viewerKey !== undefined && !VIEWER_KEY.test(viewerKey)) {
      return next(Object.assign(new Error('bad_request'), { data: { code: 'bad_request', message: 'viewerKey must be 8–64 characters [A-Za-z0-9_-]' } }));
    }
    data.viewerKey = viewerKey ?? `anon-${socket.id}`;
    next();
  };
}
