import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import type { Html } from './http/html.ts';
import type { Crumb, Site } from './http/layout.ts';
import type { ImportEvent, ImportListener } from './imports/events.ts';
import type { AnyImportJob } from './imports/job.ts';
import type { ImportRun } from './imports/queries.ts';
import type { Source } from './imports/source.ts';
import type { Dataset } from './opendata/dataset.ts';
import type { PersonalDataProvider } from './opendata/personal-data.ts';

export type RenderOptions = {
  title: string;
  main: Html;
  breadcrumb?: Crumb[];
  head?: Html;
  scripts?: string[];
  status?: number;
};

/** What every module's routes receive. */
export type AppContext = {
  db: Db;
  config: Config;
  log: Logger;
  site: () => Site;
  jobs: ReadonlyMap<string, AnyImportJob>;
  /** Open-data datasets the modules publish (`AppModule.datasets`), by id. */
  datasets: ReadonlyMap<string, Dataset>;
  /** Personal-data providers of the modules (`AppModule.personalData`), the account's own last. */
  personalData: readonly PersonalDataProvider[];
  runImport(req: {
    job: string;
    source?: string | Source;
    options?: unknown;
    startedBy: string;
    force?: boolean;
  }): Promise<ImportRun>;
  /**
   * Subscribes to successful imports (e.g. to rebuild an in-memory index), run here or, with
   * `ev.remote`, by another process on the same database. A failure is recorded apart from the run
   * under `name` (shown to administrators) and retried; it never makes the run failed.
   */
  onImported(listener: ImportListener, name?: string): void;
  /** Runs the listeners for an import (another process's when `remote`); never throws. */
  dispatchImported(ev: ImportEvent): Promise<string[]>;
  /** Runs again, on this instance, the follow-ups of a run that failed here. */
  retryFollowUps(runId: number): Promise<string[]>;
  /** This instance's name in run records and notifications (host:pid by default). */
  instance: string;
  render(req: FastifyRequest, reply: FastifyReply, o: RenderOptions): FastifyReply;
  /**
   * Sections other modules add to every territory page (e.g. the observatory's figures),
   * shown in registration order below the territory's own facts.
   */
  territorySections: TerritorySection[];
  /** Bearer token of the local hand-off endpoint the CLI uses while the server holds the embedded database. */
  internalToken: string | undefined;
};

export type TerritorySection = (
  t: { niveau: 'region' | 'departement' | 'epci' | 'commune'; code: string; nom: string },
  req: FastifyRequest,
) => Promise<Html | null>;

export type AppModule = {
  name: string;
  jobs?: AnyImportJob[];
  /** Datasets of the open-data catalogue, declared like import jobs (see src/opendata/dataset.ts). */
  datasets?: Dataset[];
  /** What the module stores about account holders, for their download and erasure (see src/opendata/personal-data.ts). */
  personalData?: PersonalDataProvider[];
  register?(app: FastifyInstance, ctx: AppContext): Promise<void> | void;
};
