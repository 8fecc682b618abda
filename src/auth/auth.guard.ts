import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import type { Role } from '../users/user.entity';
import { AuthService } from './auth.service';
import { AuthUser, IS_PUBLIC, ROLES_KEY } from './decorators';

/**
 * Global guard for REST: every route needs a valid bearer token unless marked @Public();
 * @Roles(...) narrows it (admin always passes). 401 = no/invalid token, 403 = wrong role.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly auth: AuthService, private readonly audit: AuditService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const targets = [ctx.getHandler(), ctx.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    const user = await this.auth.fromAuthorizationHeader(req.headers.authorization);
    if (user) req.user = user;
    if (isPublic) return true;
    if (!user) throw new UnauthorizedException('sign in first (Authorization: Bearer <token>)');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && user.role !== 'admin' && !roles.includes(user.role)) {
      await this.audit
        .record({ action: 'access.denied', actorId: user.id, actorName: user.username, target: `${req.method} ${req.route?.path ?? req.path}`.slice(0, 128), ip: req.ip ?? null })
        .catch(() => undefined);
      throw new ForbiddenException(`role ${user.role} may not do this`);
    }
    return true;
  }
}
