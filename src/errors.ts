/** The longest error message any front door returns or prints (a request could be megabytes). */
export const MAX_ERROR_CHARS = 500;

// Control and format characters (line breaks, bidi overrides, zero-width), line and paragraph
// separators, and lone surrogates: anything that could split a log line or disguise text.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

const escapeChar = (c: string): string => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;

/**
 * Text that came (or may have come) from a request, made fit for a one-line error: unsafe
 * characters escaped, and anything longer than `max` cut with the count of what was left out.
 * Never splits a surrogate pair.
 */
export function oneLine(text: string, max = MAX_ERROR_CHARS): string {
  // Only the head can be shown: escape no more than that, whatever the input's size.
  const head = text.length > max ? text.slice(0, max + 1) : text;
  const safe = head.replace(UNSAFE, escapeChar);
  if (safe.length <= max && head.length === text.length) return safe;
  const suffix = `… (${text.length} characters)`;
  let cut = safe.slice(0, Math.max(0, max - suffix.length));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  // An escape sequence cut in half would read as garbage: drop the partial one.
  cut = cut.replace(/\\u[0-9a-f]{0,3}$/, '');
  return `${cut}${suffix}`;
}

/** A value from a request as an error shows it: quoted, one line, at most `max` characters. */
export const quoted = (raw: unknown, max = 60): string => `"${oneLine(typeof raw === 'string' ? raw : String(raw), max)}"`;

/** Base class: every error the controller raises on purpose. */
export class NatFailoverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(oneLine(message), options);
    this.name = 'NatFailoverError';
  }
}

/** A configuration value is missing or malformed; names the variable. */
export class ConfigError extends NatFailoverError {
  constructor(
    public readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The API refused for rate reasons; safe to retry after a backoff. */
export class ThrottledError extends NatFailoverError {
  constructor(
    public readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} was throttled`, options);
    this.name = 'ThrottledError';
  }
}

/** A transient service or network fault; safe to retry. */
export class TransientError extends NatFailoverError {
  constructor(
    public readonly operation: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed transiently: ${detail}`, options);
    this.name = 'TransientError';
  }
}

/** The cloud API rejected the call for good (permissions, validation, missing resource). */
export class CloudApiError extends NatFailoverError {
  constructor(
    public readonly operation: string,
    public readonly code: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed: ${code}: ${detail}`, options);
    this.name = 'CloudApiError';
  }
}

export const isRetryable = (e: unknown): e is ThrottledError | TransientError =>
  e instanceof ThrottledError || e instanceof TransientError;

/** An error a cloud port raises for an API call that did not succeed (see CloudPort). */
export const isCloudError = (e: unknown): e is ThrottledError | TransientError | CloudApiError =>
  isRetryable(e) || e instanceof CloudApiError;

/** Node's code for a connection that never reached a server: no such host, or nobody listening. */
const UNREACHABLE = new Set(['ENOTFOUND', 'ECONNREFUSED']);

/**
 * The network code (ENOTFOUND, ECONNREFUSED) when `e`, or an error it wraps, says the request
 * never reached a server: nothing ran, and with a mistyped region or endpoint, retrying cannot help.
 */
export function unreachableCode(e: unknown): string | undefined {
  for (let c: unknown = e, depth = 0; c !== null && typeof c === 'object' && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
  }
  return undefined;
}
