import type { RunningStack } from './stack.js';

/** What `npm start` prints once the stack is ready: URLs, a token and examples to paste. */
export function formatBanner(stack: RunningStack): string {
  const { lb, ws, stats } = stack.urls;
  const token = stack.adminToken ?? '<token>';
  const byKind = (kind: string) =>
    stack.instances
      .filter((instance) => instance.kind === kind)
      .map((instance) => `${instance.name} ${instance.url}`)
      .join(', ') || 'none';
  const lines = [
    '',
    'Switchboard is running behind HAProxy',
    `  load balancer   ${lb}   (routes /ws, /api/sandbox, /api/flags, /ofrep, /admin/queues, /console)`,
    `  console         ${stack.urls.console}`,
    `  websocket       ${ws}?token=<jwt>`,
    `  haproxy stats   ${stats}   (Prometheus metrics at /metrics on the same port)`,
    `  bull-board      ${lb}/admin/queues   (admin token)`,
    `  prometheus      ${stack.urls.prometheus ?? 'not running (STACK_PROMETHEUS=0 or not installed)'}`,
    `  redis           ${stack.redis.url}${stack.redis.process ? ' (started by the stack)' : ' (existing)'}`,
    `  gateways        ${byKind('gateway')}`,
    `  sandbox API     ${byKind('sandbox-api')}`,
    `  sandbox worker  ${
      stack.instances.some((i) => i.kind === 'sandbox-worker')
        ? stack.instances
            .filter((i) => i.kind === 'sandbox-worker')
            .map((i) => i.name)
            .join(', ')
        : 'none'
    }`,
    `  flag-service    ${byKind('flags')}`,
    ...stack.skipped.map((skip) => `  skipped         ${skip.name}: ${skip.reason}`),
    '',
  ];
  if (stack.adminToken) {
    lines.push(
      'Console login link (dev admin token; the token stays in the URL fragment):',
      `  ${stack.urls.console}#token=${token}`,
      'Dev admin token (dealership "dev", 12 h):',
      `  export TOKEN=${token}`,
      '  more tokens: pnpm token --sub u1 --dealership d1 --role user',
    );
  } else {
    lines.push('JWT_PUBLIC_KEY is set: mint tokens with your private key (the stack cannot).');
  }
  lines.push(
    '',
    'Try:',
    `  curl -s -X POST ${lb}/api/sandbox -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"demo"}'`,
    `  curl -s -X POST ${lb}/api/sandbox/pause/<id> -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"reason":"maintenance"}'`,
    `  curl -s -X POST ${lb}/api/flags/SANDBOX_PAUSE_RESUME/toggle -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"enabled":true}'`,
    `  npx wscat -c "${ws}?token=$TOKEN"    then send {"type":"subscribe","room":"dealership:dev"}`,
    '',
    'Ctrl-C drains the gateways, then stops everything.',
  );
  return lines.join('\n');
}
