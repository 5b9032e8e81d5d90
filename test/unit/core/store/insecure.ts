/** An assertion for the data directory tests: the error is DATA_DIR_INSECURE, names the path, and says how to fix it. */
import assert from 'node:assert/strict';
import { isDeskError } from '../../../../src-main/core/errors.ts';

/** For `assert.rejects`: DATA_DIR_INSECURE whose message names `path` and matches `fix`. */
export function insecure(path: string, fix: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isDeskError(error, 'DATA_DIR_INSECURE'), `expected DATA_DIR_INSECURE, got ${String(error)}`);
    assert.ok(error.message.includes(path), `the message names ${path}: ${error.message}`);
    assert.match(error.message, fix);
    return true;
  };
}
