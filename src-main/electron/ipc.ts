/**
 * The window's IPC: one `ipcMain.handle('desk:<operation>')` per renderer-facing operation of `DeskApi`,
 * answered only to the window's own page, and the desk's events pushed to that window.
 * @module
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { errorView } from '../core/api/desk-api.ts';
import { RENDERER_OPERATIONS } from '../core/api/operations.ts';
import { parseInput } from '../core/api/schemas.ts';
import type { DeskApi, DeskOperation, Result } from '../core/contract.ts';
import { DeskError } from '../core/errors.ts';
import { EVENT_CHANNEL, operationChannel } from './channels.ts';
import type { OperationHook } from './system-browser.ts';

/** What {@link registerIpc} needs. */
export interface IpcDeps {
  readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** The one window whose main frame may call. */
  readonly window: Pick<BrowserWindow, 'webContents' | 'isDestroyed'>;
  readonly api: DeskApi;
  /** True for a URL of the app's own page (its privileged protocol): a frame elsewhere may not call. */
  readonly isAppUrl: (url: string) => boolean;
  /** Wraps each call, after the sender and the input were checked (the system browser's hand-off). */
  readonly hook?: OperationHook;
}

const REFUSED: Result<never> = {
  ok: false,
  error: new DeskError('IPC_SENDER_REFUSED', 'This call did not come from the OIDC Desk window, so nothing was done.').toJSON(),
};

/**
 * True when the call comes from the window's main frame showing the app's own page: not another
 * webContents, not a subframe, not a main frame navigated elsewhere.
 * @see https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */
export function isOwnSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, deps: Pick<IpcDeps, 'window' | 'isAppUrl'>): boolean {
  if (deps.window.isDestroyed()) return false;
  const contents = deps.window.webContents;
  const frame = event.senderFrame;
  if (event.sender !== contents || frame === null || frame !== contents.mainFrame) return false;
  return deps.isAppUrl(frame.url);
}

/**
 * Registers one handler per operation and forwards every desk event to the window. A refused sender gets
 * `IPC_SENDER_REFUSED` before anything runs; an input its operation's schema refuses gets `USAGE`; an
 * unexpected exception becomes `INTERNAL` (no raw text). Replies are the API's results: never a refresh
 * token. Returns what removes the handlers and the subscription.
 */
export function registerIpc(deps: IpcDeps): () => void {
  const run = async (operation: DeskOperation, input: unknown): Promise<Result<unknown>> => {
    let parsed: unknown;
    try {
      parsed = parseInput(operation, input);
    } catch (error) {
      return { ok: false, error: errorView(error) };
    }
    const call = (): Promise<Result<unknown>> => (deps.api[operation] as (input: unknown) => Promise<Result<unknown>>).call(deps.api, parsed);
    return deps.hook === undefined ? call() : deps.hook(operation, parsed, call);
  };
  for (const operation of RENDERER_OPERATIONS) {
    deps.ipcMain.handle(operationChannel(operation), async (event, input: unknown) => {
      if (!isOwnSender(event, deps)) return REFUSED;
      try {
        return await run(operation, input);
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: 'Unexpected failure.' } };
      }
    });
  }
  const unsubscribe = deps.api.subscribe((event) => {
    if (!deps.window.isDestroyed()) deps.window.webContents.send(EVENT_CHANNEL, event);
  });
  return () => {
    unsubscribe();
    for (const operation of RENDERER_OPERATIONS) deps.ipcMain.removeHandler(operationChannel(operation));
  };
}
