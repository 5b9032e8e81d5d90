/**
 * The modules of every command that works on the data directory, and the composition root behind them:
 * run.ts loads them together (one chunk of the built CLI, a few files to read) once such a command runs,
 * so `--version` and `help` load none of them. What only some commands need (jose, keytar, oidc-provider,
 * node:http) is loaded further down, on first use.
 */
export { removeRedirectFiles } from './browser.ts';
export { createContext } from './context.ts';
export { demoIdp } from './commands/demo-idp.ts';
export { inspect } from './commands/inspect.ts';
export { login } from './commands/login.ts';
export { logout } from './commands/logout.ts';
export { profileAdd, profileKey, profileList, profileRemove, profileSecret } from './commands/profile.ts';
export { quickstart } from './commands/quickstart.ts';
export { refresh } from './commands/refresh.ts';
export { sessions } from './commands/sessions.ts';
export { token } from './commands/token.ts';
export { ui } from './commands/ui.ts';
export { userinfo } from './commands/userinfo.ts';
