/**
 * What the data directory asks of the user at every start until it is dealt with: a session index or
 * profiles file that was damaged and kept aside (never replaced silently, never reported only once).
 * @module
 */
import { join } from 'node:path';
import { DeskError } from '../errors.ts';
import { asideCopies } from './json-file.ts';

const DOCUMENTS: readonly { readonly name: string; readonly meaning: string }[] = [
  { name: 'sessions.json', meaning: 'the sessions it listed are not known to OIDC Desk any more; their refresh tokens stay in the OS keychain' },
  { name: 'profiles.json', meaning: 'the profiles it held are not known to OIDC Desk any more; sessions made with them, and their keychain entries, stay' },
];

/**
 * INDEX_CORRUPT naming every aside copy (`sessions.json.corrupt-<time>`, `profiles.json.corrupt-<time>`)
 * in the data directory, what it means and what to do; undefined when there is none. Fronts show it at
 * every start while a copy exists.
 */
export async function corruptCopiesProblem(dataDir: string): Promise<DeskError | undefined> {
  const parts: string[] = [];
  let count = 0;
  for (const doc of DOCUMENTS) {
    const copies = await asideCopies(join(dataDir, doc.name));
    if (copies.length === 0) continue;
    count += copies.length;
    parts.push(`${doc.name} could not be used (damaged, or not OIDC Desk's) and was kept aside as ${copies.join(', ')}: ${doc.meaning}.`);
  }
  if (count === 0) return undefined;
  const it = count === 1 ? 'it' : 'them';
  return new DeskError('INDEX_CORRUPT', `${parts.join(' ')} Look at ${it}, then delete ${it}; until then this is reported at every start.`);
}
