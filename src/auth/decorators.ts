import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../users/user.entity';

export const IS_PUBLIC = 'isPublic';
export const ROLES_KEY = 'roles';

/** Anyone, signed in or not. Every other route needs a valid token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Only these roles (admin is always allowed as well). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The signed-in staff member of this request. */
export interface AuthUser {
  id: number;
  username: string;
  role: Role;
  departmentCode: string | null;
  displayName: string;
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser | undefined => {
  return ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
});
