import { Webhook } from 'standardwebhooks';

/**
 * One webhook attempt, signed per Standard Webhooks with the `standardwebhooks` package: headers
 * `webhook-id` (stable across retries), `webhook-timestamp` (fresh per attempt) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per valid secret, space-separated, so receivers
 * keep verifying during a secret rotation). The exact bytes signed are the bytes sent.
 */
export interface AttemptRequest {
  url: string;
  messageId: string;
  body: string;
  /** The endpoint's secrets that sign now: the current one first, the previous one during its grace. */
  secrets: string[];
  timeoutMs: number;
}

export interface AttemptResult {
  /** HTTP status, or undefined when no answer came (timeout, connection refused, DNS). */
  status: number | undefined;
  retryAfter: string | null;
  error: string | undefined;
}

export type SignatureHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

export function signatureHeaders(messageId: string, body: string, secrets: string[], at: Date): SignatureHeaders {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(messageId, at, body));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

export async function attemptWebhook(req: AttemptRequest): Promise<AttemptResult> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'township-enforcement-cases-webhooks/1',
    ...signatureHeaders(req.messageId, req.body, req.secrets, new Date()),
  };
  try {
    const response = await fetch(req.url, {
      method: 'POST',
      headers,
      body: req.body,
      // A redirect is the receiver's misconfiguration, not a success (and could point inside the network).
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    // The body is not needed; drain it so the connection is released.
    await response.arrayBuffer().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return { status: response.status, retryAfter: response.headers.get('retry-after'), error: ok ? undefined : `HTTP ${response.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${req.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { status: undefined, retryAfter: null, error: reason };
  }
}
