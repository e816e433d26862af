import { z } from 'zod';
import { text } from '../http/schemas.ts';

const empty = (v: unknown) => (v === '' ? undefined : v);

export const CatalogQuerySchema = z.object({
  theme: z.preprocess(empty, text(100).optional()),
  module: z.preprocess(empty, text(40).optional()),
});

/** `/donnees/{jeu}` or `/donnees/{jeu}.{format}`: checked against the registry in the handler (404 there). */
export const FileParams = z.object({ fichier: text(160) });
export const DatasetParams = z.object({ jeu: text(120) });
