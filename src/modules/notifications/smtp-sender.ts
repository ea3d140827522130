import { createTransport } from 'nodemailer';
import type { MailSender } from './notification-delivery.ts';

/** E-mail through the SMTP server of SMTP_URL (nodemailer): plain text plus HTML, with the notification's own Message-ID. */
export function smtpSender(smtpUrl: string, from: string): MailSender {
  const transport = createTransport(smtpUrl);
  return async (mail) => {
    await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });
  };
}
