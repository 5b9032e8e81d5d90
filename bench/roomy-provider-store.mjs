// Preloaded (node --import) into the local provider by bench/roomy-idp.ts. oidc-provider's in-memory
// adapter keeps its entries (sessions, interactions, grants, codes, tokens) in its own LRU of 1000: a
// couple of hundred sign-ins evict refresh tokens that are still valid, and refreshing them fails with
// invalid_grant. Here every LRU of oidc-provider keeps all its entries (expiry still applies).
import LRU from 'oidc-provider/lib/helpers/lru.js';

const maps = new WeakMap();
function entries(lru) {
  let map = maps.get(lru);
  if (map === undefined) {
    map = new Map();
    maps.set(lru, map);
  }
  return map;
}
function live(lru, key) {
  const entry = entries(lru).get(key);
  if (entry?.expiry !== undefined && entry.expiry <= Date.now()) {
    entries(lru).delete(key);
    return undefined;
  }
  return entry;
}

Object.defineProperties(LRU.prototype, {
  get: { value(key) { return live(this, key)?.value; } },
  set: {
    value(key, value, { maxAge } = {}) {
      const expiry = typeof maxAge === 'number' && maxAge !== Number.POSITIVE_INFINITY ? Date.now() + maxAge : undefined;
      entries(this).set(key, { value, expiry });
      return this;
    },
  },
  has: { value(key) { return live(this, key) !== undefined; } },
  delete: { value(key) { return entries(this).delete(key); } },
  clear: { value() { entries(this).clear(); } },
  size: { get() { return entries(this).size; } },
});
