/**
 * The error catalogue: stable codes (part of the public API), the HTTP status and the message
 * users read, in French. `detail` is for logs only and never reaches a response.
 */
export const ERRORS = {
  REQUETE_INVALIDE: { status: 400, message: 'La requête est invalide.' },
  NIVEAU_INCONNU: {
    status: 400,
    message: 'Niveau de territoire inconnu : attendu region, departement, epci ou commune.',
  },
  NON_AUTHENTIFIE: { status: 401, message: 'Vous devez être connecté pour effectuer cette action.' },
  IDENTIFIANTS_INVALIDES: { status: 401, message: 'Adresse électronique ou mot de passe incorrect.' },
  INTERDIT: { status: 403, message: "Vous n'avez pas les droits nécessaires pour cette action." },
  CSRF_INVALIDE: {
    status: 403,
    message: 'Le formulaire a expiré ou ne provient pas de ce site. Rechargez la page et recommencez.',
  },
  INTROUVABLE: { status: 404, message: "La page ou la ressource demandée n'existe pas." },
  TERRITOIRE_INCONNU: { status: 404, message: 'Aucun territoire ne correspond à ce code.' },
  JOB_INCONNU: { status: 404, message: "Ce type d'import n'existe pas." },
  IMPORT_EN_COURS: {
    status: 409,
    message: 'Un import est déjà en cours sur cette base ; réessayez dans quelques instants.',
  },
  FICHIER_TROP_GROS: { status: 413, message: 'Le fichier dépasse la taille maximale autorisée.' },
  TROP_DE_REQUETES: { status: 429, message: 'Trop de requêtes : patientez quelques instants avant de recommencer.' },
  SOURCE_ILLISIBLE: { status: 422, message: "La source n'a pas pu être lue (chemin, adresse ou format incorrect)." },
  IMPORT_ECHEC: { status: 422, message: "L'import a échoué ; les données déjà chargées n'ont pas été modifiées." },
  ERREUR_INTERNE: {
    status: 500,
    message: 'Une erreur inattendue est survenue. Elle a été enregistrée ; réessayez plus tard.',
  },
  INDISPONIBLE: { status: 503, message: 'Le service démarre ou est momentanément indisponible.' },
  IMPORT_ANNULE: { status: 409, message: "L'import a été annulé ; les données déjà chargées n'ont pas été modifiées." },
  DELAI_DEPASSE: { status: 408, message: 'La requête n’est pas arrivée complète à temps ; réessayez.' },
  REQUETE_TROP_GROSSE: { status: 413, message: 'La requête dépasse la taille maximale acceptée.' },
  URI_TROP_LONGUE: { status: 414, message: 'L’adresse demandée est trop longue.' },
  TYPE_NON_PRIS_EN_CHARGE: { status: 415, message: 'Le format des données envoyées n’est pas accepté ici.' },
  ENTETES_TROP_GRANDS: {
    status: 431,
    message: 'Les en-têtes de la requête sont trop volumineux (cookies trop nombreux ?).',
  },
  MOT_DE_PASSE_FAIBLE: { status: 400, message: 'Ce mot de passe est trop facile à deviner.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly userMessage: string = ERRORS[code].message,
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.status = ERRORS[code].status;
  }
}

export function errorBody(code: ErrorCode, message: string = ERRORS[code].message) {
  return { erreur: { code, message } };
}
