import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken } from '@switchboard/auth';
import { type AuthSettings, resolveAuth } from './dev-secret.js';
import { CONSOLE_PATH, type ConsoleServer, startConsoleServer } from './console-server.js';
import { type HaproxyServer, backendServers, renderHaproxyConfig } from './haproxy-config.js';
import { listenPort } from './listen-port.js';
import { type ManagedProcess, startProcess } from './managed-process.js';
import { repoRoot as defaultRepoRoot } from './paths.js';
import { prometheusInstalled, startPrometheus } from './prometheus-process.js';
import { readyStatus, serversNotUp } from './readiness.js';
import { type ProvisionedRedis, provisionRedis } from './redis-provision.js';
import { type StackSettings, loadStackSettings } from './stack-env.js';
import { type InstanceSpec, planTopology } from './topology.js';

export interface StartStackOptions {
  /** Environment the stack reads (StackEnv + the service variables); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where generated files go (haproxy.cfg, jwt-secret, redis data); default <repo>/.switchboard. */
  stateDir?: string;
  repoRoot?: string;
  /** Receives every log line, already prefixed with the process name. */
  log?: (line: string) => void;
}

export interface RunningInstance extends InstanceSpec {
  url: string;
  process: ManagedProcess;
}

export interface RunningStack {
  settings: StackSettings;
  instances: RunningInstance[];
  /** Processes planned but not started (e.g. the worker before its script exists), with why. */
  skipped: { name: string; reason: string }[];
  /** `console`: the operator console behind HAProxy (apps/console, served by the stack). */
  urls: { lb: string; ws: string; stats: string; console: string; prometheus?: string };
  redis: ProvisionedRedis;
  auth: AuthSettings;
  /** A 12 h admin token of dealership `dev`, when the stack knows an HS256 secret. */
  adminToken?: string;
  haproxyConfigPath: string;
  /** Stops and starts one instance (same port and id), e.g. for a rolling restart. */
  restartInstance(name: string): Promise<void>;
  /** Drains and stops everything it started, gateways first; resolves when all have exited. */
  stop(): Promise<void>;
}

const DRAIN_TIMEOUT_MS = 30_000;

