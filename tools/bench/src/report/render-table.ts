import type { BenchResults } from './bench-results.js';
import { ratios } from './bench-results.js';
import { goalRows } from './goals.js';

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (typeof c === 'number' && Number.isNaN(c) ? '-' : String(c)))),
  ];
  const lines = cells.map((r) => `| ${r.join(' | ')} |`);
  lines.splice(1, 0, `|${headers.map(() => '---').join('|')}|`);
  return lines.join('\n');
}

const fmt = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US');

/** The results as Markdown tables (printed to the terminal and written into the docs). */
export function renderMarkdown(results: BenchResults): string {
  const parts: string[] = [];
  if (results.fanout.length > 0) {
    const f0 = results.fanout[0]!;
    parts.push(
      `**Fan-out**: ${f0.rooms} rooms, ${f0.subscribers} subscribers (one room each), ${results.args.payloadBytes}-byte payload, ${results.args.stepSec} s per step; latency = publish timestamp in the payload -> client receipt (same monotonic clock). Server CPU = % of one core per server process (last figure: Redis); load-gen CPU = the two subscriber processes and the publisher. A step lags when it loses > 1% (not delivered within the settle time after the step), publishes < 90% of the rate, or p99 > 1 s; stepping stops at the first lagging step.`,
      '',
      table(
        [
          'target',
          'rate/s',
          'published/s',
          'delivered/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'loss %',
          'dup',
          'server CPU %',
          'load-gen CPU %',
          'verdict',
        ],
        results.fanout.flatMap((f) =>
          f.steps.map((s) => [
            f.target,
            fmt(s.rate),
            fmt(s.publishedPerSec),
            fmt(s.deliveredPerSec),
            s.p50Ms,
            s.p99Ms,
            s.maxMs,
            s.lossPct,
            s.duplicates,
            s.serverCpu.join(' / '),
            (s.loadCpu ?? []).join(' / '),
            s.lagging ? `lags: ${s.lagReason}` : 'ok',
          ]),
        ),
      ),
      '',
      table(
        [
          'target',
          'subscribers ready',
          'connect p50 ms',
          'connect p95 ms',
          'best sustained delivered/s',
          'p99 there ms',
          'stepping ended by',
        ],
        results.fanout.map((f) => [
          f.target,
          `${f.connected}/${f.subscribers}${f.connectFailed ? ` (${f.connectFailed} failed)` : ''}`,
          f.connectP50Ms,
          f.connectP95Ms,
          fmt(f.best?.deliveredPerSec),
          f.best?.p99Ms ?? '-',
          f.endedBy ?? '-',
        ]),
      ),
    );
    const r = ratios(results);
    const ratioLines = [
      r.deliveredPerSec !== undefined
        ? `- Switchboard / Socket.IO, ${r.sustained ? 'best sustained' : 'first-step (neither sustained a step)'} delivered/s: **${r.deliveredPerSec}**`
        : undefined,
      r.p99 !== undefined
        ? `- Switchboard / Socket.IO, p99 at ${fmt(r.p99Rate)} publish/s (both sustained; lower is better): **${r.p99}**`
        : undefined,
      r.deliveredVsWsRaw !== undefined
        ? `- Switchboard / raw ws (1 process, no Redis), ${r.sustained ? 'best sustained' : 'first-step'} delivered/s: **${r.deliveredVsWsRaw}**`
        : undefined,
    ].filter(Boolean);
    if (ratioLines.length) parts.push('', ...(ratioLines as string[]));
  }
  if (results.redisBenchmark?.length) {
    parts.push(
      '',
      '**Redis PUBLISH ceiling** (redis-benchmark PUBLISH, same private Redis, no subscribers, 50 clients):',
      '',
      table(
        ['command', 'PUBLISH/s', 'p50 ms', 'p99 ms', 'max ms'],
        results.redisBenchmark.map((b) => [
          `\`${b.command}\``,
          fmt(b.requestsPerSec),
          b.p50Ms,
          b.p99Ms,
          b.maxMs,
        ]),
      ),
    );
  }
  if (results.connections.length) {
    const held = results.connections;
    parts.push(
      '',
      `**Connections held** (Switchboard authenticated, each counted at \`connection.established\`; Socket.IO at connect; raw ws at open; 3 instances except raw ws):`,
      '',
      table(
        [
          'target',
          'requested',
          'connected',
          'failed',
          'ramp s',
          'server CPU / connect µs',
          'connect p50 ms',
          'p95 ms',
          'p99 ms',
          'dropped while held',
          'server RSS before → after MiB',
          'RSS / connection KiB',
          'RSS / connection KiB (after GC)',
          'heap / connection KiB (after GC)',
        ],
        held.map((c) => [
          c.target,
          fmt(c.requested),
          fmt(c.connected),
          c.failed,
          c.rampSec,
          fmt(c.serverCpuPerConnectUs),
          c.connectP50Ms,
          c.connectP95Ms,
          c.connectP99Ms,
          `${c.dropped} in ${c.heldSec} s`,
          `${c.rssBeforeMiB} → ${c.rssAfterMiB}`,
          c.rssPerConnectionKiB,
          c.rssAfterGcPerConnectionKiB ?? '-',
          c.heapPerConnectionKiB ?? '-',
        ]),
      ),
    );
    const sb = held.find((c) => c.target.startsWith('switchboard'));
    const sio = held.find((c) => c.target.startsWith('socket.io'));
    if (sb && sio && sio.rssPerConnectionKiB > 0 && sio.connectP95Ms > 0) {
      const r = (a: number, b: number) => Math.round((a / b) * 100) / 100;
      parts.push(
        '',
        `- Switchboard / Socket.IO, RSS per connection: **${r(sb.rssPerConnectionKiB, sio.rssPerConnectionKiB)}**; connect p95: **${r(sb.connectP95Ms, sio.connectP95Ms)}**; server CPU per connect: **${r(sb.serverCpuPerConnectUs, Math.max(1, sio.serverCpuPerConnectUs))}** (lower is better; Switchboard also verifies a JWT and writes the connection registry)`,
      );
    }
    for (const c of held.filter((h) => h.heapGrowth?.length)) {
      parts.push(
        '',
        `**What each connection keeps** (${c.target}, instance 1; heap snapshots after a full GC before the connects and after the hold, growth divided by the instance's connections; self sizes, so a kind's own bytes, not what it retains):`,
        '',
        table(
          ['kind (V8 type:constructor)', 'objects / connection', 'bytes / connection'],
          c.heapGrowth!.map((g) => [`\`${g.kind}\``, g.perConnection, g.bytesPerConnection]),
        ),
      );
    }
    const errors = held.flatMap((c) => c.errors.map((e) => `${c.target}: ${e}`));
    if (errors.length)
      parts.push('', `Connection errors: ${errors.map((e) => `\`${e}\``).join(', ')}`);
  }
  if (results.scale) {
    const sc = results.scale;
    const b = sc.broadcast;
    parts.push(
      '',
      `**Scale** (${sc.target}; clients started at a fixed ${fmt(sc.rampPerSec)}/s, connect time counted from each client's due time; all in one room; then ${b.published} events published to it, one a second):`,
      '',
      table(
        [
          'connected',
          'failed',
          'achieved /s',
          'connect p50 / p95 / p99 ms',
          'server CPU / connect µs',
          'dropped while held',
          'RSS / connection KiB',
          'broadcast delivered',
          'broadcast p50 / p99 / max ms',
          'duplicates',
        ],
        [
          [
            `${fmt(sc.connected)} / ${fmt(sc.requested)}`,
            sc.failed,
            fmt(sc.achievedPerSec),
            `${sc.connectP50Ms} / ${sc.connectP95Ms} / ${sc.connectP99Ms}`,
            fmt(sc.serverCpuPerConnectUs),
            `${sc.dropped} in ${sc.heldSec} s`,
            sc.rssPerConnectionKiB,
            `${fmt(b.delivered)} / ${fmt(b.expected)} (loss ${b.lossPct}%)`,
            `${b.p50Ms} / ${b.p99Ms} / ${b.maxMs}`,
            b.duplicates,
          ],
        ],
      ),
    );
    if (sc.errors.length)
      parts.push('', `Scale connection errors: ${sc.errors.map((e) => `\`${e}\``).join(', ')}`);
  }
  if (results.http.length) {
    parts.push(
      '',
      '**HTTP APIs** (autocannon in its own process, 10 connections, keep-alive):',
      '',
      table(
        [
          'service',
          'requests',
          'req/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'pass p99 ms',
          'CPU µs/req',
          'req per CPU-s',
          'expected status',
          'statuses',
          'errors',
        ],
        results.http.map((h) => [
          h.service,
          h.label,
          fmt(h.requestsPerSec),
          h.p50Ms,
          h.p99Ms,
          h.maxMs,
          h.passP99Ms ?? '-',
          h.cpuUsPerRequest ?? '-',
          h.reqPerCoreSec !== undefined ? fmt(h.reqPerCoreSec) : '-',
          `${h.expectedPct}% ${h.expectedStatus}`,
          Object.entries(h.statuses)
            .map(([code, n]) => `${code}: ${n}`)
            .join(', '),
          h.errors + h.timeouts,
        ]),
      ),
    );
  }
  if (results.flagsEval) {
    parts.push(
      '',
      '**Flags SDK, in-process evaluation** (tinybench, FlagsClient over its local snapshot, one thread):',
      '',
      table(
        ['evaluation', 'evals/s', 'mean ns', 'p99 ns (per eval, batches of 100)'],
        results.flagsEval.tasks.map((t) => [t.name, fmt(t.opsPerSec), t.meanNs, t.p99Ns]),
      ),
    );
  }
  if (results.profile) {
    parts.push(
      '',
      `**Where ${results.profile.target} instance 1 spends its CPU** (node --cpu-prof, self time as % of busy samples; includes start-up):`,
      '',
      table(
        ['function', 'self %'],
        results.profile.hottest.map((h) => [`\`${h.frame}\``, h.selfPct]),
      ),
    );
  }
  if (results.skipped.length || results.errors.length) {
    parts.push(
      '',
      ...results.skipped.map((s) => `- skipped **${s.scenario}**: ${s.reason}`),
      ...results.errors.map((e) => `- failed **${e.scenario}**: ${e.message}`),
    );
  }
  if (results.aborted) parts.push('', `- run aborted: ${results.aborted}`);
  parts.push(
    '',
    `**Goals** (${results.mode} run; every peer figure is from this same run):`,
    '',
    table(
      ['goal', 'target', 'measured', 'peer (same run)', 'verdict'],
      goalRows(results).map((g) => [g.goal, g.target, g.measured, g.peer, g.verdict]),
    ),
  );
  return parts.join('\n');
}
