/**
 * Side-effect import for our command-line entry points: import it first, before anything that
 * loads the AWS SDK (see sdkWarning.ts for what it drops and why).
 */
import { dropNodeVersionSupportWarning } from './sdkWarning';

dropNodeVersionSupportWarning();
