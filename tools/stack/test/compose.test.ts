import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TObject } from '@sinclair/typebox';
import { loadConfig } from '@switchboard/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FlagsEnv } from '../../../apps/flag-service/src/config.js';
import { GatewayEnv } from '../../../apps/realtime-gateway/src/config.js';
import { SandboxEnv } from '../../../apps/sandbox-service/src/config.js';
import { repoRoot } from '../src/index.js';

// Docker cannot run on the build machines, so the compose file and the Dockerfiles are checked
// statically against what really runs: the apps' config schemas, haproxy.cfg and prometheus.yml.

const infra = join(repoRoot, 'infra');
const composeFile = join(infra, 'docker-compose.yml');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  expose?: string[];
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }> | string[];
  stop_grace_period?: string;
  healthcheck?: unknown;
}
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

/** Compose interpolation of ${VAR:?err} and ${VAR:-default} with the given variables. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
    (_match, name: string, kind?: string, rest?: string) => {
      if (vars[name] !== undefined) return vars[name];
      if (kind === '?') throw new Error(`${name} is required: ${rest}`);
      return rest ?? '';
    },
  );
}

/** The app services: compose name -> schema, entry script in the image, and HAProxy backend. */
const APPS = {
  'realtime-gateway': {
    schema: GatewayEnv,
    app: 'realtime-gateway',
    script: 'server',
    backend: 'realtime-gateway',
    minReplicas: 3,
  },
  'sandbox-service': {
    schema: SandboxEnv,
    app: 'sandbox-service',
    script: 'server',
    backend: 'sandbox-service',
    minReplicas: 2,
  },
  'sandbox-worker': {
    schema: SandboxEnv,
    app: 'sandbox-service',
    script: 'worker',
    backend: undefined,
    minReplicas: 1,
  },
  'flag-service': {
    schema: FlagsEnv,
    app: 'flag-service',
    script: 'server',
    backend: 'flag-service',
    minReplicas: 2,
  },
} satisfies Record<
  string,
  { schema: TObject; app: string; script: string; backend: string | undefined; minReplicas: number }
>;

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}
function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from)
      stages.push({ from: from[1] ?? '', ...(from[2] ? { name: from[2] } : {}), lines: [] });
    else if (line.trim() && !line.startsWith('#')) stages.at(-1)?.lines.push(line.trim());
  }
  return stages;
}

function instruction(stage: Stage, name: string): string[] {
  return stage.lines
    .filter((line) => line.toUpperCase().startsWith(`${name} `))
    .map((line) => line.slice(name.length + 1).trim());
}

const haproxyCfg = readFileSync(join(infra, 'haproxy', 'haproxy.cfg'), 'utf8');
/** backend -> [host, port] of its server-template line (compose DNS discovery). */
function haproxyTemplate(backend: string): [string, number] {
  const section =
    new RegExp(`^backend ${backend}\\n((?:[ \\t]+.*\\n?)+)`, 'm').exec(haproxyCfg)?.[1] ?? '';
  const match = /server-template\s+\S+\s+\S+\s+([\w.-]+):(\d+)/.exec(section);
  if (!match) throw new Error(`backend ${backend} has no server-template`);
  return [match[1] ?? '', Number(match[2])];
}

