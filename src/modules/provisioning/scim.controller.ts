import { createHash, randomUUID } from 'node:crypto';
import { All, Controller, Delete, Get, Inject, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { WrongExpectedRevisionError } from '#event-store';
import { correlationIdOf } from '../../platform/auth/context.ts';
import type { RequestContext } from '../../platform/auth/request-context.ts';
import { TokenVerifier, type Actor } from '../../platform/auth/token-verifier.ts';
import type { MutationInput } from '../../platform/command/command-pipeline.ts';
import { RunUseCase, type AnyUseCase } from '../../platform/command/use-case.ts';
import type { AppConfig } from '../../platform/config/config.ts';
import { logger } from '../../platform/observability/logger.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { APP_CONFIG } from '../../platform/shared/tokens.ts';
import { EVERY_MEMBER, findMember, findMemberByUserName, listMembersForDirectory, type MemberView } from '../members/index.ts';
import { changeProvisionedMember, deprovisionMember, provisionMember } from './provisioning.use-cases.ts';
import { scimActor } from './scim-auth.ts';
import {
  applyUserPatch,
  fromScimUser,
  listResponse,
  pagingOf,
  parseUserFilter,
  resourceTypes,
  schemas,
  ScimError,
  scimErrorBody,
  serviceProviderConfig,
  toScimUser,
  userResourceType,
  type DirectoryMember,
  type DirectoryUserInput,
} from './scim/index.ts';

const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/**
 * SCIM 2.0 (RFC 7643, RFC 7644) for the organisation's directory: Microsoft Entra ID, Okta and the like provision
 * members here. Joiners are registered, movers changed and leavers recorded as having left, each as the member's own
 * events (source `provisioning`), through the same use-case handler as every GraphQL mutation. Only the provisioning
 * client may call it (see scim-auth.ts); every answer, a refusal included, is SCIM's JSON.
 */
@Controller('scim/v2')
export class ScimController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(TokenVerifier) private readonly tokens: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('ServiceProviderConfig')
  serviceProviderConfig(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async () => ({ status: 200, body: serviceProviderConfig(baseUrl(req)) }));
  }

  @Get('ResourceTypes')
  resourceTypes(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async () => ({ status: 200, body: resourceTypes(baseUrl(req)) }));
  }

  @Get('ResourceTypes/User')
  userResourceType(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async () => ({ status: 200, body: userResourceType(baseUrl(req)) }));
  }

  @Get('Schemas')
  schemas(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async () => ({ status: 200, body: schemas(baseUrl(req)) }));
  }

  @Get('Users')
  listUsers(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async () => {
      const query = req.query as Record<string, unknown>;
      const filter = query['filter'] === undefined ? {} : parseUserFilter(query['filter']);
      const { startIndex, count } = pagingOf(query);
      const page = await listMembersForDirectory(this.db, { startIndex, count, ...filter });
      const resources = page.members.map((member) => toScimUser(directoryMember(member), baseUrl(req)));
      return { status: 200, body: listResponse(resources, page.totalResults, startIndex, resources.length) };
    });
  }

  @Get('Users/:id')
  getUser(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async () => this.userAnswer(req, 200, await this.existing(req)));
  }

  /**
   * A joiner. The member id is derived from the user name (lower-cased, as SCIM compares it), so a create the client
   * retries after losing the answer lands on the same member, and two creates of one user cannot make two members:
   * the second is refused as SCIM's uniqueness conflict, with nothing recorded.
   */
  @Post('Users')
  createUser(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async (context) => {
      const user = fromScimUser(req.body);
      if (!user.active) throw new ScimError(400, 'a user is created active; disable them once they exist', 'invalidValue');
      const taken = await findMemberByUserName(this.db, user.userName);
      if (taken) throw new ScimError(409, `userName ${user.userName} is already provisioned (id ${taken.id})`, 'uniqueness');
      const memberId = memberIdFor(user.userName);
      const member = await this.run<MemberView>(provisionMember, { memberId, user }, context);
      res.setHeader('location', `${baseUrl(req)}/Users/${encodeURIComponent(member.id)}`);
      return this.userAnswer(req, 201, member);
    });
  }

  @Put('Users/:id')
  replaceUser(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async (context) => {
      const member = await this.existing(req);
      return this.userAnswer(req, 200, await this.change(req, context, member, fromScimUser(req.body)));
    });
  }

  @Patch('Users/:id')
  patchUser(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async (context) => {
      const member = await this.existing(req);
      const patched = applyUserPatch(toScimUser(directoryMember(member), baseUrl(req)), req.body);
      return this.userAnswer(req, 200, await this.change(req, context, member, fromScimUser(patched)));
    });
  }

  /** A leaver. Deleting one who left already records nothing (the directory retries). */
  @Delete('Users/:id')
  deleteUser(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async (context) => {
      const member = await this.existing(req);
      if (member.status === 'ACTIVE') {
        await this.run(deprovisionMember, { memberId: member.id, expectedRevision: ifMatch(req) }, context);
      }
      return { status: 204 };
    });
  }

  /**
   * Anything else under /scim/v2, and /scim/v2 itself (which `*path` does not match), is SCIM's 404 (Groups and Bulk
   * are not offered: see ServiceProviderConfig).
   */
  @All(['', '*path'])
  unknown(@Req() req: Request, @Res() res: Response) {
    return this.handle(req, res, async () => {
      throw new ScimError(
        404,
        `no SCIM resource at ${shown(req.path)} (this service offers Users, ServiceProviderConfig, ResourceTypes and Schemas)`,
      );
    });
  }

  /** A mover or a leaver, from what the directory now says: only what changed is recorded. */
  private async change(req: Request, context: RequestContext, member: MemberView, user: DirectoryUserInput): Promise<MemberView> {
    if (member.status !== 'ACTIVE') {
      if (user.active) throw new ScimError(400, `member ${member.id} left the organisation and cannot be made active again`, 'mutability');
      return member;
    }
    const expectedRevision = ifMatch(req);
    let changed = await this.run<MemberView>(changeProvisionedMember, { memberId: member.id, user, expectedRevision }, context);
    if (!user.active) {
      // Disabled: recorded as having left, on the revision the change left the stream at.
      changed = await this.run<MemberView>(deprovisionMember, { memberId: member.id, expectedRevision: changed.revision }, context);
    }
    return changed;
  }

  private async existing(req: Request): Promise<MemberView> {
    const id = String(req.params['id'] ?? '');
    const member = await findMember(this.db, id, EVERY_MEMBER);
    if (!member) throw new ScimError(404, `no user ${shown(id)}`);
    return member;
  }

  private run<Answer>(
    useCase: AnyUseCase<Answer>,
    input: MutationInput & Record<string, unknown>,
    context: RequestContext,
  ): Promise<Answer> {
    return this.commands.execute(new RunUseCase(useCase, input, context));
  }

  private userAnswer(req: Request, status: number, member: MemberView): Answer {
    const user = toScimUser(directoryMember(member), baseUrl(req));
    return { status, body: user, etag: user.meta.version };
  }

  /** Who calls, then the work; every failure answered in SCIM's error format, and only the unexpected logged as such. */
  private async handle(req: Request, res: Response, work: (context: RequestContext) => Promise<Answer>): Promise<void> {
    let answer: Answer;
    try {
      const actor: Actor = await scimActor(req.headers.authorization, this.config.scimToken, this.tokens);
      const correlationId = (req as Request & { correlationId?: string }).correlationId ?? correlationIdOf(req) ?? randomUUID();
      answer = await work({ actor, correlationId, source: 'provisioning' });
    } catch (error) {
      answer = refusal(error);
    }
    res.status(answer.status);
    if (answer.etag) res.setHeader('etag', answer.etag);
    if (answer.body === undefined) {
      res.end();
      return;
    }
    res.setHeader('content-type', SCIM_CONTENT_TYPE);
    res.send(JSON.stringify(answer.body));
  }
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly etag?: string;
}

