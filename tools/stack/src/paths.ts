import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from tools/stack/src (tests) or tools/stack/dist (npm start). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
