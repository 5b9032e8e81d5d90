/** Types of scripts/electron-binary.mjs, for the TypeScript tests that import it. */
export declare const ROOT: string;
/** The Electron executable, or why there is none (without require('electron'), which would download it). */
export declare function electronBinary(root?: string, env?: NodeJS.ProcessEnv): { readonly file: string; readonly missing?: undefined } | { readonly file?: undefined; readonly missing: string };
/** Why the desktop app's main process (package.json `main`) is not there, or undefined when it is built. */
export declare function mainProcessMissing(root?: string): string | undefined;
