/**
 * Aid alerts on the real Aides-territoires export: a saved search, a digest after the import with the
 * new open aids, received by an in-process SMTP server; deadlines announced once; the account's page.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { SMTPServer } from 'smtp-server';
import { createOrganisation, createUser } from '../../src/accounts/service.ts';
import { sendAidDigests } from '../../src/resources/alerts.ts';
import { parseCsv } from '../csv.ts';
import { backends, cookieHeader, csrfIn, missingShared, setup, shared, signIn } from '../helpers.ts';

const EXPORT = 'aides-territoires/aides-territoires-export-periurbain-2022-11.csv.gz';
const skip = missingShared(EXPORT);
/** The text of a received message: its body, quoted-printable decoded (what nodemailer sends for UTF-8 text). */
const bodyOf = (raw: string) => {
  const qp = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/=\r?\n/g, '');
  return Buffer.from(
    qp.replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
};
const iso = (fr: string) => {
  const m = /^(\d\d)\/(\d\d)\/(\d{4})$/.exec(fr);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : null;
};

for (const backend of backends()) {
  describe(`aid alerts (${backend.name})`, { skip }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const mails: { to: string; raw: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          done();
        });
      },
    });
    let cookie = '';
    let csrf = '';
    const rows = skip ? [] : parseCsv(zlib.gunzipSync(fs.readFileSync(shared(EXPORT))).toString('utf8'));
    const header = rows[0] ?? [];
    const aids = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
    const post = (url: string, form: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
      });

    before(async () => {
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
      const port = (smtp.server.address() as AddressInfo).port;
      t = await setup(backend, { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://numerique.example.fr' });
      const sys = { id: null, label: 'test' };
      const org = await createOrganisation(t.db, sys, {
        nom: 'Commune test',
        type: 'autre',
        territoireNiveau: null,
        territoireCode: null,
      });
      await createUser(t.db, sys, {
        email: 'veille@alertes.test',
        nom: 'Veille Aides',
        motDePasse: 'Zq8!vT3#pL9@wM2a',
        role: 'editeur',
        organisationId: org,
      });
      const { jar } = await signIn(t.app, 'veille@alertes.test', 'Zq8!vT3#pL9@wM2a');
      cookie = cookieHeader(jar);
      const page = await t.app.inject({ method: 'GET', url: '/ressources/aides?type=pret', headers: { cookie } });
      assert.match(page.body, /Être prévenu des nouvelles aides de cette recherche \(type : Prêt\)/);
      csrf = csrfIn(page.body);
    });
    after(async () => {
      await t.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    });

    test('an alert on loans: after the import, one e-mail lists the new loans still open, with their links', async () => {
      let r = await post('/ressources/aides/alertes', { nom: 'Prêts', type: 'pret', niveau: 'commune', code: '99999' });
      assert.equal(r.statusCode, 400);
      assert.doesNotMatch(r.body, /TERRITOIRE_INCONNU:/);
      assert.match(r.body, /Rien n’a été enregistré/);
      r = await post('/ressources/aides/alertes', { nom: 'Prêts', type: 'pret' });
      assert.equal(r.statusCode, 303);
      const run = await t.ctx.runImport({
        job: 'aides-territoires',
        source: shared(EXPORT),
        options: { territoire: 'france' },
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const today = new Date().toISOString().slice(0, 10);
      const open = aids.filter(
        (a) =>
          a["Types d'aides"]!.split(';').includes('Prêt') &&
          (!iso(a['Date Clôture']!) || iso(a['Date Clôture']!)! >= today),
      );
      assert.ok(open.length > 0, 'the export has loans without a past deadline');
      assert.equal(mails.length, 1);
      assert.equal(mails[0]!.to, 'veille@alertes.test');
      const body = bodyOf(mails[0]!.raw);
      assert.match(body, new RegExp(`Nouvelles aides \\(${open.length}\\) :`));
      for (const a of open) assert.ok(body.includes(`- ${a.Nom}`), a.Nom);
      assert.match(body, /https:\/\/numerique\.example\.fr\/ressources\/aides\/\d+/);
      const mine = await t.app.inject({ method: 'GET', url: '/compte/alertes', headers: { cookie } });
      assert.match(mine.body, /envoyé par courriel/);
      // The same file again: nothing new, nothing sent.
      const again = await t.ctx.runImport({
        job: 'aides-territoires',
        source: shared(EXPORT),
        options: { territoire: 'france' },
        startedBy: 'test',
        force: true,
      });
      assert.equal(again.status, 'succeeded', again.message ?? '');
      assert.equal(mails.length, 1);
    });

    test('deadlines within 14 days are announced once', async () => {
      const r = await post('/ressources/aides/alertes', { nom: 'Toutes' });
      assert.equal(r.statusCode, 303);
      // As if the digest ran on 20 November 2022, when the export was current.
      const closing = aids.filter((a) => {
        const d = iso(a['Date Clôture']!);
        return d && d >= '2022-11-20' && d <= '2022-12-04';
      });
      assert.ok(closing.length > 0);
      const before = mails.length;
      const first = await sendAidDigests(t.ctx, new Date('2022-11-20T08:00:00Z'));
      assert.equal(first.digests, 1);
      assert.equal(mails.length, before + 1);
      const body = bodyOf(mails.at(-1)!.raw);
      assert.doesNotMatch(body, /Nouvelles aides/);
      assert.match(body, new RegExp(`Dates limites dans les 14 prochains jours \\(${closing.length}\\) :`));
      for (const a of closing) assert.ok(body.includes(`- ${a.Nom}`), a.Nom);
      const second = await sendAidDigests(t.ctx, new Date('2022-11-20T09:00:00Z'));
      assert.equal(second.digests, 0);
      assert.equal(mails.length, before + 1);
    });

    test('the account holder deletes their alert; visitors see nothing', async () => {
      assert.equal((await t.app.inject({ method: 'GET', url: '/compte/alertes' })).statusCode, 401);
      const page = await t.app.inject({ method: 'GET', url: '/compte/alertes', headers: { cookie } });
      const del = [...page.body.matchAll(/action="(\/compte\/alertes\/\d+\/suppression)"/g)].map((m) => m[1]!);
      assert.equal(del.length, 2);
      assert.equal((await post(del[0]!, {})).statusCode, 303);
      const after = await t.app.inject({ method: 'GET', url: '/compte/alertes', headers: { cookie } });
      assert.equal([...after.body.matchAll(/\/suppression"/g)].length, 1);
      assert.equal((await post(del[0]!, {})).statusCode, 404);
    });
  });
}
