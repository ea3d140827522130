import { createTransport, type Transporter } from 'nodemailer';
import type { MailSender } from './notification-delivery.ts';

/**
 * Connections to the SMTP server while a backlog is sent (nodemailer's pool). Opening one costs a round trip per SMTP
 * command (greeting, EHLO) and, with TLS, a handshake: measured on the development machine, one connection per e-mail
 * held the delivery to about 8 e-mails a second (bench/notifications.bench.ts). Five is nodemailer's default, and what
 * relays accept from one client.
 */
const MAX_CONNECTIONS = 5;
/**
 * The pool is closed once no e-mail has been sent for this long: between passes of the delivery (every
 * SCHEDULER_INTERVAL_MS) nothing holds connections the server would time out, or wait for when it shuts down.
 */
const IDLE_CLOSE_MS = 1_000;

/** Sends through a pool of SMTP connections; `close` ends them now (a later send opens the pool again). */
export type SmtpSender = MailSender & { close(): void };

/** E-mail through the SMTP server of SMTP_URL (nodemailer): plain text plus HTML, with the notification's own Message-ID. */
export function smtpSender(smtpUrl: string, from: string): SmtpSender {
  let transport: Transporter | undefined;
  let sending = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const close = () => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    transport?.close();
    transport = undefined;
  };
  const send: MailSender = async (mail) => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    // The URL's own parameters (e.g. ?pool=false) take precedence over these, as nodemailer merges them.
    const through = (transport ??= createTransport({ url: smtpUrl, pool: true, maxConnections: MAX_CONNECTIONS }));
    sending++;
    try {
      await through.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });
    } finally {
      if (--sending === 0 && through === transport) {
        idleTimer = setTimeout(close, IDLE_CLOSE_MS);
        idleTimer.unref();
      }
    }
  };
  return Object.assign(send, { close });
}
