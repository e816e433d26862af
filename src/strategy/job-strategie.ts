import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { defineJob } from '../imports/job.ts';
import { readChunks, readLimits } from '../imports/read.ts';
import { StrategyFileSchema } from './schema.ts';
import { applyStrategyFile, type FileError, fileErrors, refreshProvidedMeasures } from './service.ts';

const MODELES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'modeles');
/** Seed strategies shipped in the repository (src/strategy/modeles/<name>.yaml). */
const MODELES = ['scoran-bfc', 'normandie-2017'] as const;
const modelePath = (m: (typeof MODELES)[number]) => path.join(MODELES_DIR, `${m}.yaml`);

/** A strategy file is small: anything larger is not one. */
const MAX_BYTES = 5 * 1024 * 1024;

async function readText(file: string, maxBytes: number): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of readChunks(file, { maxBytes })) parts.push(c);
  const buf = Buffer.concat(parts);
  if (buf.includes(0))
    throw new AppError(
      'SOURCE_ILLISIBLE',
      `${file}: binary`,
      'Ce fichier est binaire : une stratégie YAML ou JSON est attendue.',
    );
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

/** YAML (JSON is YAML too); French messages with line numbers for a file that does not parse. */
function parseStrategyText(text: string, name: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new AppError(
      'SOURCE_ILLISIBLE',
      `${name}: ${e.message}`,
      `${name} n’est pas un YAML ou un JSON lisible${line ? ` (ligne ${line})` : ''} : ${e.code === 'DUPLICATE_KEY' ? 'clé en double' : e.message.split('\n')[0]}.`,
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new AppError(
      'SOURCE_ILLISIBLE',
      `${name}: ${(e as Error).message}`,
      `${name} n’est pas un YAML lisible : ${(e as Error).message}.`,
    );
  }
}

export const strategieJob = defineJob({
  name: 'strategie',
  title: 'Stratégie régionale (fichier YAML ou JSON)',
  accepts:
    'Une stratégie au format de la plateforme (YAML ou JSON, voir le README) ; sans fichier, --option modele=scoran-bfc ou modele=normandie-2017 charge un modèle livré avec la plateforme. Réimporter le même fichier ne change rien.',
  options: z
    .object({
      modele: z
        .enum(MODELES, { error: `modèle attendu parmi ${MODELES.join(', ')}` })
        .optional()
        .describe('modèle livré à charger quand aucun fichier n’est donné'),
    })
    .strict(),
  defaultSource: (o) => (o.modele ? modelePath(o.modele) : undefined),
  async run({ db, tally, config }, source) {
    const limits = readLimits(config);
    const text = await readText(source.path, Math.min(limits.maxBytes, MAX_BYTES));
    const parsed = StrategyFileSchema.safeParse(parseStrategyText(text, source.name));
    if (!parsed.success) {
      const errors: FileError[] = parsed.error.issues.map((i) => ({
        ou: i.path.length ? i.path.join('.') : 'fichier',
        message: i.message,
      }));
      for (const e of errors) tally.reject(null, `${e.ou} : ${e.message}`);
      throw fileErrors(errors);
    }
    const f = parsed.data;
    const count = (ns: typeof f.noeuds): number => ns.reduce((s, n) => s + 1 + count(n.enfants), 0);
    const nodes = count(f.noeuds);
    tally.read = nodes + f.indicateurs.length;
    const r = await db.transaction((tx) => applyStrategyFile(tx, f, { label: `import ${source.name}`, id: null }));
    tally.accepted = tally.read;
    // Indicators computed from the platform's data get their measurements now, not at the next import.
    await refreshProvidedMeasures(db);
    return `Stratégie « ${f.slug} » : ${nodes} nœuds, ${f.indicateurs.length} indicateurs ; ${r.crees} créés, ${r.modifies} modifiés, ${r.supprimes} supprimés.`;
  },
});
