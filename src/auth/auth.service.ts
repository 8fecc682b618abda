import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RateLimitService } from '../common/rate-limit.service';
import { ROLES, toPublicUser } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import type { AuthUser } from './decorators';

interface TokenPayload {
  sub: number;
  username: string;
  role: AuthUser['role'];
  dep: string | null;
  name: string;
}

/** Login, token checks and the login throttle: the one auth service HTTP guards and socket handshakes share. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly limits: RateLimitService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async login(username: string, password: string, ip: string | null) {
    const userKey = `login:u:${username.toLowerCase()}`;
    const ipKey = `login:ip:${ip ?? '-'}`;
    const [byUser, byIp] = await Promise.all([this.limits.peek(userKey), this.limits.peek(ipKey)]);
    if (byUser.count >= this.cfg.loginMaxFailures || byIp.count >= this.cfg.loginMaxFailures * 4) {
      await this.audit.record({ action: 'login.throttled', actorName: username.slice(0, 64), ip });
      throw new HttpException(
        { statusCode: 429, error: 'Too Many Requests', message: 'too many failed logins; try again later', retryAfterSeconds: Math.ceil(Math.max(byUser.retryAfterMs, byIp.retryAfterMs) / 1000) },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const user = await this.users.findForLogin(username);
    const ok = user ? await this.users.verifyPassword(user, password) : false;
    if (!user || !ok) {
      await Promise.all([this.limits.hit(userKey, this.cfg.loginMaxFailures, this.cfg.loginWindowMs), this.limits.hit(ipKey, this.cfg.loginMaxFailures * 4, this.cfg.loginWindowMs)]);
      await this.audit.record({ action: 'login.failed', actorName: username.slice(0, 64), ip });
      throw new UnauthorizedException('wrong username or password');
    }
    await this.limits.reset(userKey);
    await this.audit.record({ action: 'login', actorId: user.id, actorName: user.username, ip });
    const payload: TokenPayload = { sub: user.id, username: user.username, role: user.role, dep: user.departmentCode, name: user.displayName };
    const accessToken = await this.jwt.signAsync(payload);
    const pub = toPublicUser(user);
    return { accessToken, user: { id: pub.id, username: pub.username, role: pub.role, departmentCode: pub.departmentCode, displayName: pub.displayName } };
  }

  /** A valid token → the user; anything else (none, expired, tampered, alg none, other key) → undefined. */
  async verify(token: string | undefined | null): Promise<AuthUser | undefined> {
    if (!token || typeof token !== 'string' || token.length > 4096) return undefined;
    try {
      const p = await this.jwt.verifyAsync<TokenPayload>(token, { algorithms: ['HS256'] });
      if (typeof p.sub !== 'number' || !ROLES.includes(p.role)) return undefined;
      return { id: p.sub, username: p.username, role: p.role, departmentCode: p.dep ?? null, displayName: p.name ?? p.username };
    } catch {
      return undefined;
    }
  }

  /** Bearer header value → user, or undefined. */
  async fromAuthorizationHeader(h: string | undefined): Promise<AuthUser | undefined> {
    const m = /^Bearer\s+(.+)$/i.exec(h ?? '');
    return m ? this.verify(m[1]) : undefined;
  }
}
