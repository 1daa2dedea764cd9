/** Errors specific to data loading (all `LightningError`s with hints). */
import { LightningError } from '../errors.js';

/** Samples could not be stacked into a batch (different shapes, structures or keys). */
export class CollateError extends LightningError {}

/** A dataset file was not found in any of the places looked at. */
export class DatasetNotFoundError extends LightningError {}
