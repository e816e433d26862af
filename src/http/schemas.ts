import { z } from 'zod';
import { AppError } from '../errors.ts';

/**
 * Input schemas shared by every module's routes. PostgreSQL refuses NUL in text and JSON, and ids
 * beyond bigint or JavaScript's safe integers, so these are refused here with a French message
 * instead of failing later as a 500.
 */

// Tabs and line ends are ordinary in a textarea; other control characters are never meant.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const NO_CONTROL = 'caractères de contrôle interdits';

/** Any text field: trimmed, bounded, no control characters. */
export const text = (max: number, min = 0, tooShort = 'champ requis') =>
  z
    .string()
    .trim()
    .max(max, `${max} caractères au plus`)
    .min(min, tooShort)
    .refine((s) => !CONTROL.test(s), NO_CONTROL);

/** An optional text field: empty becomes null. */
export const optText = (max: number) => text(max).transform((s) => (s ? s : null));

const BAD_ID = 'identifiant invalide : nombre entier positif attendu';

/** A database id as it arrives in a path or a form: decimal digits only, within bigint and safe integers. */
export const Id = z
  .string()
  .trim()
  .regex(/^\d{1,15}$/, BAD_ID)
  .transform(Number)
  .refine((n) => n > 0, BAD_ID);

/** An optional id from a select: empty means none. */
export const OptionalId = z
  .string()
  .trim()
  .regex(/^(\d{1,15})?$/, BAD_ID)
  .transform((s) => (s ? Number(s) : null))
  .refine((n) => n !== 0, BAD_ID);

export const IdParams = z.object({ id: Id });

/** A calendar date `AAAA-MM-JJ` that exists (no 2030-13-45, no 31 February). */
export const IsoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ attendue')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'date inexistante');

/** Free JSON options of an import: an object whose strings PostgreSQL can store (no NUL). */
export const OptionsJson = z
  .string()
  .max(2000, '2000 caractères au plus')
  .transform((s, c) => {
    if (!s.trim()) return {};
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      c.addIssue({ code: 'custom', message: 'les options doivent être un objet JSON' });
      return z.NEVER;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      c.addIssue({
        code: 'custom',
        message: 'les options doivent être un objet JSON, par exemple {"niveau": "commune"}',
      });
      return z.NEVER;
    }
    if (JSON.stringify(v).includes('\\u0000')) {
      c.addIssue({ code: 'custom', message: NO_CONTROL });
      return z.NEVER;
    }
    return v as Record<string, unknown>;
  });

/** The CSRF field every form carries; checked by the security hook, accepted by every form schema. */
export const CsrfField = { _csrf: z.string().max(100).optional() };

/** French summary of a zod failure for a message shown to users. */
export const issuesText = (e: z.ZodError) =>
  e.issues.map((i) => `${i.path.length ? `${i.path.join('.')} : ` : ''}${i.message}`).join(' ; ');

/** A form body checked against its schema, or a 400 naming each bad field in French. */
export function parseForm<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const p = schema.safeParse(body ?? {});
  if (!p.success)
    throw new AppError('REQUETE_INVALIDE', p.error.message, `Formulaire invalide : ${issuesText(p.error)}`);
  return p.data;
}
