import { type AddressRow, addressById } from '../addresses/service.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { addressLicence } from '../http/licences.ts';
import { addressLabel } from '../text/label.ts';
import { type CommuneDistribution, communeDistribution } from './commune-stats.ts';
import { METHOD_LABEL, type Method } from './matching.ts';
import * as Q from './queries.ts';
import {
  CLASSE_LABEL,
  type ClasseDebit,
  classeRank,
  FIBRE_ETAT_LABEL,
  type FibreEtat,
  TECHNO_LABEL,
  TECHNO_PRIORITY,
  type Techno,
} from './reference.ts';

type Classe = { code: string; libelle: string } | null;
const classe = (c: string | null): Classe =>
  c ? { code: c, libelle: CLASSE_LABEL[c as ClasseDebit]?.libelle ?? c } : null;
const maxClasse = (list: (string | null)[]): string | null =>
  list.reduce<string | null>((m, c) => (classeRank(c) > classeRank(m) ? c : m), null);

function adresseLabel(a: Pick<AddressRow, 'numero' | 'suffixe' | 'voie' | 'code_postal' | 'commune'>): string {
  return addressLabel(a, 'postal');
}

export type Eligibility = Awaited<ReturnType<typeof eligibilityOf>>;

/**
 * What the answer says about the commune and the département, the same for every address there:
 * kept a few minutes per database, and dropped at every import and every edit of a public network.
 */
type CommuneContext = {
  counts: Awaited<ReturnType<typeof Q.buildingCountsOfCommune>>;
  stats: CommuneDistribution | null;
  bstats: Awaited<ReturnType<typeof Q.buildingStatsOfCommune>> | null;
  rips: Q.RipRow[];
  offres: Q.OffreRow[];
  absence: string | null;
};
const CACHE_MS = 5 * 60_000;
const caches = new WeakMap<object, Map<string, { at: number; v: CommuneContext }>>();

export function clearCommuneCache(q: Queryable): void {
  caches.delete(q);
}

async function communeContext(
  q: Queryable,
  code: string,
  dep: string,
  parente: string | null,
): Promise<CommuneContext> {
  let cache = caches.get(q);
  if (!cache) caches.set(q, (cache = new Map()));
  const hit = cache.get(code);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.v;
  const codes = [code, ...(parente ? [parente] : [])];
  const counts = await Q.buildingCountsOfCommune(q, code);
  const v: CommuneContext = {
    counts,
    stats: await communeDistribution(q, codes),
    bstats: counts.eligibilite ? await Q.buildingStatsOfCommune(q, code) : null,
    rips: await Q.ripsOfCommune(q, codes),
    offres: await Q.offresOfDepartement(q, dep),
    absence: await Q.absenceOfDepartement(q, dep),
  };
  if (cache.size > 5000) cache.clear();
  cache.set(code, { at: Date.now(), v });
  return v;
}

const THD: ClasseDebit[] = ['THD30', 'THD100', 'THD1G'];

