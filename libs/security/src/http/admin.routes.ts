import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { createApiKeyAdminHandler } from '../api-keys/api-key-admin.handler';
import { mountApiKeyAdmin } from '../api-keys/api-key-admin.mount';
import { ApiKeys } from '../api-keys/api-keys.service';
import { createKillSwitchAdminHandler } from '../governance/kill-switch-admin.handler';
import { mountKillSwitchAdmin } from '../governance/kill-switch-admin.mount';
import { KillSwitchStore } from '../governance/kill-switch.store';
import type { SecurityModuleOptions } from '../interfaces/security-module-options.interface';
import { SECURITY_MODULE_OPTIONS } from '../security.module-definition';
import { SecurityService } from '../security.service';

/** Where the admin endpoints are served by default. */
export const DEFAULT_ADMIN_PATH = '/rampart/admin';

/**
 * Mounts the admin endpoints on the app's HTTP adapter: `<path>/kill-switches`, and
 * `<path>/api-keys` when API keys are on.
 * Every admin request needs a credential with the module's `adminScope`; nothing is mounted when
 * no authentication is configured, since nobody could pass.
 */
@Injectable()
export class AdminRoutes implements OnModuleInit {
  constructor(
    @Inject(SECURITY_MODULE_OPTIONS) private readonly options: SecurityModuleOptions,
    private readonly security: SecurityService,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() private readonly apiKeys?: ApiKeys,
    @Optional() @Inject(KillSwitchStore) private readonly killSwitches?: KillSwitchStore,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || this.options.admin === false || !this.security.authenticator.enabled) return;
    const path = this.options.admin?.path ?? DEFAULT_ADMIN_PATH;
    const authorize = (req: IncomingMessage) =>
      this.security.authorizeAdmin(req.headers, 'admin', req.socket.remoteAddress);
    if (this.apiKeys)
      mountApiKeyAdmin(adapter, path, createApiKeyAdminHandler(this.apiKeys, authorize));
    if (this.killSwitches)
      mountKillSwitchAdmin(
        adapter,
        path,
        createKillSwitchAdminHandler(this.killSwitches, authorize),
      );
  }
}
