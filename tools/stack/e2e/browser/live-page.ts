// A small page that shows a room's live events, bundled with @switchboard/client for the
// browser e2e tests. Config comes from `window.SWITCHBOARD` (set by the page's HTML).
import { SwitchboardClient } from '@switchboard/client';

interface PageConfig {
  url: string;
  token: string;
  room: string;
}

const config = (window as unknown as { SWITCHBOARD: PageConfig }).SWITCHBOARD;
const status = document.getElementById('status') as HTMLElement;
const list = document.getElementById('events') as HTMLUListElement;

const client = new SwitchboardClient({ url: config.url, token: config.token });
client.onClient('state', (state) => {
  status.textContent = state;
  document.body.dataset['state'] = state;
});
client.onAny((event, data, meta) => {
  const item = document.createElement('li');
  item.dataset['event'] = event;
  item.textContent = `#${meta.seq} ${event} ${JSON.stringify(data)}`;
  list.prepend(item);
});
void client.connect().then(async () => {
  await client.subscribe(config.room);
  document.body.dataset['subscribed'] = 'true';
  const instance = document.getElementById('instance') as HTMLElement;
  instance.textContent = client.instanceId ?? '';
});