/** The answer for one address: building-level when buildings were matched to it, commune-level otherwise. */
export async function eligibilityOf(q: Queryable, adresseId: string) {
  const a = await addressById(q, adresseId);
  if (!a)
    throw new AppError(
      'INTROUVABLE',
      `adresse ${adresseId}`,
      `Aucune adresse ne porte l’identifiant « ${adresseId} ». Recherchez l’adresse pour obtenir son identifiant.`,
    );
  const commune = await Q.communeOf(q, a.code_insee);
  const mci = await Q.mciBuildingsOfAddress(q, a.id);
  const fibre = await Q.fibreBuildingsOfAddress(q, a.id);
  const elig = await Q.eligibilityOfBuildings(
    q,
    mci.map((b) => b.imb_id),
  );
  const cc = await communeContext(q, a.code_insee, a.departement, commune?.commune_parente ?? null);
  const counts = cc.counts;
  const precision: 'adresse' | 'commune' = mci.length || fibre.length ? 'adresse' : 'commune';

  // Technologies: the best class per technology over the buildings of the address, with each operator's own classes.
  const byTech = new Map<Techno, Q.EligRow[]>();
  for (const e of elig) {
    const l = byTech.get(e.code_techno as Techno);
    if (l) l.push(e);
    else byTech.set(e.code_techno as Techno, [e]);
  }
  const technologies = TECHNO_PRIORITY.filter((t) => byTech.has(t)).map((t) => {
    const rows = byTech.get(t)!;
    const ops = new Map<string, Q.EligRow>();
    for (const r of rows) {
      const prev = ops.get(r.code_operateur);
      if (!prev || classeRank(r.classe_descendant) > classeRank(prev.classe_descendant)) ops.set(r.code_operateur, r);
    }
    return {
      code: t,
      nom: TECHNO_LABEL[t].nom,
      description: TECHNO_LABEL[t].description,
      filaire: TECHNO_LABEL[t].filaire,
      debit_descendant: classe(maxClasse(rows.map((r) => r.classe_descendant))),
      debit_montant: classe(maxClasse(rows.map((r) => r.classe_montant))),
      operateurs: [...ops.values()]
        .sort(
          (x, y) =>
            classeRank(y.classe_descendant) - classeRank(x.classe_descendant) ||
            (x.operateur_nom ?? x.code_operateur).localeCompare(y.operateur_nom ?? y.code_operateur),
        )
        .map((r) => ({
          code: r.code_operateur,
          nom: r.operateur_nom,
          debit_descendant: r.classe_descendant,
          debit_montant: r.classe_montant,
          saturation: r.saturation,
          limitation_go: r.limitation_go,
        })),
    };
  });
  const thdFilaire =
    mci.length && elig.length
      ? elig.some(
          (e) =>
            TECHNO_LABEL[e.code_techno as Techno]?.filaire &&
            THD.includes(e.classe_descendant as ClasseDebit) &&
            !e.saturation,
        )
      : null;

  // Fibre: the most advanced status among the buildings of the address.
  const order: FibreEtat[] = ['deploye', 'raccordable_demande', 'en_cours_deploiement', 'signe', 'cible', 'abandonne'];
  const f = [...fibre].sort(
    (x, y) => order.indexOf(x.imb_etat as FibreEtat) - order.indexOf(y.imb_etat as FibreEtat),
  )[0];
  const fibreOut = f
    ? {
        statut: f.imb_etat,
        statut_libelle: FIBRE_ETAT_LABEL[f.imb_etat as FibreEtat].libelle,
        explication: FIBRE_ETAT_LABEL[f.imb_etat as FibreEtat].explication,
        date_prevue: f.imb_etat === 'deploye' ? null : f.date_completude,
        date_completude: f.date_completude,
        date_mise_a_disposition_pm: f.pm_date_mad,
        pm_ref: f.pm_ref,
        pm_etat: f.pm_etat,
        operateur_immeuble: f.code_l331,
        categorie_locaux: f.catg_loc_imb,
        nb_locaux: f.nb_locaux,
        type_immeuble: f.type_imb,
      }
    : null;

  const locauxMci = mci.some((b) => b.nb_locaux !== null) ? mci.reduce((s, b) => s + (b.nb_locaux ?? 0), 0) : null;
  const locaux =
    locauxMci ?? (fibre.some((b) => b.nb_locaux !== null) ? fibre.reduce((s, b) => s + (b.nb_locaux ?? 0), 0) : null);

  // Fallback offers: always listed for the département; "applicable" says whether wired THD is absent here.
  const { offres, absence } = cc;
  const fibreDeployee = fibreOut?.statut === 'deploye';
  const applicable = thdFilaire === null ? (fibreDeployee ? false : null) : !thdFilaire && !fibreDeployee;
  const raison =
    applicable === true
      ? 'Aucun accès filaire à très haut débit (au moins 30 Mbit/s par la fibre, le câble ou le cuivre) n’est recensé à cette adresse : ces offres sans fil peuvent bénéficier de l’aide de l’État (programme France Très Haut Débit) lorsque c’est indiqué.'
      : applicable === false
        ? 'Un accès filaire à très haut débit est recensé à cette adresse : les offres de repli subventionnées ne la concernent en principe pas.'
        : `${mci.length || fibre.length ? 'Aucune donnée de technologies et de débits (Ma connexion internet) n’est rapprochée de cette adresse' : 'Faute de données à l’immeuble pour cette adresse'} : on ne sait pas si un accès filaire à très haut débit y est disponible. Si ce n’est pas le cas, ces offres sans fil peuvent bénéficier de l’aide de l’État (programme France Très Haut Débit) lorsque c’est indiqué.`;

  // The commune: observatory distribution (never presented as the address's own answer) and imported buildings.
  const { stats, bstats, rips } = cc;

  const message =
    precision === 'adresse'
      ? `Réponse à l’adresse : ${mci.length + fibre.length} immeuble${mci.length + fibre.length > 1 ? 's' : ''} des fichiers de l’ARCEP ${mci.length + fibre.length > 1 ? 'sont rapprochés' : 'est rapproché'} de cette adresse.`
      : counts.mci || counts.fibre
        ? `Aucun immeuble des fichiers de l’ARCEP importés n’a été rapproché de cette adresse (${counts.mci + counts.fibre} immeubles importés pour ${commune?.nom ?? a.commune}) : la réponse ci-dessous porte sur la commune, pas sur l’adresse.`
        : `Aucune donnée à l’immeuble n’a été importée pour la commune de ${commune?.nom ?? a.commune} : la réponse ci-dessous porte sur la commune, pas sur l’adresse.`;

  return {
    adresse: {
      id: a.id,
      label: adresseLabel(a),
      numero: a.numero,
      suffixe: a.suffixe,
      voie: a.voie,
      lieu_dit: a.lieu_dit,
      code_postal: a.code_postal,
      code_insee: a.code_insee,
      commune: a.commune,
      departement: a.departement,
      lon: a.lon,
      lat: a.lat,
      source: a.source,
      licence: addressLicence(a.source),
    },
    precision,
    message,
    immeubles: [
      ...mci.map((b) => ({
        source: 'mci' as const,
        imb_id: b.imb_id,
        appariement: b.appariement,
        appariement_libelle: METHOD_LABEL[b.appariement as Method],
        distance_m: b.distance_m,
        nb_locaux: b.nb_locaux,
        type: b.imb_type === 'imm' ? 'immeuble' : b.imb_type === 'pav' ? 'pavillon' : b.imb_type,
      })),
      ...fibre.map((b) => ({
        source: 'fibre' as const,
        imb_id: b.imb_id,
        appariement: b.appariement,
        appariement_libelle: METHOD_LABEL[b.appariement as Method],
        distance_m: b.distance_m,
        nb_locaux: b.nb_locaux,
        type: b.type_imb,
      })),
    ],
    locaux,
    technologies,
    thd_filaire: thdFilaire,
    fibre: fibreOut,
    offres_repli: {
      applicable,
      raison,
      departement: a.departement,
      absence,
      offres: offres.map((o) => ({
        operateur: o.operateur,
        technologie: o.technologie,
        satellite: o.satellite,
        quatre_g: o.quatre_g,
        thd_radio: o.thd_radio,
        site: o.site,
        aide_etat: o.aide_etat,
      })),
    },
    commune: {
      code: a.code_insee,
      nom: commune?.nom ?? a.commune,
      donnees_immeubles: {
        immeubles_mci: counts.mci,
        lignes_eligibilite: counts.eligibilite,
        immeubles_fibre: counts.fibre,
      },
      statistiques: stats,
      immeubles_importes: bstats?.locaux
        ? {
            immeubles: bstats.immeubles,
            locaux: bstats.locaux,
            locaux_fibre: bstats.locaux_fibre,
            part_fibre: bstats.locaux_fibre / bstats.locaux,
            locaux_thd_filaire: bstats.locaux_thd_filaire,
            part_thd_filaire: bstats.locaux_thd_filaire / bstats.locaux,
          }
        : null,
    },
    rip: rips.map((r) => ({
      nom: r.nom,
      porteur: r.porteur,
      exploitant: r.exploitant,
      contact_gros: r.contact_gros,
      email: r.email,
      telephone: r.telephone,
      site: r.site,
    })),
    url: `/eligibilite/adresse/${encodeURIComponent(a.id)}`,
  };
}
