import type { AppModule } from '../context.ts';
import { registerTerritoryApi } from './api.ts';
import { territoiresJob } from './cog-job.ts';
import { territoriesDatasets } from './datasets.ts';
import { registerTerritoryPages } from './routes.ts';

export const territoriesModule: AppModule = {
  name: 'territoires',
  jobs: [territoiresJob],
  datasets: territoriesDatasets,
  register(app, ctx) {
    registerTerritoryApi(app, ctx);
    registerTerritoryPages(app, ctx);
  },
};
