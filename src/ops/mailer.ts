import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';

type Mail = { to: string; subject: string; text: string };
type Mailer = { send(m: Mail): Promise<void>; close(): void };

/** The platform's outgoing mail through `SMTP_URL`, or null when none is configured (nothing is sent). */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): Mailer | null {
  if (!config.smtpUrl) return null;
  const transport = nodemailer.createTransport(config.smtpUrl, { from: config.mailFrom });
  return {
    async send(m) {
      await transport.sendMail({ from: config.mailFrom, to: m.to, subject: m.subject, text: m.text });
    },
    close: () => transport.close(),
  };
}
