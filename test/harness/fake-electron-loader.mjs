// A module-resolution hook for tests: the specifier 'electron' resolves to the FAKE electron module
// (test/harness/fake-electron.ts), never to the real package (whose require would try to download a binary).
// Register it with `module.register('../harness/fake-electron-loader.mjs', import.meta.url)`.
const FAKE = new URL('./fake-electron.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: FAKE, shortCircuit: true };
  return next(specifier, context);
}
