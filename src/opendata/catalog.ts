import crypto from 'node:crypto';
import type { AppContext } from '../context.ts';
import { LICENCES, type LicenceId } from '../http/licences.ts';
import { lastChanges } from '../imports/service.ts';
import { type Distribution, distribution } from './cache.ts';
import type { Dataset } from './dataset.ts';
import { FORMATS, type Format, formatsOf } from './formats.ts';
import { PublicationError } from './publication.ts';

/** The catalogue as the pages, the DCAT-AP graph and data.json see it: datasets with their dates and resources. */

export type Stamp = { modified: Date; etag: string };

export const licenceOf = (d: Dataset): LicenceId => d.licence ?? 'licence-ouverte-2.0';
export const publisherOf = (ctx: AppContext, d: Dataset) => d.publisher ?? ctx.site().name;
export const spatialOf = (ctx: AppContext, d: Dataset) => d.spatial ?? `Région ${ctx.site().regionNom}`;

/**
 * When a dataset last changed and its ETag: the last runs that changed data of the jobs it derives from,
 * its own stamp for data entered on the platform, its schema and the instance's région. Without any of
 * them (nothing imported yet), the time of the question.
 */
export async function stampOf(ctx: AppContext, d: Dataset): Promise<Stamp> {
  const dctx = { db: ctx.db, config: ctx.config };
  const [runs, own] = await Promise.all([lastChanges(ctx.db, d.jobs), d.stamp?.(dctx)]);
  const dates = [...runs.map((r) => new Date(r.ended_at)), ...(own?.modified ? [own.modified] : [])];
  const modified = dates.length ? new Date(Math.max(...dates.map((x) => x.getTime()))) : null;
  const h = crypto
    .createHash('sha256')
    .update(
      JSON.stringify([
        d.id,
        d.schema,
        ctx.config.region,
        runs.map((r) => [r.job, r.id]),
        own?.tag ?? '',
        modified?.toISOString() ?? '',
      ]),
    )
    .digest('base64url')
    .slice(0, 22);
  return { modified: modified ?? new Date(Math.floor(Date.now() / 1000) * 1000), etag: `"${h}"` };
}

export function baseUrl(ctx: AppContext, req: { protocol: string; host: string }): string {
  return (ctx.config.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
}

export const downloadPath = (d: Dataset, f: string) => `/donnees/${d.id}.${f}`;

/** A dataset's distributions for its stamp, by format (null: refused by the publication check). */
export type Files = Map<Format, Distribution | null>;
type Described = { d: Dataset; stamp: Stamp; files: Files };

/**
 * The cached distributions of a dataset (generated now when missing), for their checksums and sizes. One
 * at a time: the first listing after an import regenerates what changed without running them all at once.
 */
export async function filesOf(ctx: AppContext, d: Dataset, stamp: Stamp): Promise<Files> {
  const files: Files = new Map();
  for (const f of formatsOf(d)) {
    try {
      files.set(f, await distribution(ctx, d, f, stamp));
    } catch (err) {
      if (!(err instanceof PublicationError)) throw err;
      ctx.log.error({ dataset: d.id, problems: err.problems }, 'open data: publication refused');
      files.set(f, null);
    }
  }
  return files;
}

async function described(ctx: AppContext): Promise<Described[]> {
  const list = [...ctx.datasets.values()].sort((a, b) => a.id.localeCompare(b.id));
  const out: Described[] = [];
  for (const d of list) {
    const stamp = await stampOf(ctx, d);
    out.push({ d, stamp, files: await filesOf(ctx, d, stamp) });
  }
  return out;
}

const FREQUENCY_EU: Record<string, string> = {
  trimestrielle: 'QUARTERLY',
  annuelle: 'ANNUAL',
  mensuelle: 'MONTHLY',
  continue: 'CONT',
  ponctuelle: 'NEVER',
  irreguliere: 'IRREG',
};

const sizeAndChecksum = <T>(x: Distribution | null | undefined, f: (x: Distribution) => T): T | Record<never, never> =>
  x ? f(x) : {};

/** DCAT-AP 2 graph of the catalogue (JSON-LD): one dcat:Catalog, its dcat:Dataset items and their distributions. */
export async function dcatCatalog(ctx: AppContext, base: string) {
  const items = await described(ctx);
  const site = ctx.site();
  const publisher = (name: string) => ({ '@type': 'foaf:Agent', 'foaf:name': name });
  return {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      foaf: 'http://xmlns.com/foaf/0.1/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
      vcard: 'http://www.w3.org/2006/vcard/ns#',
      spdx: 'http://spdx.org/rdf/terms#',
      'dcat:byteSize': { '@type': 'xsd:nonNegativeInteger' },
      'spdx:checksumValue': { '@type': 'xsd:hexBinary' },
      'spdx:algorithm': { '@type': '@id' },
      'dct:modified': { '@type': 'xsd:dateTime' },
      'dct:issued': { '@type': 'xsd:dateTime' },
      'dcat:downloadURL': { '@type': '@id' },
      'dcat:accessURL': { '@type': '@id' },
      'dcat:landingPage': { '@type': '@id' },
      'dct:license': { '@type': '@id' },
      'dct:conformsTo': { '@type': '@id' },
      'dct:accrualPeriodicity': { '@type': '@id' },
      'dcat:mediaType': { '@type': '@id' },
    },
    '@id': `${base}/donnees/catalogue.jsonld`,
    '@type': 'dcat:Catalog',
    'dct:title': `Catalogue des données ouvertes — ${site.name}`,
    'dct:description': `Jeux de données produits par la plateforme (${site.regionNom}), régénérés à chaque import.`,
    'dct:publisher': publisher(site.name),
    'dct:language': { '@id': 'http://publications.europa.eu/resource/authority/language/FRA' },
    'dcat:landingPage': `${base}/donnees`,
    'dct:modified': new Date(Math.max(0, ...items.map((x) => x.stamp.modified.getTime()))).toISOString(),
    'dcat:dataset': items.map(({ d, stamp, files }) => ({
      '@id': `${base}/donnees/${d.id}`,
      '@type': 'dcat:Dataset',
      'dct:identifier': d.id,
      'dct:title': d.title,
      'dct:description': d.description,
      'dct:publisher': publisher(publisherOf(ctx, d)),
      'dct:license': LICENCES[licenceOf(d)].url,
      'dct:modified': stamp.modified.toISOString(),
      'dcat:keyword': d.themes,
      'dct:spatial': { '@type': 'dct:Location', 'dct:title': spatialOf(ctx, d) },
      ...(d.temporal ? { 'dct:temporal': { '@type': 'dct:PeriodOfTime', 'dct:title': d.temporal } } : {}),
      'dct:accrualPeriodicity': `http://publications.europa.eu/resource/authority/frequency/${FREQUENCY_EU[d.frequency]}`,
      'dcat:landingPage': `${base}/donnees/${d.id}`,
      'dct:source': d.sources.map((s) => ({
        '@type': 'dcat:Dataset',
        'dct:title': `${s.producteur} — ${s.jeu}`,
        'dct:license': LICENCES[s.licence].url,
        ...(s.url ? { 'dcat:landingPage': s.url } : {}),
      })),
      'dcat:distribution': formatsOf(d).map((f) => ({
        '@id': `${base}${downloadPath(d, f)}`,
        '@type': 'dcat:Distribution',
        'dct:title': `${d.title} (${FORMATS[f].label})`,
        'dcat:downloadURL': `${base}${downloadPath(d, f)}`,
        'dcat:accessURL': `${base}${downloadPath(d, f)}`,
        'dcat:mediaType': `https://www.iana.org/assignments/media-types/${FORMATS[f].mediaType}`,
        'dct:format': f.toUpperCase(),
        'dct:license': LICENCES[licenceOf(d)].url,
        'dct:modified': stamp.modified.toISOString(),
        ...(f === 'csv' ? { 'dct:conformsTo': `${base}/donnees/${d.id}/schema.json` } : {}),
        ...sizeAndChecksum(files.get(f), (x) => ({
          'dcat:byteSize': String(x.bytes),
          'spdx:checksum': {
            '@type': 'spdx:Checksum',
            'spdx:algorithm': 'spdx:checksumAlgorithm_sha256',
            'spdx:checksumValue': x.sha256,
          },
        })),
      })),
    })),
  };
}

