import type { AppModule } from '../context.ts';
import { accessibiliteJob } from './accessibility-job.ts';
import { registerInclusionApi } from './api.ts';
import { registerInclusionEmbed } from './embed-routes.ts';
import { ifnJob } from './ifn-job.ts';
import { franceServicesJob, lieuxMediationJob } from './jobs.ts';
import { hasPlaces } from './queries.ts';
import { registerInclusionPages } from './routes.ts';
import { aidantsConnectJob, cnfsStructuresJob, lieuxPlateformeJob, tiersLieuxJob } from './structure-jobs.ts';
import { inclusionTerritorySection } from './territory-section.ts';

const ACCESSIBILITY_INPUTS = new Set([
  'lieux-mediation',
  'france-services',
  'aidants-connect',
  'cnfs-structures',
  'tiers-lieux',
  'lieux-plateforme',
  'adresses',
  'contours',
  'territoires',
]);

/** Digital inclusion (issue 10): merged directory of places (médiation numérique, France Services…), API, exports. */
export const inclusionModule: AppModule = {
  name: 'inclusion',
  jobs: [
    lieuxMediationJob,
    franceServicesJob,
    aidantsConnectJob,
    cnfsStructuresJob,
    tiersLieuxJob,
    lieuxPlateformeJob,
    accessibiliteJob,
    ifnJob,
  ],
  register(app, ctx) {
    registerInclusionApi(app, ctx);
    registerInclusionPages(app, ctx);
    registerInclusionEmbed(app, ctx);
    ctx.territorySections.push(inclusionTerritorySection(ctx));
    // The indicators follow their inputs: places, addresses, outlines, territories and populations.
    ctx.onImported(async (job, ev) => {
      if (ev.remote && ev.followUpsDone !== false) return;
      if (!ACCESSIBILITY_INPUTS.has(job)) return;
      // Addresses only move where people are placed: without any place there is no distance to recompute,
      // and a national address file would be read in full for nothing after every import.
      if (job === 'adresses' && !(await hasPlaces(ctx.db))) return;
      const run = await ctx.runImport({
        job: 'accessibilite',
        startedBy: `suite de l’import n° ${ev.runId}`,
        force: true,
      });
      if (run.status === 'failed') throw new Error(run.message ?? 'accessibilite failed');
    }, 'inclusion-accessibilite');
  },
};
