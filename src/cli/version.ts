// The bundle inlines package.json's version at build time (esbuild tree-shakes the rest of it).
import { version } from '../../package.json';

/** `nat-failover --version`: package.json's version. */
export const VERSION: string = version;
