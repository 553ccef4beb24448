import { oneLine } from '../errors';

/**
 * A request that failed validation: the field at fault and what is wrong with it. Both can carry
 * request input (a field name is whatever key was sent), so both are bounded and kept to one line
 * here, where every refusal passes: a 100,000-character unknown key once came back as a 200 KB error.
 */
export class RequestError extends Error {
  readonly field: string;
  readonly detail: string;
  constructor(field: string, detail: string) {
    const f = oneLine(field, 100);
    const d = oneLine(detail, 300);
    super(`${f}: ${d}`);
    this.field = f;
    this.detail = d;
    this.name = 'RequestError';
  }
}
