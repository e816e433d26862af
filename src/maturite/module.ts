import type { AppModule } from '../context.ts';
import { registerMaturiteApi } from './api.ts';
import { maturiteCampagneJob } from './campaign-job.ts';
import { maturitePersonalData } from './personal-data.ts';
import { registerMaturitePages } from './routes.ts';
import { ensureQuestionnaire } from './service.ts';
import { maturiteTerritorySection } from './territory-section.ts';

/**
 * Digital-maturity observatory (issue 13, SCORAN orientation 11): anonymous self-diagnostic, result page,
 * aggregates by territory, sector and size band published from 10 respondents.
 */
export const maturiteModule: AppModule = {
  name: 'maturite',
  personalData: [maturitePersonalData],
  jobs: [maturiteCampagneJob],
  async register(app, ctx) {
    // The questionnaire file is loaded into its tables at start-up (a no-op when this content already is).
    await ensureQuestionnaire(ctx.db);
    registerMaturiteApi(app, ctx);
    registerMaturitePages(app, ctx);
    ctx.territorySections.push(maturiteTerritorySection(ctx));
  },
};
