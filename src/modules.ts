import { accountsModule } from './accounts/module.ts';
import { addressesModule } from './addresses/module.ts';
import { adminModule } from './admin/module.ts';
import type { AppModule } from './context.ts';
import { eligibilityModule } from './eligibility/module.ts';
import { geoModule } from './geo/module.ts';
import { inclusionModule } from './inclusion/module.ts';
import { maturiteModule } from './maturite/module.ts';
import { mobileModule } from './mobile/module.ts';
import { observatoryModule } from './observatory/module.ts';
import { opendataModule } from './opendata/module.ts';
import { pagesModule } from './pages/module.ts';
import { resourcesModule } from './resources/module.ts';
import { strategyModule } from './strategy/module.ts';
import { territoriesModule } from './territories/module.ts';

/** Every module of the platform, in registration order. Adding a module = one line here. */
export const MODULES: AppModule[] = [
  territoriesModule,
  geoModule,
  addressesModule,
  accountsModule,
  adminModule,
  observatoryModule,
  mobileModule,
  eligibilityModule,
  strategyModule,
  resourcesModule,
  opendataModule,
  inclusionModule,
  maturiteModule,
  pagesModule,
];
