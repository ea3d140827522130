import { stat, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { signDevelopmentToken } from '../auth/development-token.ts';
import type { AppConfig } from '../config/config.ts';
import { APP_CONFIG } from '../shared/tokens.ts';
import { logger } from '../observability/logger.ts';
import {
  adminSecurityHeaders,
  adminSignIn,
  bundlePath,
  developmentSignInEnabled,
  developmentTokenCallerProblem,
  negotiateEncoding,
  parseDevelopmentTokenRequest,
  PRECOMPRESSED,
  type ContentCoding,
} from './admin-console.ts';

const DEVELOPMENT_TOKEN_HOURS = 8;

/**
 * The admin console: the static files Vite built (`npm run build:admin`, into ADMIN_BUNDLE_DIR), index.html for
 * /admin and every client route under it. The console itself talks to the public GraphQL API only; the two small
 * routes here are about signing in: how (config.json) and, in development only, a development token.
 */
@Controller('admin')
export class AdminController {
  private readonly headers: Record<string, string>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.headers = adminSecurityHeaders(config);
  }

  @Get('config.json')
  signIn(@Res() res: Response): void {
    this.secure(res);
    res.setHeader('cache-control', 'no-store');
    res.json({ signIn: adminSignIn(this.config), graphqlPath: '/graphql' });
  }

  /** Development only (see developmentSignInEnabled); 404 otherwise, as if it did not exist. */
  @Post('dev-token')
  async developmentToken(@Req() req: Request, @Res() res: Response): Promise<void> {
    this.secure(res);
    res.setHeader('cache-control', 'no-store');
    const auth = this.config.auth;
    if (!developmentSignInEnabled(this.config) || auth.mode !== 'hs256') {
      res.status(404).json({ statusCode: 404, message: 'Not Found' });
      return;
    }
    // Against DNS rebinding: another site's page that made its name point here would be same-origin with the service.
    const callerProblem = developmentTokenCallerProblem(
      { host: req.headers.host, origin: req.headers.origin },
      this.config.security.adminOrigins,
    );
    if (callerProblem) {
      res.status(403).json({ statusCode: 403, message: callerProblem });
      return;
    }
    // A JSON body only: a cross-site form or no-cors request cannot send one without a preflight that fails.
    if (!req.is('application/json')) {
      res.status(415).json({ statusCode: 415, message: 'send application/json: { "memberId": "...", "roles": ["..."] }' });
      return;
    }
    const request = parseDevelopmentTokenRequest(req.body);
    if (typeof request === 'string') {
      res.status(400).json({ statusCode: 400, message: request });
      return;
    }
    const token = await signDevelopmentToken(auth.secret, request.memberId, request.roles, `${DEVELOPMENT_TOKEN_HOURS}h`);
    logger.info('admin console: development token issued', { memberId: request.memberId, roles: request.roles });
    res.status(200).json({ token, expiresAt: new Date(Date.now() + DEVELOPMENT_TOKEN_HOURS * 3_600_000).toISOString() });
  }

  @Get()
  index(@Res() res: Response): Promise<void> {
    return this.sendIndex(res);
  }

  @Get('*path')
  async file(@Req() req: Request, @Res() res: Response): Promise<void> {
    const raw = (req.params as Record<string, string | string[]>).path;
    const segments = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split('/') : [];
    const file = bundlePath(this.config.admin.bundleDir, segments);
    if (file && (await isFile(file))) {
      this.secure(res);
      const hashed = segments[0] === 'assets';
      // The copy the build compressed, when the client takes it: the type stays the file's, the length the copy's.
      const available = await precompressedCodings(file);
      if (available.length > 0) res.vary('Accept-Encoding');
      const coding = negotiateEncoding(req.headers['accept-encoding'], available);
      res.type(extname(file));
      if (coding) res.setHeader('content-encoding', coding);
      const sent = coding ? file + PRECOMPRESSED[coding] : file;
      res.sendFile(sent, { dotfiles: 'deny', maxAge: hashed ? '365d' : 0, immutable: hashed, lastModified: !hashed }, (error) => {
        if (error && !res.headersSent) {
          res.removeHeader('content-encoding');
          res.status(404).type('text/plain').send('Not found');
        }
      });
      return;
    }
    // A missing file of the bundle is a 404; anything else is a route of the console, which index.html handles.
    if (segments[0] === 'assets' || /\.(js|css|map|svg|png|ico|json|woff2?)$/i.test(segments.at(-1) ?? '')) {
      this.secure(res);
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    await this.sendIndex(res);
  }

  private async sendIndex(res: Response): Promise<void> {
    this.secure(res);
    res.setHeader('cache-control', 'no-cache');
    let html: string;
    try {
      html = await readFile(join(this.config.admin.bundleDir, 'index.html'), 'utf8');
    } catch {
      res
        .status(503)
        .type('text/plain')
        .send(
          `The admin console is not built. Run \`npm run build:admin\` (npm start and npm run build do it), ` +
            `then reload. Expected its files in ${this.config.admin.bundleDir}.\n`,
        );
      return;
    }
    res.status(200).type('html').send(html);
  }

  private secure(res: Response): void {
    for (const [name, value] of Object.entries(this.headers)) res.setHeader(name, value);
  }
}

/** The codings of the compressed copies the build wrote next to a file (none where compressing gained nothing). */
async function precompressedCodings(file: string): Promise<ContentCoding[]> {
  const codings = Object.keys(PRECOMPRESSED) as ContentCoding[];
  const present = await Promise.all(codings.map((coding) => isFile(file + PRECOMPRESSED[coding])));
  return codings.filter((_, i) => present[i]);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
