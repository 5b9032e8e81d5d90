/**
 * The profiles file (`profiles.json`): every profile the user made, shared by the app and the CLI.
 * @module
 */
import { join } from 'node:path';
import { DeskError } from '../errors.ts';
import { parseProfile, type Profile } from '../profile.ts';
import { VersionedStore, type DocumentType } from './versioned-store.ts';

interface ProfilesDoc {
  readonly profiles: readonly Profile[];
}

const PROFILES_DOC: DocumentType<ProfilesDoc> = {
  schemaVersion: 1,
  empty: () => ({ profiles: [] }),
  parse(value) {
    const list = (value as { profiles?: unknown }).profiles;
    if (!Array.isArray(list)) return undefined;
    try {
      return { profiles: list.map((p) => parseProfile(p)) };
    } catch {
      return undefined;
    }
  },
};

/** Profiles kept in `<dataDir>/profiles.json`. */
export class ProfileStore {
  readonly #store: VersionedStore<ProfilesDoc>;

  constructor(dataDir: string, now: () => number) {
    this.#store = new VersionedStore(join(dataDir, 'profiles.json'), PROFILES_DOC, now);
  }

  async list(): Promise<readonly Profile[]> {
    return (await this.#store.read()).profiles;
  }

  /** The profile called `name`, or PROFILE_NOT_FOUND. */
  async get(name: string): Promise<Profile> {
    const found = (await this.list()).find((p) => p.name === name);
    if (found === undefined) throw new DeskError('PROFILE_NOT_FOUND', 'There is no profile with that name.');
    return found;
  }

  /** Adds a profile (validated); refuses a name in use unless `replace`. */
  async add(input: unknown, options: { replace?: boolean } = {}): Promise<Profile> {
    const profile = parseProfile(input);
    await this.#store.update((doc) => {
      const exists = doc.profiles.some((p) => p.name === profile.name);
      if (exists && options.replace !== true) throw new DeskError('PROFILE_EXISTS', 'A profile with that name exists already.');
      return { profiles: [...doc.profiles.filter((p) => p.name !== profile.name), profile] };
    });
    return profile;
  }

  /**
   * Replaces the profile called `name` with `input` (validated; it may have another name) in one step;
   * PROFILE_NOT_FOUND when there is none, PROFILE_EXISTS when the new name is another profile's.
   */
  async update(name: string, input: unknown): Promise<Profile> {
    const profile = parseProfile(input);
    await this.#store.update((doc) => {
      if (!doc.profiles.some((p) => p.name === name)) throw new DeskError('PROFILE_NOT_FOUND', 'There is no profile with that name.');
      if (profile.name !== name && doc.profiles.some((p) => p.name === profile.name)) throw new DeskError('PROFILE_EXISTS', 'Another profile has that name already.');
      return { profiles: doc.profiles.map((p) => (p.name === name ? profile : p)) };
    });
    return profile;
  }

  /** Removes a profile; PROFILE_NOT_FOUND when there is none. */
  async remove(name: string): Promise<void> {
    await this.#store.update((doc) => {
      if (!doc.profiles.some((p) => p.name === name)) throw new DeskError('PROFILE_NOT_FOUND', 'There is no profile with that name.');
      return { profiles: doc.profiles.filter((p) => p.name !== name) };
    });
  }
}
