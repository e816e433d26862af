import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { normalizeName } from '../text/normalize.ts';
import * as Q from './queries.ts';
import type { Niveau, Parent, Territory } from './schema.ts';

export type TerritoryDetail = Territory & {
  /** Set when the code asked for is an older commune code: the current commune's code. */
  ancienCode?: string;
  commune?: Q.CommuneRow;
  epci?: Q.EpciRow;
  departement?: Q.DepartementRow;
};

/** A territory with its parents, or TERRITOIRE_INCONNU. Older commune codes resolve to today's commune. */
export async function getTerritory(q: Queryable, niveau: Niveau, rawCode: string): Promise<TerritoryDetail> {
  const code = rawCode.toUpperCase();
  const unknown = () =>
    new AppError(
      'TERRITOIRE_INCONNU',
      `${niveau} ${code}`,
      `Aucun territoire de niveau « ${niveau} » ne porte le code ${code}.`,
    );
  switch (niveau) {
    case 'region': {
      const r = await Q.regionByCode(q, code);
      if (!r) throw unknown();
      const f = await Q.figuresOf(q, 'region', code);
      return { code: r.code, nom: r.nom, niveau, population: f.population, parents: [] };
    }
    case 'departement': {
      const d = await Q.departementByCode(q, code);
      if (!d) throw unknown();
      const r = await Q.regionByCode(q, d.region);
      const f = await Q.figuresOf(q, 'departement', code);
      return {
        code: d.code,
        nom: d.nom,
        niveau,
        population: f.population,
        parents: r ? [{ niveau: 'region', code: r.code, nom: r.nom }] : [],
        departement: d,
      };
    }
    case 'epci': {
      const e = await Q.epciByCode(q, code);
      if (!e) throw unknown();
      const depts = await Q.departementsOfEpci(q, code);
      const parents: Parent[] = depts.map((d) => ({ niveau: 'departement' as const, code: d.code, nom: d.nom }));
      for (const reg of new Map(depts.map((d) => [d.region, d.region_nom])))
        parents.push({ niveau: 'region', code: reg[0], nom: reg[1] });
      return { code: e.code, nom: e.nom, niveau, population: e.population, parents, epci: e };
    }
    case 'commune': {
      let c = await Q.communeByCode(q, code);
      let ancienCode: string | undefined;
      if (!c) {
        const current = await Q.currentCodeOf(q, code);
        if (current) {
          c = await Q.communeByCode(q, current);
          ancienCode = code;
        }
      }
      if (!c) throw unknown();
      const parents: Parent[] = [];
      if (c.commune_parente) {
        const p = await Q.communeByCode(q, c.commune_parente);
        if (p) parents.push({ niveau: 'commune', code: p.code, nom: p.nom });
      }
      const epciCode = c.epci ?? (c.commune_parente ? (await Q.communeByCode(q, c.commune_parente))?.epci : null);
      const e = epciCode ? await Q.epciByCode(q, epciCode) : undefined;
      if (e) parents.push({ niveau: 'epci', code: e.code, nom: e.nom });
      const d = await Q.departementByCode(q, c.departement);
      if (d) parents.push({ niveau: 'departement', code: d.code, nom: d.nom });
      const r = await Q.regionByCode(q, c.region);
      if (r) parents.push({ niveau: 'region', code: r.code, nom: r.nom });
      return {
        code: c.code,
        nom: c.nom,
        niveau,
        population: c.population,
        parents,
        commune: c,
        ...(e ? { epci: e } : {}),
        ...(d ? { departement: d } : {}),
        ...(ancienCode ? { ancienCode } : {}),
      };
    }
  }
}

export async function searchTerritories(q: Queryable, text: string, limit: number) {
  return Q.searchTerritories(q, normalizeName(text), text, limit);
}

/** The regions loaded, to check an instance's REGION against. */
export const listRegions = (q: Queryable) => Q.listRegions(q);

/**
 * Published for other modules: the SQL predicate selecting the current communes of a territory (`$1` = its code),
 * so a module can join its own commune-keyed table without knowing how territories are stored; EPCI and
 * département lists; every current commune with postcodes, population and parents (imports, computations).
 */
export {
  allCurrentCommunes,
  type CommuneRef,
  collectiviteSirens,
  communeRecords,
  communesAbove,
  communesOfSql,
  departementsOfRegion,
  epcisOf,
  listDepartements,
} from './queries.ts';
