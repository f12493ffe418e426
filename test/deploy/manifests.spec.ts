import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  CLOSE_MARGIN_MS,
  DEFAULT_GRACE_PERIOD_MS,
  securityFromEnv,
} from '../../apps/web-scrape/src/app.module';
import { DEFAULT_PORT, readSettings } from '../../apps/web-scrape/src/settings';
import { AppProcess } from '../web-scrape/app-process';
import { appEnv, builtWebScrape, REPO_ROOT } from '../web-scrape/built-app';

/**
 * The Kubernetes manifests and the Dockerfile of docs/deploy, compared with the web-scrape app
 * they run: its settings (names, defaults and checks, from the app's own modules), its shutdown
 * timings, and, by running the built app with the manifests' environment, where it serves its
 * health endpoints.
 */

const DEPLOY_DIR = resolve(REPO_ROOT, 'docs/deploy');

// ---- the manifests, as plain objects -------------------------------------------------------

type Labels = Record<string, string>;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  /** The file it comes from. */
  file: string;
}

interface Probe {
  httpGet?: { path: string; port: number | string };
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string };
      configMapKeyRef?: { name: string; key: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
}

/** The files kustomization.yaml applies, in its order. */
function kustomizationResources(): string[] {
  const [doc] = parseAllDocuments(readFileSync(join(DEPLOY_DIR, 'kustomization.yaml'), 'utf8'));
  return (doc.toJS() as { resources: string[] }).resources;
}

/** Every document of every file; a YAML error or warning fails the file. */
function loadManifests(): Manifest[] {
  return kustomizationResources().flatMap((file) => {
    const docs = parseAllDocuments(readFileSync(join(DEPLOY_DIR, file), 'utf8'));
    if (!Array.isArray(docs)) throw new Error(`${file} has no YAML document`);
    return docs.map((doc) => {
      const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
      if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
      return { ...(doc.toJS() as Omit<Manifest, 'file'>), file };
    });
  });
}

const manifests = loadManifests();

