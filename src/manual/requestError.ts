/** A request that failed validation: the field at fault and what is wrong with it. */
export class RequestError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'RequestError';
  }
}
