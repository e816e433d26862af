import type { AppModule } from '../context.ts';
import { comingSoon } from '../pages/routes.ts';

export const eligibilityModule: AppModule = {
  name: 'eligibilite',
  register(app, ctx) {
    comingSoon(app, ctx, { href: '/eligibilite', title: 'Éligibilité à l’adresse', what: 'la recherche d’une adresse et, pour cette adresse, les technologies, débits, opérateurs, le statut et la date prévue de la fibre, et les offres de repli (THD radio, 4G fixe, satellite)' });
  },
};