function one(kind: string, name?: string): Manifest {
  const found = manifests.filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** The text of a key of a Secret or ConfigMap, from `stringData` or base64 `data`. */
function valueOf(kind: 'Secret' | 'ConfigMap', name: string, key: string): string {
  const m = one(kind, name);
  const text =
    m.stringData?.[key] ??
    (kind === 'Secret' && m.data?.[key] !== undefined
      ? Buffer.from(m.data[key], 'base64').toString()
      : m.data?.[key]);
  if (text === undefined) throw new Error(`${kind} ${name} has no key ${key}`);
  return text;
}

/** Whether a `matchLabels` selector picks pods with `labels`; other selectors are refused. */
function selects(selector: { matchLabels?: Labels; matchExpressions?: unknown }, labels: Labels) {
  if (selector.matchExpressions) throw new Error('only matchLabels selectors are checked here');
  const wanted = Object.entries(selector.matchLabels ?? selector);
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

const deployment = one('Deployment', 'web-scrape');
const podSpec = deployment.spec.template.spec as {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: {
    name: string;
    secret?: { secretName: string; items?: { key: string; path: string }[] };
  }[];
};
const podLabels = deployment.spec.template.metadata.labels as Labels;
const container = podSpec.containers.find((c) => c.name === 'web-scrape')!;
const redisSet = one('StatefulSet', 'redis');
const redisLabels = redisSet.spec.template.metadata.labels as Labels;
const hpa = one('HorizontalPodAutoscaler');

/** The container's environment as the kubelet builds it: envFrom first, then env. */
function containerEnv(c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const source = from.configMapRef
      ? one('ConfigMap', from.configMapRef.name)
      : one('Secret', from.secretRef!.name);
    for (const key of Object.keys({ ...source.data, ...source.stringData }))
      env[key] = valueOf(source.kind as 'Secret' | 'ConfigMap', source.metadata.name, key);
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    env[e.name] = ref
      ? valueOf(e.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name, ref.key)
      : (e.value ?? '');
  }
  return env;
}

const env = containerEnv(container);
const settings = readSettings(env);

/** The container port a probe or a Service's `targetPort` names (by name or number). */
function containerPort(port: number | string): number {
  if (typeof port === 'number') return port;
  const found = container.ports?.find((p) => p.name === port);
  if (!found) throw new Error(`the container has no port named ${port}`);
  return found.containerPort;
}

/** Which of the app's settings a container port is: the MCP port or the operations port. */
function settingOfPort(port: number): 'PORT' | 'OPS_PORT' {
  if (port === settings.port) return 'PORT';
  if (port === settings.opsPort) return 'OPS_PORT';
  throw new Error(`port ${port} is neither PORT (${settings.port}) nor OPS_PORT`);
}

/** The names of the environment variables the app reads, recorded as it reads them. */
function namesTheAppReads(): Set<string> {
  const read = new Set<string>();
  const recorder = new Proxy({} as NodeJS.ProcessEnv, {
    get: (_target, key) => {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  readSettings(recorder);
  securityFromEnv(recorder);
  return read;
}

/** The Secret's API keys file, written where the app can read it here. */
function apiKeysFileHere(): string {
  const mount = container.volumeMounts!.find(
    (m) => posix.join(m.mountPath, basename(env.API_KEYS_FILE)) === env.API_KEYS_FILE,
  )!;
  const volume = podSpec.volumes!.find((v) => v.name === mount.name)!;
  const item = volume.secret!.items?.find((i) => i.path === basename(env.API_KEYS_FILE));
  const text = valueOf(
    'Secret',
    volume.secret!.secretName,
    item?.key ?? basename(env.API_KEYS_FILE),
  );
  const path = join(mkdtempSync(join(tmpdir(), 'deploy-keys-')), 'api-keys.json');
  writeFileSync(path, text);
  return path;
}

// ---- the Dockerfile ------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}

/** The Dockerfile's instructions by stage (comments dropped, continuation lines joined). */
function dockerfileStages(): { args: Instruction[]; stages: Instruction[][] } {
  const text = readFileSync(join(DEPLOY_DIR, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const args: Instruction[] = [];
  const stages: Instruction[][] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const instruction = { op: m[1], args: m[2].trim() };
    if (instruction.op === 'FROM') stages.push([instruction]);
    else if (stages.length === 0) args.push(instruction);
    else stages[stages.length - 1].push(instruction);
  }
  return { args, stages };
}

// ---- the checks ----------------------------------------------------------------------------

describe('docs/deploy', () => {
  it('applies every manifest file of the folder, each a named Kubernetes object', () => {
    const files = readdirSync(DEPLOY_DIR).filter(
      (f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml',
    );
    expect([...kustomizationResources()].sort()).toEqual(files.sort());
    for (const m of manifests) {
      expect([m.file, typeof m.apiVersion, typeof m.kind]).toEqual([m.file, 'string', 'string']);
      expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    const kinds = manifests.map((m) => m.kind);
    for (const kind of [
      'Deployment',
      'Service',
      'ConfigMap',
      'Secret',
      'StatefulSet',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
    ])
      expect(kinds).toContain(kind);
  });

  it('runs several replicas, from the Deployment and the autoscaler alike', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
  });

  it('sets only environment variables that the app reads, with values it accepts', () => {
    const read = namesTheAppReads();
    // The recorder sees the app's own names (a sanity check of the recorder itself).
    expect([...read]).toEqual(expect.arrayContaining(['PORT', 'HOST', 'REDIS_URL']));
    for (const name of Object.keys(env)) expect([name, read.has(name)]).toEqual([name, true]);
    // Valid values (readSettings throws on the first bad one); every interface of the pod.
    expect(['0.0.0.0', '::']).toContain(settings.host);
    // Replicas share their state: Redis is configured, and the keys of the resource links.
    expect(settings.redisUrl).toBeDefined();
    expect(settings.resourceLinkKeys?.length).toBeGreaterThan(0);
    // Authentication from AUTH_* (all three or none) and the keys file: on.
    const security = securityFromEnv({ ...env, API_KEYS_FILE: apiKeysFileHere() });
    expect(security?.apiKeys?.file).toBeDefined();
    if (env.AUTH_ISSUER) expect(security?.jwt?.issuer).toBe(env.AUTH_ISSUER);
  });

  it('gives every replica the approval keys from the Secret, and the approvers their scope', () => {
    const ref = container.env?.find((e) => e.name === 'APPROVAL_KEYS')?.valueFrom?.secretKeyRef;
    expect(ref).toEqual({ name: 'web-scrape', key: 'APPROVAL_KEYS' });
    expect(settings.approvalKeys?.map((k) => k.kid)).toEqual(['a1']);
    // Approvers are not the callers: their scope is not pages:purge.
    expect(settings.approverScope).toBe('pages:approve');
    expect(settings.approvalsWebhookUrl).toMatch(/^https:\/\//);
  });

  it('mounts the API keys file where API_KEYS_FILE says, from a Secret', () => {
    expect(env.API_KEYS_FILE).toBeDefined();
    const mount = container.volumeMounts?.find((m) => m.mountPath === dirname(env.API_KEYS_FILE));
    expect(mount).toBeDefined();
    const volume = podSpec.volumes?.find((v) => v.name === mount!.name);
    expect(volume?.secret).toBeDefined();
    const item = volume!.secret!.items?.find((i) => i.path === basename(env.API_KEYS_FILE));
    const key = item?.key ?? basename(env.API_KEYS_FILE);
    const records = JSON.parse(valueOf('Secret', volume!.secret!.secretName, key)) as unknown[];
    expect(records.length).toBeGreaterThan(0);
    for (const record of records)
      expect(record).toMatchObject({
        id: expect.any(String),
        hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      });
  });

  it('points REDIS_URL at the Redis Service, its pods and its password', () => {
    const url = new URL(settings.redisUrl!);
    const service = one('Service', url.hostname.split('.')[0]);
    expect(selects(service.spec.selector as Labels, redisLabels)).toBe(true);
    const servicePort = (
      service.spec.ports as { port: number; targetPort?: number | string }[]
    ).find((p) => p.port === Number(url.port || 6379));
    expect(servicePort).toBeDefined();
    const redis = (redisSet.spec.template.spec.containers as Container[])[0];
    const target = servicePort!.targetPort ?? servicePort!.port;
    const port = redis.ports?.find((p) =>
      typeof target === 'number' ? p.containerPort === target : p.name === target,
    );
    expect(port?.containerPort).toBe(6379);
    // The URL's password is the one Redis requires.
    const redisEnv = containerEnv(redis);
    const required = redis.args?.[redis.args.indexOf('--requirepass') + 1] ?? '';
    const password = required.replace(/^\$\((\w+)\)$/, (_m, name: string) => redisEnv[name] ?? '');
    expect(password).not.toBe('');
    expect(decodeURIComponent(url.password)).toBe(password);
  });

  it('declares the container ports as the app listens: PORT (or its default) and OPS_PORT', () => {
    const byName = Object.fromEntries(
      (container.ports ?? []).map((p) => [p.name, p.containerPort]),
    );
    expect(byName.http).toBe(env.PORT === undefined ? DEFAULT_PORT : settings.port);
    expect(byName.ops).toBe(settings.opsPort);
    for (const p of container.ports ?? []) settingOfPort(p.containerPort);
  });

  it('gives the app its drain, its close margin and the preStop sleep before the kubelet kills it', () => {
    const preStopSeconds = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(preStopSeconds).toBeGreaterThan(0);
    // The kubelet's default when unset is 30 s.
    const grace = podSpec.terminationGracePeriodSeconds ?? 30;
    expect(grace).toBeGreaterThanOrEqual(
      preStopSeconds + (DEFAULT_GRACE_PERIOD_MS + CLOSE_MARGIN_MS) / 1000,
    );
  });

  it('exposes the MCP port through the Service, and not the operational one', () => {
    const service = one('Service', 'web-scrape');
    expect(selects(service.spec.selector as Labels, podLabels)).toBe(true);
    expect(selects(service.spec.selector as Labels, redisLabels)).toBe(false);
    const targets = (service.spec.ports as { port: number; targetPort?: number | string }[]).map(
      (p) => settingOfPort(containerPort(p.targetPort ?? p.port)),
    );
    expect(targets).toEqual(['PORT']);
  });

  it("budgets disruptions and autoscales the Deployment's pods", () => {
    const pdb = one('PodDisruptionBudget');
    expect(selects(pdb.spec.selector, podLabels)).toBe(true);
    expect(selects(pdb.spec.selector, redisLabels)).toBe(false);
    // At the fewest replicas, one pod may still be evicted (a node drain is never blocked).
    const fewest = Math.min(deployment.spec.replicas, hpa.spec.minReplicas);
    if (pdb.spec.minAvailable !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(fewest);
    else expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);

    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: deployment.apiVersion,
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(selects(deployment.spec.selector, podLabels)).toBe(true);
    const cpu = (hpa.spec.metrics as any[]).find((m) => m.resource?.name === 'cpu');
    expect(cpu?.resource.target.type).toBe('Utilization');
    // Utilization is a share of the request: without one the autoscaler cannot scale.
    expect(container.resources?.requests?.cpu).toBeDefined();
  });

  it('requests no more than it limits', () => {
    const cpu = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
    const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
    const bytes = (q: string) => {
      const [, n, unit] = /^(\d+)(Ki|Mi|Gi)?$/.exec(q) ?? [];
      if (n === undefined) throw new Error(`unexpected quantity ${q}`);
      return Number(n) * (unit ? units[unit] : 1);
    };
    const { requests, limits } = container.resources ?? {};
    expect(requests?.memory).toBeDefined();
    if (limits?.cpu) expect(cpu(requests!.cpu!)).toBeLessThanOrEqual(cpu(limits.cpu));
    if (limits?.memory) expect(bytes(requests!.memory!)).toBeLessThanOrEqual(bytes(limits.memory));
  });

  describe('the Dockerfile', () => {
    const { args, stages } = dockerfileStages();
    const runtime = stages[stages.length - 1];
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };

    it("builds on the repository's own Node, in several stages", () => {
      const version = args.find((a) => a.op === 'ARG' && a.args.startsWith('NODE_VERSION='));
      expect(version?.args).toBe(`NODE_VERSION=${pkg.devDependencies.node}`);
      expect(stages.length).toBeGreaterThanOrEqual(2);
      for (const stage of stages) expect(stage[0].args).toMatch(/^node:\$\{NODE_VERSION\}-/);
    });

    it('installs production dependencies only, and runs the built app as a non-root user', () => {
      expect(runtime.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args))).toBe(
        true,
      );
      const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args ?? 'root';
      expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
      expect(Number(user.split(':')[0])).toBe(podSpec.securityContext?.runAsUser);
      expect(podSpec.securityContext?.runAsNonRoot).toBe(true);
      // Where the build puts the app's main (outDir of its tsconfig), run by node.
      const tsconfig = JSON.parse(
        readFileSync(join(REPO_ROOT, 'apps/web-scrape/tsconfig.app.json'), 'utf8'),
      ) as { compilerOptions: { outDir: string } };
      const main = posix.join('apps/web-scrape', tsconfig.compilerOptions.outDir, 'main.js');
      const cmd = runtime.find((i) => i.op === 'CMD')?.args ?? '[]';
      expect(JSON.parse(cmd)).toEqual(['node', main]);
      // …which the runtime stage copies from the build.
      expect(
        runtime.some(
          (i) =>
            i.op === 'COPY' &&
            i.args.split(/\s+/).at(-1)?.replace(/\/$/, '') === posix.dirname(`./${main}`),
        ),
      ).toBe(true);
    });

    it('exposes and defaults to the ports of the manifests', () => {
      const exposed = runtime
        .filter((i) => i.op === 'EXPOSE')
        .flatMap((i) => i.args.split(/\s+/).map(Number));
      const byNumber = (a: number, b: number) => a - b;
      expect(exposed.sort(byNumber)).toEqual(
        (container.ports ?? []).map((p) => p.containerPort).sort(byNumber),
      );
      const envLine = runtime
        .filter((i) => i.op === 'ENV')
        .map((i) => i.args)
        .join(' ');
      const defaults = Object.fromEntries(
        [...envLine.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]),
      );
      const image = readSettings(defaults);
      expect([image.port, image.opsPort, image.host]).toEqual([
        settings.port,
        settings.opsPort,
        settings.host,
      ]);
    });
  });

  describe("the probes, against the built app run with the manifests' environment", () => {
    let app: AppProcess;
    /** The port the app bound for each setting (0 here: the test picks none). */
    const bound: Partial<Record<'PORT' | 'OPS_PORT', number>> = {};

    beforeAll(async () => {
      // The manifests' environment on loopback, memory stores instead of the cluster's Redis, and
      // the AUTH_* URLs on loopback (nothing is fetched from them unless a token comes).
      app = new AppProcess(
        process.execPath,
        [builtWebScrape()],
        appEnv({
          ...env,
          HOST: '127.0.0.1',
          PORT: '0',
          ...(env.OPS_PORT !== undefined && { OPS_PORT: '0' }),
          REDIS_URL: '',
          ...(env.AUTH_ISSUER && {
            AUTH_ISSUER: 'http://127.0.0.1:9/',
            AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks',
            AUTH_AUDIENCE: 'http://127.0.0.1/mcp',
          }),
          ...(env.API_KEYS_FILE && { API_KEYS_FILE: apiKeysFileHere() }),
        }),
      );
      const [, port] = await app.waitFor(
        'stderr',
        /^web-scrape is listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp$/m,
      );
      bound.PORT = Number(port);
      if (env.OPS_PORT !== undefined) {
        const [, ops] = await app.waitFor(
          'stdout',
          /Operational endpoints[^"]* on http:\/\/127\.0\.0\.1:(\d+)"/,
        );
        bound.OPS_PORT = Number(ops);
      }
    }, 120_000);
    afterAll(async () => {
      await app?.stop();
    });

    /** GET the probe's path on the port the app bound for the setting its port names, as the kubelet does: no credentials. */
    async function probe(p: Probe | undefined): Promise<{ status: number; body: any }> {
      expect(p?.httpGet).toBeDefined();
      const setting = settingOfPort(containerPort(p!.httpGet!.port));
      const res = await fetch(`http://127.0.0.1:${bound[setting]}${p!.httpGet!.path}`);
      return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
    }

    it('readiness reaches the readiness endpoint, answered without credentials', async () => {
      const { status, body } = await probe(container.readinessProbe);
      expect(status).toBe(200);
      // The readiness checks (shutdown turns it 503 at SIGTERM), not liveness'.
      expect(body).toMatchObject({ status: 'ok', info: { shutdown: { status: 'up' } } });
    });

    it.each(['livenessProbe', 'startupProbe'] as const)(
      '%s reaches the liveness endpoint, answered without credentials',
      async (which) => {
        const { status, body } = await probe(container[which]);
        expect(status).toBe(200);
        // Liveness: the heap only, never the shutdown that readiness reports.
        expect(body).toMatchObject({ status: 'ok', info: { heap: { status: 'up' } } });
        expect(body.info.shutdown).toBeUndefined();
      },
    );

    it("the Service's target port is the MCP endpoint, which authenticates its callers", async () => {
      const service = one('Service', 'web-scrape');
      const [target] = (service.spec.ports as { port: number; targetPort?: number | string }[]).map(
        (p) => settingOfPort(containerPort(p.targetPort ?? p.port)),
      );
      const res = await fetch(`http://127.0.0.1:${bound[target]}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      expect(res.status).toBe(401);
    });
  });
});
