import type { AppModule } from '../context.ts';
import { comingSoon } from '../pages/routes.ts';

export const observatoryModule: AppModule = {
  name: 'observatoire',
  register(app, ctx) {
    comingSoon(app, ctx, { href: '/observatoire', title: 'Observatoire des réseaux', what: 'le suivi du déploiement de la fibre et du très haut débit, et de la couverture mobile, par territoire et dans le temps, face aux objectifs régionaux' });
  },
};
