import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { memberIdFor } from '../../src/modules/provisioning/scim.controller.ts';
import type { DueWorkScheduler } from '../../src/platform/scheduling/due-work-scheduler.ts';
import type { TestService } from './test-service.ts';

/** A real SMTP server on a free local port (no TLS, no auth); every message it takes is parsed into `received`. */
export interface TestMailServer {
  readonly received: ParsedMail[];
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  readonly url: string;
  close(): Promise<void>;
}

/** `received`: where the messages go (a test may keep its own array); a new one by default. */
export async function startMailServer(received: ParsedMail[] = []): Promise<TestMailServer> {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  return { received, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}

/** A member provisioned over SCIM with a work address (and a language, if given); fails the test unless created. */
export async function provisionWithAddress(
  t: TestService,
  scimToken: string,
  userName: string,
  email: string,
  preferredLanguage?: string,
): Promise<string> {
  const response = await fetch(`${t.service.url}/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      displayName: userName,
      active: true,
      ...(preferredLanguage === undefined ? {} : { preferredLanguage }),
      emails: [{ value: email, type: 'work', primary: true }],
    }),
  });
  expect(response.status).toBe(201);
  return memberIdFor(userName);
}

/** One of the service's schedulers by name (the tests drive them with runOnce). */
export function schedulerNamed(t: TestService, name: string): DueWorkScheduler<unknown> {
  const found = t.service.schedulers.find((s) => (s as DueWorkScheduler<unknown>).name === name);
  if (!found) throw new Error(`the service runs no scheduler named ${name}`);
  return found as DueWorkScheduler<unknown>;
}
