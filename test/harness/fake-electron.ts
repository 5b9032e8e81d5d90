/**
 * A FAKE `electron` module for tests in plain Node. It is NOT Electron and runs no Chromium: it records the
 * calls the app's main process and preload make, and lets a test emit the events Electron would (ready,
 * open-url, second-instance, navigation, IPC). Its `utilityProcess.fork` runs the module with this Node
 * (not an Electron utility process). Tests map the specifier 'electron' to this file with
 * test/harness/fake-electron-loader.mjs, or pass these objects to the feature modules directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { PassThrough } from 'node:stream';

/** Says what this module is, for anyone who finds it loaded. */
export const IS_FAKE_ELECTRON = true;

/** Every call made on the fake, in order: `{ api: 'app.quit', args: [] }`. */
export const calls: { readonly api: string; readonly args: readonly unknown[] }[] = [];

function record(api: string, ...args: unknown[]): void {
  calls.push({ api, args });
}

/** The names of the calls recorded. */
export function called(api: string): (readonly unknown[])[] {
  return calls.filter((c) => c.api === api).map((c) => c.args);
}

/** An event as Electron hands it to listeners that may prevent the default. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** A frame: its URL and whether it is a main frame. */
export class FakeFrame {
  constructor(public url: string) {}
}

export class FakeSession {
  requestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null;
  checkHandler: ((contents: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null;
  setPermissionRequestHandler(handler: FakeSession['requestHandler']): void {
    record('session.setPermissionRequestHandler');
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['checkHandler']): void {
    record('session.setPermissionCheckHandler');
    this.checkHandler = handler;
  }
}

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new FakeFrame('');
  readonly session = new FakeSession();
  /** What `send` pushed: `[channel, ...args]`. */
  readonly sent: unknown[][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
}

/** Every window the fake made. */
export const windows: FakeBrowserWindow[] = [];

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  minimized = false;
  visible = false;
  focused = false;
  destroyed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    record('BrowserWindow.new', options);
    windows.push(this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    record('BrowserWindow.loadURL', url);
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  minimize(): void {
    this.minimized = true;
    this.focused = false;
  }
  restore(): void {
    this.minimized = false;
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    if (!this.minimized) this.focused = true;
  }
}
export const BrowserWindow = FakeBrowserWindow;

class FakeApp extends EventEmitter {
  isPackaged = false;
  /** What `requestSingleInstanceLock` answers. */
  lock = true;
  #ready: () => void = () => undefined;
  #whenReady = new Promise<void>((resolve) => {
    this.#ready = resolve;
  });
  requestSingleInstanceLock(): boolean {
    record('app.requestSingleInstanceLock');
    return this.lock;
  }
  quit(): void {
    record('app.quit');
  }
  exit(code?: number): void {
    record('app.exit', code);
  }
  whenReady(): Promise<void> {
    return this.#whenReady;
  }
  /** The test says Electron is ready. */
  emitReady(): void {
    this.emit('ready');
    this.#ready();
  }
  setAsDefaultProtocolClient(...args: unknown[]): boolean {
    record('app.setAsDefaultProtocolClient', ...args);
    return true;
  }
  getAppPath(): string {
    return '/fake/app';
  }
  getVersion(): string {
    return '0.0.0-fake';
  }
  setAboutPanelOptions(options: unknown): void {
    record('app.setAboutPanelOptions', options);
  }
  showAboutPanel(): void {
    record('app.showAboutPanel');
  }
}
export const app = new FakeApp();

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`fake ipcMain: a handler for ${channel} exists already (Electron throws too)`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Calls a handler as Electron would for `ipcRenderer.invoke` from `event.sender`/`event.senderFrame`. */
  async invoke(channel: string, event: { sender: unknown; senderFrame: unknown }, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`fake ipcMain: no handler for ${channel}`);
    return structuredClone(await handler(event, ...args));
  }
}
export const ipcMain = new FakeIpcMain();

class FakeIpcRenderer extends EventEmitter {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    record('ipcRenderer.invoke', channel, ...args);
    return Promise.resolve({ ok: true, value: channel });
  }
}
export const ipcRenderer = new FakeIpcRenderer();

export const contextBridge = {
  /** What the preload exposed, by key. */
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    record('contextBridge.exposeInMainWorld', key);
    this.exposed.set(key, api);
  },
};

export const shell = {
  openExternal(url: string): Promise<void> {
    record('shell.openExternal', url);
    return Promise.resolve();
  },
};

