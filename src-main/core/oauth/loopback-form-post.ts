/**
 * What the loopback receiver reads of a form post (the implicit and hybrid flows' `response_mode=form_post`):
 * a form to the redirect URI itself, urlencoded, bounded, UTF-8; anything else is a status to answer.
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { MAX_FORM_POST_BYTES } from './callback.ts';

export { MAX_FORM_POST_BYTES };

/**
 * The body of a form post as UTF-8 text, or the status that refuses it: 400 for a query on the target (the
 * provider's form goes to the redirect URI itself) or a body that is not UTF-8, 415 for another content type,
 * 413 for a body larger than {@link MAX_FORM_POST_BYTES} (by its Content-Length, unread, or once that much
 * arrived; the rest is not read, and the answer closes the connection).
 */
export async function readFormPost(req: IncomingMessage, target: string): Promise<{ readonly body: string } | { readonly status: 400 | 413 | 415 }> {
  if (target.includes('?')) return { status: 400 };
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return { status: 415 };
  const declared = Number(req.headers['content-length'] ?? '0');
  if (!Number.isFinite(declared) || declared > MAX_FORM_POST_BYTES) return { status: 413 };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_POST_BYTES) return { status: 413 };
    chunks.push(chunk);
  }
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return { status: 400 };
  }
}
