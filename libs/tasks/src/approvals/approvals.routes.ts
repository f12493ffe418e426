import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { loadPackage, type MaybePromise, type McpIdentity } from '@rampart/core';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ApprovalsAuthorize } from './approval.interfaces';
import { createApprovalsHandler } from './approvals-http.handler';
import { mountApprovals } from './approvals-http.mount';
import { ApprovalsService } from './approvals.service';

/** What the approvals need of `@rampart/security`'s `SecurityService`. */
interface Identifier {
  identify(
    headers: IncomingHttpHeaders,
    server: string,
    address?: string,
  ): MaybePromise<McpIdentity | undefined>;
}

/**
 * Mounts the approval endpoints on the app's HTTP adapter when approvals are configured: who
 * calls them is `approvals.authorize`, or the identity `SecurityModule` (`@rampart/security`)
 * gives the request's credentials (refusals are its `401`/`503`, audited as access events of the
 * server `approvals`). Without either nothing is mounted, since nobody could be told apart.
 */
@Injectable()
export class ApprovalRoutes implements OnModuleInit {
  private readonly logger = new Logger('Approvals');

  constructor(
    private readonly approvals: ApprovalsService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    const path = this.approvals.path;
    if (!this.approvals.enabled || !adapter || !path) return;
    const authorize = this.approvals.options?.authorize ?? this.fromSecurity();
    if (!authorize) {
      this.logger.warn(
        'Approval endpoints not served: neither approvals.authorize nor SecurityModule can tell who calls them',
      );
      return;
    }
    mountApprovals(adapter, path, createApprovalsHandler(this.approvals, authorize));
  }

  /** The security module's identification of a request, when the app has one. */
  private fromSecurity(): ApprovalsAuthorize | undefined {
    let security: Identifier | undefined;
    try {
      const lib = loadPackage<{ SecurityService: new (...args: never[]) => Identifier }>(
        '@rampart/security',
        'Approval endpoints behind SecurityModule',
      );
      security = this.moduleRef.get(lib.SecurityService, { strict: false });
    } catch {
      return undefined;
    }
    if (!security) return undefined;
    const identifier = security;
    return async (req: IncomingMessage) =>
      identifier.identify(req.headers, 'approvals', req.socket.remoteAddress);
  }
}
