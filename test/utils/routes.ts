import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC, ROLES_KEY } from '../../src/auth/decorators';
import type { Role } from '../../src/users/user.entity';
import type { TestApp } from './app';

export interface RouteInfo {
  method: string;
  path: string;
  isPublic: boolean;
  roles?: Role[];
  /** Names of the route's `:params` (in order). */
  params: string[];
  /** DTO classes of the handler's @Body() and @Query() (undefined when the handler takes none, or raw `unknown`). */
  bodyType?: new () => unknown;
  queryType?: new () => unknown;
  /** Handler reads the raw request (@Req): imports and other streamed bodies. */
  rawRequest: boolean;
}

/** Every REST route of the running app, read from Nest's own metadata, with the roles it declares and its DTOs. */
export function routesOf(t: TestApp): RouteInfo[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const out: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance || !wrapper.metatype) continue;
    const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, wrapper.metatype) ?? '')[0];
    const proto = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = (instance as Record<string, unknown>)[name] as object;
      const sub = Reflect.getMetadata(PATH_METADATA, handler);
      if (sub === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const targets = [handler as never, wrapper.metatype as never];
      const types = (Reflect.getMetadata('design:paramtypes', proto, name) ?? []) as Array<new () => unknown>;
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, wrapper.metatype, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
      let bodyType: RouteInfo['bodyType'];
      let queryType: RouteInfo['queryType'];
      let rawRequest = false;
      for (const [key, a] of Object.entries(args)) {
        const kind = Number(key.split(':')[0]);
        const cls = types[a.index];
        const dto = cls && cls !== Object && cls !== String && cls !== Number && cls !== Boolean ? cls : undefined;
        if (kind === RouteParamtypes.BODY && a.data === undefined) bodyType = dto;
        else if (kind === RouteParamtypes.QUERY && a.data === undefined) queryType = dto;
        else if (kind === RouteParamtypes.REQUEST) rawRequest = true;
      }
      for (const p of ([] as string[]).concat(sub)) {
        const path = `/${[base, p].filter((x) => x && x !== '/').join('/')}`.replace(/\/+/g, '/');
        out.push({
          method,
          path,
          isPublic: !!reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets),
          roles: reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets),
          params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]),
          bodyType,
          queryType,
          rawRequest,
        });
      }
    }
  }
  return out;
}

/** A concrete URL for a route pattern: every parameter becomes an id that does not exist. */
export const concrete = (path: string) => path.replace(/:(\w+)(\.csv|\.json)?/g, (_m, name: string, ext?: string) => (name === 'quarter' ? '2099Q1' : '999999') + (ext ?? ''));

/** The route pattern with each `:param` replaced by `values[name]` (already URL-encoded by the caller). */
export const fill = (path: string, values: Record<string, string>) => path.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? '');
