// `npm start`: install and build (setup.mjs), then run the dev topology behind HAProxy
// (tools/stack). `npm start -- --smoke` starts it, checks every instance is ready, and stops.
import { setup } from './setup.mjs';

setup();
await import('../../tools/stack/dist/cli/start.js');