function refusal(error: unknown): Answer {
  const scim = scimErrorOf(error);
  if (scim) return { status: scim.status, body: scimErrorBody(scim) };
  logger.error('unexpected error in a SCIM request', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return { status: 500, body: scimErrorBody(new ScimError(500, 'internal error')) };
}

/** The service's refusals in SCIM's terms (RFC 7644 §3.12). */
function scimErrorOf(error: unknown): ScimError | undefined {
  if (error instanceof ScimError) return error;
  if (error instanceof WrongExpectedRevisionError) {
    return new ScimError(412, `the user was changed meanwhile (now at version W/"${error.actual ?? 'none'}"): read it again`);
  }
  if (!(error instanceof DomainError)) return undefined;
  switch (error.code) {
    case 'BAD_USER_INPUT':
      return new ScimError(400, error.message, 'invalidValue');
    case 'NOT_FOUND':
      return new ScimError(404, error.message);
    case 'CONFLICT':
      return new ScimError(409, error.message, 'uniqueness');
    case 'FORBIDDEN':
      return new ScimError(403, error.message);
    default:
      return undefined;
  }
}

/** `If-Match: W/"3"` (or `"3"`): the revision the client last read, checked as expectedRevision. `*` or none: any. */
function ifMatch(req: Request): number | undefined {
  const header = req.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(-?\d{1,9})"$/.exec(header.trim());
  if (!match) throw new ScimError(400, 'If-Match must be an ETag this service gave, like W/"3"', 'invalidValue');
  return Number(match[1]);
}

export function memberIdFor(userName: string): string {
  return `scim-${createHash('sha256').update(userName.toLowerCase(), 'utf8').digest('hex').slice(0, 24)}`;
}

/**
 * What the client asked for, quoted in a refusal: at most 100 characters, escaped as JSON, so that a refusal neither
 * sends kilobytes of a hostile id back nor carries its control characters into the directory's logs.
 */
function shown(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/scim/v2`;
}

function directoryMember(member: MemberView): DirectoryMember {
  return {
    memberId: member.id,
    userName: member.userName,
    externalId: member.externalId,
    displayName: member.displayName,
    department: member.department,
    emails: member.emails.map((email) => ({ value: email.value, type: email.type, primary: email.primary })),
    preferredLanguage: member.preferredLanguage,
    active: member.status === 'ACTIVE',
    revision: member.revision,
    created: member.registeredAt,
    lastModified: member.updatedAt,
  };
}
