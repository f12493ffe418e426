import { DEFAULT_EGRESS_PORTS } from '@rampart/security';
import { isInvalidSettingError, type InvalidSettingError } from './invalid-setting.error';
import {
  DEFAULT_APPROVER_SCOPE,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SCRAPE_CACHE_TTL_MS,
  readSettings,
} from './settings';

/** A secret as `openssl rand -base64 48` makes one: 64 characters. */
const SECRET = 'q'.repeat(64);

/** The error `readSettings` throws for `env` and `args`. */
function refusal(env: NodeJS.ProcessEnv, args: string[] = []): InvalidSettingError {
  try {
    readSettings(env, args);
  } catch (error) {
    if (isInvalidSettingError(error)) return error;
    throw error;
  }
  throw new Error('readSettings accepted the settings');
}

describe('readSettings', () => {
  it('defaults to loopback, port 3000, info, memory stores, HTTP, public egress only and a random link key', () => {
    expect(readSettings({})).toEqual({
      stdio: false,
      port: DEFAULT_PORT,
      host: DEFAULT_HOST,
      logLevel: 'info',
      redisUrl: undefined,
      databaseUrl: undefined,
      egressAllow: [],
      egressPorts: DEFAULT_EGRESS_PORTS,
      resourceLinkKeys: undefined,
      approvalKeys: undefined,
      approverScope: 'pages:approve',
      approvalsWebhookUrl: undefined,
      catalog: 'progressive',
      scrapeCacheTtlMs: DEFAULT_SCRAPE_CACHE_TTL_MS,
    });
    expect(DEFAULT_APPROVER_SCOPE).toBe('pages:approve');
    expect(DEFAULT_SCRAPE_CACHE_TTL_MS).toBe(30_000);
    expect(DEFAULT_HOST).toBe('127.0.0.1');
  });

  it('reads every setting', () => {
    expect(
      readSettings(
        {
          PORT: '0',
          HOST: '[::1]',
          LOG_LEVEL: 'silent',
          REDIS_URL: 'rediss://:pw@cache:6380/2',
          DATABASE_URL: 'postgresql://app@db/audit',
          EGRESS_ALLOW: '127.0.0.1, 10.20.0.0/16,wiki.intranet.example,*.corp.example,[::1]',
          EGRESS_PORTS: '80, 443,8080',
          RESOURCE_LINK_KEYS: `k2:${SECRET},k1:${SECRET}x`,
          APPROVAL_KEYS: ` a2:${SECRET}y , a1:${SECRET}z`,
          APPROVER_SCOPE: ' ops:approve ',
          APPROVALS_WEBHOOK_URL: 'https://chat.example.com/hooks/T0/B0/secret',
          CATALOG: 'list',
          SCRAPE_CACHE_TTL_MS: '5000',
        },
        ['--stdio'],
      ),
    ).toEqual({
      stdio: true,
      port: 0,
      host: '::1',
      logLevel: 'silent',
      redisUrl: 'rediss://:pw@cache:6380/2',
      databaseUrl: 'postgresql://app@db/audit',
      egressAllow: [
        '127.0.0.1',
        '10.20.0.0/16',
        'wiki.intranet.example',
        '*.corp.example',
        '[::1]',
      ],
      egressPorts: [80, 443, 8080],
      resourceLinkKeys: [
        { id: 'k2', secret: SECRET },
        { id: 'k1', secret: `${SECRET}x` },
      ],
      approvalKeys: [
        { kid: 'a2', secret: `${SECRET}y` },
        { kid: 'a1', secret: `${SECRET}z` },
      ],
      approverScope: 'ops:approve',
      approvalsWebhookUrl: 'https://chat.example.com/hooks/T0/B0/secret',
      catalog: 'list',
      scrapeCacheTtlMs: 5_000,
    });
  });

  it('reads SCRAPE_CACHE_TTL_MS as milliseconds, 0 for no cache, and refuses anything else in one line', () => {
    expect(readSettings({ SCRAPE_CACHE_TTL_MS: '0' }).scrapeCacheTtlMs).toBe(0);
    expect(readSettings({ SCRAPE_CACHE_TTL_MS: ' ' }).scrapeCacheTtlMs).toBe(30_000);
    for (const value of ['-1', '1.5', '30s', '86400001']) {
      const error = refusal({ SCRAPE_CACHE_TTL_MS: value });
      expect(error.setting).toBe('SCRAPE_CACHE_TTL_MS');
      expect(error.message).toBe(
        `SCRAPE_CACHE_TTL_MS=${JSON.stringify(value)} is not a duration: use milliseconds from 0 (no cache) to 86400000 (a day), e.g. 30000`,
      );
    }
  });

  it('reads CATALOG as progressive, list or off, and refuses anything else in one line', () => {
    expect(readSettings({ CATALOG: '' }).catalog).toBe('progressive');
    expect(readSettings({ CATALOG: 'off' }).catalog).toBe('off');
    const error = refusal({ CATALOG: 'yes' });
    expect(error.setting).toBe('CATALOG');
    expect(error.message).toBe(
      'CATALOG="yes" is not a catalogue mode: use one of progressive, list, off',
    );
  });

  it('takes EGRESS_PORTS=any, and empty egress and key settings as unset', () => {
    expect(readSettings({ EGRESS_PORTS: 'any' }).egressPorts).toBe('any');
    expect(
      readSettings({ EGRESS_ALLOW: '', EGRESS_PORTS: '', RESOURCE_LINK_KEYS: '' }),
    ).toMatchObject({
      egressAllow: [],
      egressPorts: DEFAULT_EGRESS_PORTS,
      resourceLinkKeys: undefined,
    });
  });

  it.each(['http://127.0.0.1/', '10.0.0.0/99', 'a b', 'user@host'])(
    'refuses an EGRESS_ALLOW entry %j, naming it in one line',
    (entry) => {
      const error = refusal({ EGRESS_ALLOW: `127.0.0.1,${entry}` });
      expect(error.setting).toBe('EGRESS_ALLOW');
      expect(error.message).toBe(
        `EGRESS_ALLOW=${JSON.stringify(`127.0.0.1,${entry}`)} holds ${JSON.stringify(entry)}, which is neither a host name, a *.suffix, an IP address nor a CIDR: use a comma-separated list such as 127.0.0.1,10.20.0.0/16,wiki.intranet.example`,
      );
      expect(error.message).not.toContain('\n');
    },
  );

  it.each(['0', '65536', 'http', '80;443', ','])('refuses EGRESS_PORTS=%j', (ports) => {
    const error = refusal({ EGRESS_PORTS: ports });
    expect(error.setting).toBe('EGRESS_PORTS');
    expect(error.message).toBe(
      `EGRESS_PORTS=${JSON.stringify(ports)} is not a list of ports: use comma-separated ports from 1 to 65535 (e.g. 80,443,8080), or any`,
    );
  });

  it.each([
    [SECRET, 'entry 1 is not id:secret'],
    [`k1:${SECRET},:${SECRET}`, 'entry 2 is not id:secret'],
    [`key one:${SECRET}`, 'entry 1 has an id that is not 1 to 32 of A-Z a-z 0-9 . _ -'],
    ['k1:short-secret', 'key "k1" has a secret of 12 bytes: give each key 32 bytes or more'],
    [`k1:${SECRET},k1:${SECRET}`, 'names the key "k1" twice'],
  ])('refuses RESOURCE_LINK_KEYS=%j without repeating a secret', (value, problem) => {
    const error = refusal({ RESOURCE_LINK_KEYS: value });
    expect(error.setting).toBe('RESOURCE_LINK_KEYS');
    expect(error.message).toContain(`RESOURCE_LINK_KEYS ${problem}`);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('short-secret');
    expect(error.message).not.toContain('\n');
  });

  it.each([
    [SECRET, 'entry 1 is not kid:secret'],
    [`a1:${SECRET},:${SECRET}`, 'entry 2 is not kid:secret'],
    [`key one:${SECRET}`, 'entry 1 has a kid that is not 1 to 64 of A-Z a-z 0-9 . _ -'],
    ['a1:short-secret', 'key "a1" has a secret of 12 bytes: give each key 32 bytes or more'],
    [`a1:${SECRET},a1:${SECRET}`, 'names the key "a1" twice'],
  ])('refuses APPROVAL_KEYS=%j without repeating a secret', (value, problem) => {
    const error = refusal({ APPROVAL_KEYS: value });
    expect(error.setting).toBe('APPROVAL_KEYS');
    expect(error.message).toContain(`APPROVAL_KEYS ${problem}`);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('short-secret');
    expect(error.message).not.toContain('\n');
  });

  it('refuses an APPROVER_SCOPE that is not one scope, or that every purge caller holds', () => {
    for (const value of ['pages approve', 'pages"approve', 'a\\b']) {
      const error = refusal({ APPROVER_SCOPE: value });
      expect(error.setting).toBe('APPROVER_SCOPE');
      expect(error.message).toBe(
        `APPROVER_SCOPE=${JSON.stringify(value)} is not one OAuth scope: use one word without spaces or quotes, e.g. pages:approve`,
      );
    }
    // The callers' own scope: any caller could approve another caller's purge.
    const same = refusal({ APPROVER_SCOPE: 'pages:purge' });
    expect(same.message).toMatch(
      /^APPROVER_SCOPE=pages:purge is the scope that calls purge_pages: every caller could approve/,
    );
    expect(readSettings({ APPROVER_SCOPE: '' }).approverScope).toBe('pages:approve');
  });

  it.each(['chat.example.com/hooks/secret', 'ftp://chat.example.com/hooks/secret', 'https://'])(
    'refuses APPROVALS_WEBHOOK_URL=%j without repeating it',
    (value) => {
      const error = refusal({ APPROVALS_WEBHOOK_URL: value });
      expect(error.setting).toBe('APPROVALS_WEBHOOK_URL');
      expect(error.message).toMatch(/^APPROVALS_WEBHOOK_URL is not an http:\/\/ or https:\/\/ URL/);
      expect(error.message).not.toContain('secret');
    },
  );

  it('serves the operational endpoints on PORT unless OPS_PORT names a port of their own', () => {
    expect(readSettings({}).opsPort).toBeUndefined();
    expect(readSettings({ OPS_PORT: '9464' })).toMatchObject({ port: DEFAULT_PORT, opsPort: 9464 });
    // Both free ports: the system gives them different ones.
    expect(readSettings({ PORT: '0', OPS_PORT: '0' })).toMatchObject({ port: 0, opsPort: 0 });
  });

  it.each(['abc', '-1', '65536', ''])('refuses OPS_PORT=%j', (port) => {
    const error = refusal({ OPS_PORT: port });
    expect(error.setting).toBe('OPS_PORT');
    expect(error.message).toBe(
      `OPS_PORT=${JSON.stringify(port)} is not a port number: use an integer from 0 to 65535 (0 picks a free port)`,
    );
  });

  it('refuses OPS_PORT equal to PORT, the default one included', () => {
    expect(refusal({ PORT: '8080', OPS_PORT: '8080' }).message).toBe(
      'OPS_PORT=8080 is PORT too: give the operational endpoints a port of their own (e.g. 9464), or leave OPS_PORT unset to serve them on PORT',
    );
    expect(refusal({ OPS_PORT: String(DEFAULT_PORT) }).setting).toBe('OPS_PORT');
  });

  it('takes empty URLs as unset', () => {
    expect(readSettings({ REDIS_URL: '', DATABASE_URL: '' })).toMatchObject({
      redisUrl: undefined,
      databaseUrl: undefined,
    });
  });

  it.each(['abc', '-1', '65536', '3000.5', '', '0x10'])('refuses PORT=%j', (port) => {
    const error = refusal({ PORT: port });
    expect(error.setting).toBe('PORT');
    expect(error.message).toBe(
      `PORT=${JSON.stringify(port)} is not a port number: use an integer from 0 to 65535 (0 picks a free port)`,
    );
  });

  it.each(['', ' ', 'http://127.0.0.1', 'a b'])('refuses HOST=%j', (host) => {
    expect(refusal({ HOST: host }).setting).toBe('HOST');
  });

  it('refuses a LOG_LEVEL pino does not know, listing those it does', () => {
    const error = refusal({ LOG_LEVEL: 'verbose' });
    expect(error.setting).toBe('LOG_LEVEL');
    expect(error.message).toBe(
      'LOG_LEVEL="verbose" is not a log level: use one of trace, debug, info, warn, error, fatal, silent',
    );
  });

  it.each([
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'http://cache:6379'],
    ['DATABASE_URL', 'mysql://db/audit'],
    ['DATABASE_URL', 'not a url'],
  ])('refuses %s=%s', (name, value) => {
    const error = refusal({ [name]: value });
    expect(error.setting).toBe(name);
    expect(error.message).toMatch(new RegExp(`^${name}=".*" is not a .* URL: use e\\.g\\. `));
  });

  it('never prints the password of a refused URL', () => {
    const error = refusal({ DATABASE_URL: 'mysql://app:s3cret@db/audit' });
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain('mysql://app:***@db/audit');
  });

  it('refuses arguments other than --stdio, in one line', () => {
    const error = refusal({}, ['--port', '3000']);
    expect(error.message).toBe(
      'unknown argument "--port": the only one is --stdio (serve on stdin/stdout)',
    );
    expect(error.message).not.toContain('\n');
  });
});
