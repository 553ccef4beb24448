/** Base class: every error the controller raises on purpose. */
export class NatFailoverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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
