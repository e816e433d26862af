import type { AppModule } from '../context.ts';
import { registerLicencesPage } from './licences.ts';
import { COMING_SOON, comingSoon, registerStaticPages } from './routes.ts';

export const pagesModule: AppModule = {
  name: 'pages',
  register(app, ctx) {
    registerStaticPages(app, ctx);
    registerLicencesPage(app, ctx);
    for (const m of COMING_SOON) comingSoon(app, ctx, m);
  },
};
