/**
 * A real VS Code (code-server 4.100.3 = VS Code 1.100.3) for tests and the demo launch, installed on
 * demand into `.vscode-test/` so that `npm ci` of the extension stays light.
 * See shared notes "real-vscode-offline": every environment tweak below works around one install
 * step that would otherwise try to reach the internet.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, tmpdir } from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(REPO_ROOT, '.vscode-test');
const INSTALL_DIR = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`);
const CODE_SERVER_BIN = path.join(INSTALL_DIR, 'node_modules', '.bin', 'code-server');

/**
 * Debian packages: native-module toolchain for code-server, plus ripgrep and the browser,
 * Debian's pytest (the "Run Command" integration test monitors a real test run) and gdb (attaching
 * the monitor to a running Python process).
 */
const DEBIAN_PACKAGES = [
  'build-essential', 'python3', 'pkg-config', 'libkrb5-dev', 'libsecret-1-dev', 'libx11-dev',
  'libxkbfile-dev', 'ripgrep', 'chromium', 'fonts-noto-cjk', 'python3-pytest', 'gdb',
];
/** What each package provides that we can check for without dpkg. */
const REQUIRED_FILES: Record<string, string> = {
  ripgrep: '/usr/bin/rg',
  chromium: '/usr/bin/chromium',
  'libsecret-1-dev': '/usr/include/libsecret-1/libsecret/secret.h',
  'libkrb5-dev': '/usr/include/krb5.h',
  'libx11-dev': '/usr/include/X11/Xlib.h',
  'libxkbfile-dev': '/usr/include/X11/extensions/XKBfile.h',
  'pkg-config': '/usr/bin/pkg-config',
  'build-essential': '/usr/bin/g++',
  'fonts-noto-cjk': '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  'python3-pytest': '/usr/bin/pytest-3',
  gdb: '/usr/bin/gdb',
};

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

function log(message: string): void {
  process.stderr.write(`[code-server] ${message}\n`);
}

function missingDebianPackages(): string[] {
  return DEBIAN_PACKAGES.filter((pkg) => REQUIRED_FILES[pkg] !== undefined && !existsSync(REQUIRED_FILES[pkg]));
}

function ensureDebianPackages(): void {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Missing Debian packages: ${missing.join(' ')}.\n` +
        `Install them with: sudo apt-get install -y ${DEBIAN_PACKAGES.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...DEBIAN_PACKAGES], { stdio: 'inherit', env });
}

/** @vscode/ripgrep's postinstall downloads `rg`; it first looks in this cache for the tarball. */
function seedRipgrepCache(): void {
  const target = arch() === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';
  const cache = path.join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = path.join(cache, `ripgrep-v13.0.0-10-${target}.tar.gz`);
  if (existsSync(tarball)) return;
  mkdirSync(cache, { recursive: true });
  execFileSync('tar', ['-czf', tarball, '-C', '/usr/bin', 'rg']);
}

/** Installs code-server into `.vscode-test/` once; later calls return at once. */
export function ensureCodeServer(): string {
  ensureDebianPackages();
  if (existsSync(CODE_SERVER_BIN)) return CODE_SERVER_BIN;
  seedRipgrepCache();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(REPO_ROOT, INSTALL_DIR)} (about 2 minutes, once)`);
  rmSync(INSTALL_DIR, { recursive: true, force: true });
  mkdirSync(INSTALL_DIR, { recursive: true });
  writeFileSync(path.join(INSTALL_DIR, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  const result = spawnSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`],
    {
      cwd: INSTALL_DIR,
      stdio: 'inherit',
      env: {
        ...process.env,
        npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root otherwise
        npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
        npm_config_nodedir: '/usr', // Node headers from Debian, not downloaded
        npm_config_dangerously_allow_all_scripts: 'true', // npm ≥ 11.19 skips dependency install scripts
      },
    },
  );
  if (result.status !== 0 || !existsSync(CODE_SERVER_BIN)) {
    rmSync(INSTALL_DIR, { recursive: true, force: true });
    throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${result.status ?? result.signal})`);
  }
  return CODE_SERVER_BIN;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningCodeServer {
  readonly port: number;
  readonly origin: string;
  readonly userDataDir: string;
  /** The workbench URL that opens `folder` with extra workbench payload entries (e.g. extensionDevelopmentPath). */
  workbenchUrl(folder: string, payload?: ReadonlyArray<readonly [string, string]>): string;
  /** A path on this machine as the workbench's remote authority sees it. */
  remoteUri(absolutePath: string): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Locale of the workbench and of `vscode.env.language` (e.g. `zh-cn`). */
  readonly locale?: string;
  readonly disableWorkspaceTrust?: boolean;
  readonly port?: number;
  /** User settings written before start (merged over quiet defaults: no welcome page, no tips). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Keep state between launches (the demo launch); tests use a fresh temporary folder. */
  readonly userDataDir?: string;
  readonly quiet?: boolean;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<RunningCodeServer> {
  const bin = ensureCodeServer();
  const port = options.port ?? (await freePort());
  const stateDir = options.userDataDir ?? mkdtempSync(path.join(tmpdir(), 'concurrency-lens-cs-'));
  const userDataDir = path.join(stateDir, 'user-data');
  const extensionsDir = path.join(stateDir, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!options.userDataDir || !existsSync(settingsFile)) {
    const settings = {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'git.openRepositoryInParentFolders': 'never',
      ...options.settings,
    };
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  }
  if (options.locale && !options.locale.startsWith('en')) declareLanguagePack(userDataDir, options.locale);
  const config = path.join(stateDir, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const args = [
    '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override', '--ignore-last-opened',
  ];
  if (options.disableWorkspaceTrust !== false) args.push('--disable-workspace-trust');
  if (options.locale) args.push('--locale', options.locale);
  const child: ChildProcess = spawn(bin, args, {
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', VSCODE_CLI: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (!options.quiet && process.env.CL_DEBUG) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/healthz`, child, () => output);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
    if (!options.userDataDir) rmSync(stateDir, { recursive: true, force: true });
  };
  const remoteUri = (absolutePath: string): string => `vscode-remote://127.0.0.1:${port}${absolutePath}`;
  return {
    port,
    origin,
    userDataDir,
    remoteUri,
    workbenchUrl(folder, payload = []) {
      const query = new URLSearchParams({ folder });
      if (payload.length > 0) query.set('payload', JSON.stringify(payload));
      return `${origin}/?${query.toString()}`;
    },
    stop,
  };
}

/**
 * VS Code resolves a display language only when a language pack for it is installed; otherwise it
 * falls back to English and `vscode.env.language` stays `en`. No language pack can be downloaded
 * here, so we declare one in `languagepacks.json` (the file VS Code keeps for installed packs) with
 * an empty core translation: the locale becomes `locale`, the workbench's own UI stays English,
 * and extensions get exactly what a user with the real pack would give them (their zh-cn strings).
 */
function declareLanguagePack(userDataDir: string, locale: string): void {
  const translations = path.join(userDataDir, 'stub-language-pack', 'main.i18n.json');
  mkdirSync(path.dirname(translations), { recursive: true });
  writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  const extensions = [{ extensionIdentifier: { id: `concurrency-lens-test.language-pack-${locale}` }, version: '0.0.0' }];
  const packs = { [locale]: { hash: 'stub', label: locale, extensions, translations: { vscode: translations } } };
  writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(packs));
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer at ${url} within 60 s:\n${output()}`);
}
