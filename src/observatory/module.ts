import type { AppModule } from '../context.ts';
import { registerObservatoryApi } from './api.ts';
import { observatoryDatasets } from './datasets.ts';
import { arcepDeploiementsJob } from './job-arcep-deploiements.ts';
import { logementsInseeJob } from './job-logements-insee.ts';
import { mciCommunesJob } from './job-mci-communes.ts';
import { registerObservatoryPages } from './routes.ts';

/**
 * Observatory of fixed broadband: ARCEP's quarterly FttH deployments and Ma connexion internet
 * speed classes per territory and period, aggregated from commune rows, against the targets.
 */
export const observatoryModule: AppModule = {
  name: 'observatoire',
  jobs: [arcepDeploiementsJob, mciCommunesJob, logementsInseeJob],
  datasets: observatoryDatasets,
  register(app, ctx) {
    registerObservatoryApi(app, ctx);
    registerObservatoryPages(app, ctx);
  },
};
