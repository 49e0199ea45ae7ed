// A DOM for Testing Library on top of Node's globals. The hooks' tests import the services'
// modules (the room-log publisher finds its Lua files by file URL), which need Node's module
// environment, so the tests run in vitest's node environment with jsdom's window added here,
// without replacing anything Node already has (URL, fetch, timers).
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
const target = globalThis as Record<string, unknown>;
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (key in target) continue;
  target[key] = (dom.window as unknown as Record<string, unknown>)[key];
}
target['window'] = dom.window;
target['IS_REACT_ACT_ENVIRONMENT'] = true;