describe('infra/docker-compose.yml', () => {
  it('has Redis with AOF persistence on a volume and a health check the apps wait for', () => {
    const redis = services['redis'];
    expect(redis?.command?.join(' ')).toContain('--appendonly yes');
    expect(redis?.volumes?.some((volume) => volume.endsWith(':/data'))).toBe(true);
    expect(redis?.healthcheck).toBeDefined();
    for (const name of Object.keys(APPS)) {
      expect(services[name]?.depends_on, name).toMatchObject({
        redis: { condition: 'service_healthy' },
      });
    }
  });

  it('runs every app service with replicas, a drain grace period and env valid for its config schema', () => {
    const vars = { JWT_SECRET: 'a-secret-of-at-least-16-chars' };
    for (const [name, spec] of Object.entries(APPS)) {
      const service = services[name];
      if (!service) throw new Error(`compose has no ${name}`);
      expect(service.deploy?.replicas ?? 1, name).toBeGreaterThanOrEqual(spec.minReplicas);
      expect(service.stop_grace_period, name).toBeDefined();
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          interpolate(String(value), vars),
        ]),
      );
      const unknown = Object.keys(env).filter((key) => !(key in spec.schema.properties));
      expect(unknown, `${name}: variables its config schema does not know`).toEqual([]);
      const config = loadConfig(spec.schema, env) as { REDIS_URL: string; JWT_SECRET?: string };
      expect(config.REDIS_URL, name).toBe('redis://redis:6379');
      expect(config.JWT_SECRET, name).toBe(vars.JWT_SECRET);
      // Without JWT_SECRET compose must refuse to start rather than run without auth.
      expect(() => interpolate(String(service.environment?.['JWT_SECRET']), {}), name).toThrow(
        /JWT_SECRET is required/,
      );
    }
  });

  it('builds each app from its own multi-stage Dockerfile that runs as a non-root user', () => {
    for (const [name, spec] of Object.entries(APPS)) {
      const service = services[name];
      const dockerfile = service?.build?.dockerfile ?? '';
      expect(dockerfile, name).toBe(`infra/docker/${spec.app}.Dockerfile`);
      expect(resolve(infra, service?.build?.context ?? '')).toBe(repoRoot);
      const stages = dockerfileStages(readFileSync(join(repoRoot, dockerfile), 'utf8'));
      expect(stages.length, name).toBeGreaterThanOrEqual(3);
      const text = stages.flatMap((stage) => stage.lines).join('\n');
      expect(text).toMatch(new RegExp(`turbo@[\\d.]+ prune @switchboard/${spec.app} --docker`));
      expect(text).toContain('--frozen-lockfile');
      const runtime = stages.at(-1) as Stage;
      expect(runtime.from).toMatch(/^node:/);
      expect(instruction(runtime, 'USER')).toEqual(['node']);
      // The runtime stage gets built artefacts only, never the build toolchain.
      expect(instruction(runtime, 'COPY').every((copy) => copy.startsWith('--from=build'))).toBe(
        true,
      );
      expect(instruction(runtime, 'RUN').join(' ')).not.toMatch(/pnpm install|turbo/);
      expect(
        existsSync(join(repoRoot, `${dockerfile}.dockerignore`)),
        `${dockerfile}.dockerignore`,
      ).toBe(true);
    }
  });

  it('starts the entry script that the app builds, on the port its schema, Dockerfile and HAProxy agree on', () => {
    for (const [name, spec] of Object.entries(APPS)) {
      const service = services[name] as ComposeService;
      const stages = dockerfileStages(
        readFileSync(join(repoRoot, service.build?.dockerfile ?? ''), 'utf8'),
      );
      const runtime = stages.at(-1) as Stage;
      const command =
        service.command ?? (JSON.parse(instruction(runtime, 'CMD')[0] ?? '[]') as string[]);
      expect(command, name).toEqual(['node', `apps/${spec.app}/dist/${spec.script}.js`]);
      expect(
        existsSync(join(repoRoot, 'apps', spec.app, 'src', `${spec.script}.ts`)),
        `apps/${spec.app}/src/${spec.script}.ts`,
      ).toBe(true);
      const copies = instruction(runtime, 'COPY').join('\n');
      expect(copies).toContain(`/repo/apps/${spec.app}/dist`);

      const port = Number(service.environment?.['PORT']);
      expect(instruction(runtime, 'EXPOSE'), name).toEqual([String(port)]);
      if (spec.backend) {
        expect(service.expose, name).toEqual([String(port)]);
        expect(haproxyTemplate(spec.backend), `haproxy backend ${spec.backend}`).toEqual([
          name,
          port,
        ]);
      }
    }
    // The dashboard lives in the sandbox API, so bull-board routes to the sandbox-service replicas.
    expect(haproxyTemplate('bull-board')).toEqual([
      'sandbox-service',
      Number(services['sandbox-service']?.environment?.['PORT']),
    ]);
  });

  it('publishes HAProxy on 8080 with the real haproxy.cfg and its stats page on 8404', () => {
    const haproxy = services['haproxy'] as ComposeService;
    expect(haproxy.volumes).toContain(
      './haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro',
    );
    expect(haproxy.ports).toEqual(['8080:8080', '8404:8404']);
    expect(haproxy.environment).toMatchObject({
      HAPROXY_BIND: ':8080',
      HAPROXY_STATS_BIND: ':8404',
      DNS_NAMESERVER: '127.0.0.11:53',
    });
  });

  it('scrapes every app service on its port and HAProxy, and provisions Grafana from infra/grafana', () => {
    const prometheus = parse(readFileSync(join(infra, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: {
        job_name: string;
        dns_sd_configs?: { names: string[]; port: number }[];
        static_configs?: { targets: string[] }[];
      }[];
    };
    const jobs = new Map(prometheus.scrape_configs.map((job) => [job.job_name, job]));
    for (const name of ['realtime-gateway', 'sandbox-service', 'flag-service']) {
      const discovery = jobs.get(name)?.dns_sd_configs?.[0];
      expect(discovery?.names, name).toEqual([name]);
      expect(discovery?.port, name).toBe(Number(services[name]?.environment?.['PORT']));
    }
    const worker = services['sandbox-worker'] as ComposeService;
    const workerMetricsPort = String(worker.environment?.['WORKER_METRICS_PORT']);
    expect(jobs.get('sandbox-worker')?.dns_sd_configs?.[0]).toMatchObject({
      names: ['sandbox-worker'],
      port: Number(workerMetricsPort),
    });
    expect(worker.expose).toEqual([workerMetricsPort]);
    // The worker listens only there: its health check must not inherit the image's (API port).
    expect(JSON.stringify(worker.healthcheck)).toContain('process.env.WORKER_METRICS_PORT');
    expect(JSON.stringify(worker.healthcheck)).toContain('/health/ready');
    expect(jobs.get('haproxy')?.static_configs?.[0]?.targets).toEqual(['haproxy:8404']);
    expect(services['prometheus']?.volumes).toContain('./prometheus:/etc/prometheus:ro');

    const grafana = services['grafana'] as ComposeService;
    for (const volume of grafana.volumes ?? []) {
      const [source] = volume.split(':');
      if (source?.startsWith('./')) expect(existsSync(join(infra, source)), volume).toBe(true);
    }
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './grafana/provisioning:/etc/grafana/provisioning:ro',
        './grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
  });
});
