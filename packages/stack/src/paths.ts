import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from packages/stack/src (tests) or packages/stack/dist (npm start). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