/** Starts Redis (if needed), every instance and HAProxy, and waits until HAProxy sees all UP. */
export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  const env = options.env ?? process.env;
  const root = options.repoRoot ?? defaultRepoRoot;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const say = (line: string) => log(`[stack] ${line}`);
  const settings = loadStackSettings(env);
  const stateDir = options.stateDir ?? settings.STACK_STATE_DIR ?? join(root, '.switchboard');
  mkdirSync(stateDir, { recursive: true });

  const started: ManagedProcess[] = [];
  const running: RunningInstance[] = [];
  const skipped: RunningStack['skipped'] = [];
  let redis: ProvisionedRedis | undefined;
  let haproxy: ManagedProcess | undefined;
  let prometheus: ManagedProcess | undefined;
  let consoleServer: ConsoleServer | undefined;

  const stop = async () => {
    // Gateways first: they answer 503 on /health/ready, HAProxy takes them out of rotation,
    // then they tell clients to reconnect (1012) and close. Everything else after them.
    const byKind = (kinds: string[]) => running.filter((instance) => kinds.includes(instance.kind));
    await Promise.all(
      byKind(['gateway']).map((instance) => instance.process.stop('SIGTERM', DRAIN_TIMEOUT_MS)),
    );
    await Promise.all(
      byKind(['sandbox-api', 'sandbox-worker', 'flags']).map((instance) =>
        instance.process.stop('SIGTERM', DRAIN_TIMEOUT_MS),
      ),
    );
    await haproxy?.stop('SIGTERM', 5000);
    await consoleServer?.close();
    await prometheus?.stop('SIGTERM', 10_000);
    await redis?.process?.stop('SIGTERM', 10_000);
    await Promise.all(started.map((child) => child.stop('SIGKILL', 5000)));
  };

  try {
    redis = await provisionRedis(settings.REDIS_URL, join(stateDir, 'redis'), log);
    if (redis.process) {
      started.push(redis.process);
      say(`started redis-server for ${settings.REDIS_URL} (data in ${join(stateDir, 'redis')})`);
    } else {
      say(`using the Redis at ${settings.REDIS_URL}`);
    }
    const auth = resolveAuth(env, join(stateDir, 'jwt-secret'));
    if (auth.source === 'generated')
      say(`generated a dev JWT secret in ${join(stateDir, 'jwt-secret')}`);

    const planned = await planTopology(settings);
    const launch = (spec: InstanceSpec): ManagedProcess =>
      startProcess({
        name: spec.name,
        command: process.execPath,
        args: [join(root, spec.script)],
        cwd: root,
        env: {
          ...env,
          ...auth.env,
          REDIS_URL: settings.REDIS_URL,
          HOST: spec.host,
          PORT: String(spec.port),
          INSTANCE_ID: spec.name,
          // The worker serves only /metrics, on its planned port.
          ...(spec.kind === 'sandbox-worker' ? { WORKER_METRICS_PORT: String(spec.port) } : {}),
        },
        log,
      });

    const instances: InstanceSpec[] = [];
    for (const spec of planned) {
      if (existsSync(join(root, spec.script))) {
        instances.push(spec);
      } else if (spec.kind === 'sandbox-worker') {
        skipped.push({ name: spec.name, reason: `${spec.script} does not exist yet` });
        say(`warning: skipping ${spec.name}: ${spec.script} does not exist`);
      } else {
        throw new Error(`${spec.script} is missing: build first (pnpm build)`);
      }
    }
    for (const spec of instances) {
      const child = launch(spec);
      started.push(child);
      running.push({ ...spec, url: `http://${spec.host}:${spec.port}`, process: child });
    }

    // The console's static files, served from this process: HAProxy routes /console to it.
    consoleServer = await startConsoleServer({
      distDir: join(root, 'apps', 'console', 'dist'),
      host: settings.STACK_HOST,
      port: await listenPort(new Set(instances.map((instance) => instance.port))),
    });
    const backends: Record<string, HaproxyServer[]> = {
      ...backendServers(instances),
      console: [{ name: 'console-1', host: settings.STACK_HOST, port: consoleServer.port }],
    };
    const template = readFileSync(join(root, 'infra', 'haproxy', 'haproxy.cfg'), 'utf8');
    const haproxyConfigPath = join(stateDir, 'haproxy.cfg');
    writeFileSync(haproxyConfigPath, renderHaproxyConfig(template, backends));
    haproxy = startProcess({
      name: 'haproxy',
      command: 'haproxy',
      args: ['-db', '-f', haproxyConfigPath],
      cwd: stateDir,
      env: {
        ...env,
        HAPROXY_BIND: `:${settings.HAPROXY_PORT}`,
        HAPROXY_STATS_BIND: `:${settings.HAPROXY_STATS_PORT}`,
      },
      log,
    });
    started.push(haproxy);

    const urls: RunningStack['urls'] = {
      lb: `http://127.0.0.1:${settings.HAPROXY_PORT}`,
      ws: `ws://127.0.0.1:${settings.HAPROXY_PORT}/ws`,
      stats: `http://127.0.0.1:${settings.HAPROXY_STATS_PORT}/stats`,
      console: `http://127.0.0.1:${settings.HAPROXY_PORT}${CONSOLE_PATH}/`,
    };
    await waitUntilReady(settings, running, haproxy, urls.stats, backends, say);

    if (settings.STACK_PROMETHEUS && prometheusInstalled()) {
      const prom = await startPrometheus({
        root,
        stateDir,
        port: settings.PROMETHEUS_PORT,
        instances,
        haproxyStatsPort: settings.HAPROXY_STATS_PORT,
        log,
      });
      prometheus = prom.process;
      started.push(prometheus);
      urls.prometheus = prom.url;
    } else if (settings.STACK_PROMETHEUS) {
      say('warning: prometheus is not installed (apt-get install prometheus); running without it');
    }

    const stack: RunningStack = {
      settings,
      instances: running,
      skipped,
      urls,
      redis,
      auth,
      haproxyConfigPath,
      ...(auth.secret
        ? {
            adminToken: mintToken(
              { sub: 'dev-admin', dealershipId: 'dev', role: 'admin', ttl: '12h' },
              { secret: auth.secret },
            ),
          }
        : {}),
      async restartInstance(name) {
        const index = running.findIndex((instance) => instance.name === name);
        const instance = running[index];
        if (!instance) throw new Error(`no instance named ${name}`);
        await instance.process.stop('SIGTERM', DRAIN_TIMEOUT_MS);
        const child = launch(instance);
        started.push(child);
        const restarted = { ...instance, process: child };
        running[index] = restarted;
        if (instance.routed)
          await waitUntilReady(
            settings,
            [restarted],
            haproxy as ManagedProcess,
            urls.stats,
            backends,
            say,
          );
      },
      stop,
    };
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitUntilReady(
  settings: StackSettings,
  instances: RunningInstance[],
  haproxy: ManagedProcess,
  statsUrl: string,
  backends: Record<string, HaproxyServer[]>,
  say: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + settings.STACK_READY_TIMEOUT_SEC * 1000;
  let waitingFor: string[] = [];
  for (;;) {
    const dead = [...instances.map((instance) => instance.process), haproxy].filter(
      (child) => child.exited,
    );
    if (dead.length > 0)
      throw new Error(`exited during startup: ${dead.map((child) => child.name).join(', ')}`);
    const routed = instances.filter((instance) => instance.routed);
    const statuses = await Promise.all(
      routed.map(async (instance) => [instance.name, await readyStatus(instance.url)] as const),
    );
    const notReady = statuses
      .filter(([, status]) => status !== 200)
      .map(([name, status]) => `${name} (/health/ready ${status || 'no answer'})`);
    const notUp = notReady.length === 0 ? await serversNotUp(statsUrl, backends) : [];
    waitingFor = [...notReady, ...notUp.map((server) => `${server} (not UP in HAProxy)`)];
    if (waitingFor.length === 0) {
      say('every instance is ready behind HAProxy');
      return;
    }
    if (Date.now() > deadline)
      throw new Error(
        `not ready after ${settings.STACK_READY_TIMEOUT_SEC} s: ${waitingFor.join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