/** The `data.json` feed (Project Open Data style, harvestable by data.gouv.fr). */
export async function dataJson(ctx: AppContext, base: string) {
  const items = await described(ctx);
  return {
    '@type': 'dcat:Catalog',
    conformsTo: 'https://project-open-data.cio.gov/v1.1/schema',
    describedBy: 'https://project-open-data.cio.gov/v1.1/schema/catalog.json',
    dataset: items.map(({ d, stamp, files }) => ({
      '@type': 'dcat:Dataset',
      identifier: `${base}/donnees/${d.id}`,
      title: d.title,
      description: d.description,
      keyword: d.themes,
      publisher: { name: publisherOf(ctx, d) },
      license: LICENCES[licenceOf(d)].url,
      modified: stamp.modified.toISOString(),
      spatial: spatialOf(ctx, d),
      ...(d.temporal ? { temporal: d.temporal } : {}),
      landingPage: `${base}/donnees/${d.id}`,
      accessLevel: 'public',
      distribution: formatsOf(d).map((f) => ({
        '@type': 'dcat:Distribution',
        title: FORMATS[f].label,
        downloadURL: `${base}${downloadPath(d, f)}`,
        mediaType: FORMATS[f].mediaType,
        format: f.toUpperCase(),
        ...(f === 'csv' ? { describedBy: `${base}/donnees/${d.id}/schema.json` } : {}),
        ...sizeAndChecksum(files.get(f), (x) => ({
          byteSize: x.bytes,
          checksum: { algorithm: 'SHA-256', value: x.sha256 },
        })),
      })),
    })),
  };
}

/** The Table Schema document of a dataset (https://specs.frictionlessdata.io/table-schema/). */
export function tableSchemaJson(d: Dataset) {
  return {
    $schema: 'https://specs.frictionlessdata.io/schemas/table-schema.json',
    fields: d.schema.fields.map((f) => ({
      name: f.name,
      type: f.type,
      title: f.title,
      ...(f.description ? { description: f.description } : {}),
      ...(f.type === 'date' ? { format: 'default' } : {}),
      ...(f.required ? { constraints: { required: true } } : {}),
    })),
    ...(d.schema.primaryKey ? { primaryKey: d.schema.primaryKey } : {}),
    missingValues: [''],
  };
}
