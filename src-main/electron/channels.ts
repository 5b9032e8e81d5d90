/** The IPC channel names between the desktop window's preload and the main process (no electron import: both sides take them). */
import type { DeskOperation } from '../core/contract.ts';

/** The channel of one operation: `desk:<operation>` (`ipcRenderer.invoke` / `ipcMain.handle`). */
export function operationChannel(operation: DeskOperation): `desk:${DeskOperation}` {
  return `desk:${operation}`;
}

/** The one channel the main process pushes every `DeskEvent` on (`webContents.send`). */
export const EVENT_CHANNEL = 'desk:event';
