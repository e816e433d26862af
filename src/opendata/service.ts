/**
 * What the open-data module publishes to the rest of the platform: the open-data rate over time (the
 * strategy's measurement provider reads it).
 */
export { rateHistory } from './collectivites.ts';