export const protocol = {
  handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
  registerSchemesAsPrivileged(schemes: unknown): void {
    record('protocol.registerSchemesAsPrivileged', schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response> | Response): void {
    record('protocol.handle', scheme);
    this.handlers.set(scheme, handler);
  },
};

export const net = {
  fetch(input: string, init?: RequestInit & { bypassCustomProtocolHandlers?: boolean }): Promise<Response> {
    record('net.fetch', input, init?.bypassCustomProtocolHandlers);
    const { bypassCustomProtocolHandlers: _bypass, ...rest } = init ?? {};
    return fetch(input, rest);
  },
};

export const Menu = {
  buildFromTemplate(template: unknown): { template: unknown } {
    return { template };
  },
  setApplicationMenu(menu: unknown): void {
    record('Menu.setApplicationMenu', menu);
  },
};

export const session = { defaultSession: new FakeSession() };

export const dialog = {
  showErrorBox(title: string, content: string): void {
    record('dialog.showErrorBox', title, content);
  },
};

/** The options of Electron's `utilityProcess.fork` this fake honours (stdio as Electron checks it: 'pipe', 'ignore' or 'inherit'). */
export interface FakeForkOptions {
  readonly env?: object;
  readonly execArgv?: readonly string[];
  readonly cwd?: string;
  readonly stdio?: string | readonly string[];
  readonly serviceName?: string;
}

function fakeStdio(value: string | undefined): 'pipe' | 'ignore' | 'inherit' {
  if (value === undefined || value === 'inherit' || value === 'pipe' || value === 'ignore') return value ?? 'inherit';
  throw new Error('fake utilityProcess: stdout and stderr take pipe, ignore or inherit (Electron throws too)');
}

/**
 * A FAKE utility process: the module runs in a child of this Node (`node [execArgv] <module> [args]`, with the
 * given env and cwd; execArgv defaults to none here, not to the test runner's), behind Electron's event
 * surface: `pid` undefined until 'spawn', 'exit' with a number, `stdout`/`stderr` streams only with 'pipe'
 * (dropped after 'exit', their listeners removed, as Electron does), `kill()` sends SIGTERM.
 */
export class FakeUtilityProcess extends EventEmitter {
  #child: ChildProcess | null;
  #pid: number | undefined;
  #stdout: PassThrough | null = null;
  #stderr: PassThrough | null = null;

  constructor(modulePath: string, args: readonly string[], options: FakeForkOptions) {
    super();
    const stdio = typeof options.stdio === 'string' ? ['ignore', options.stdio, options.stdio] : options.stdio ?? ['ignore', 'inherit', 'inherit'];
    if (stdio[0] !== 'ignore') throw new Error('fake utilityProcess: stdin value other than ignore is not supported (Electron throws too)');
    const [out, err] = [fakeStdio(stdio[1]), fakeStdio(stdio[2])];
    if (out === 'pipe') this.#stdout = new PassThrough();
    if (err === 'pipe') this.#stderr = new PassThrough();
    const child = spawn(process.execPath, [...(options.execArgv ?? []), modulePath, ...args], {
      env: (options.env ?? process.env) as NodeJS.ProcessEnv,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: ['ignore', out, err],
    });
    this.#child = child;
    if (this.#stdout !== null) child.stdout?.pipe(this.#stdout);
    if (this.#stderr !== null) child.stderr?.pipe(this.#stderr);
    child.once('spawn', () => {
      this.#pid = child.pid;
      this.emit('spawn');
    });
    child.once('exit', (code, signal) => {
      try {
        this.emit('exit', code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
      } finally {
        this.#child = null;
        this.#pid = undefined;
        for (const stream of [this.#stdout, this.#stderr]) stream?.removeAllListeners();
        this.#stdout = null;
        this.#stderr = null;
      }
    });
  }

  get pid(): number | undefined {
    return this.#pid;
  }

  get stdout(): PassThrough | null {
    return this.#stdout;
  }

  get stderr(): PassThrough | null {
    return this.#stderr;
  }

  kill(): boolean {
    record('utilityProcess.kill', this.#pid);
    return this.#child?.kill('SIGTERM') ?? false;
  }
}

/** Every utility process the fake started. */
export const utilityProcesses: FakeUtilityProcess[] = [];

export const utilityProcess = {
  fork(modulePath: string, args: readonly string[] = [], options: FakeForkOptions = {}): FakeUtilityProcess {
    record('utilityProcess.fork', modulePath, args, options);
    const child = new FakeUtilityProcess(modulePath, args, options);
    utilityProcesses.push(child);
    return child;
  },
};

export default { app, BrowserWindow, ipcMain, ipcRenderer, contextBridge, shell, protocol, net, Menu, session, dialog, utilityProcess, IS_FAKE_ELECTRON };
