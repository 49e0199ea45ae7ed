import { ApiError } from './api-error.js';

interface Envelope<T> {
  success: boolean;
  data?: T;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

export type Request = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * A JSON call to the public API through the load balancer (same origin as the console):
 * resolves with `data` of the success envelope, rejects with an ApiError carrying the code.
 */
export function createRequest(token: string, baseUrl = ''): Request {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK_ERROR', `The API could not be reached: ${String(error)}`);
    }
    let envelope: Envelope<T> | undefined;
    try {
      envelope = (await response.json()) as Envelope<T>;
    } catch {
      envelope = undefined;
    }
    if (response.ok && envelope?.success) return envelope.data as T;
    const failure = envelope?.error;
    throw new ApiError(
      response.status,
      failure?.code ?? `HTTP_${response.status}`,
      failure?.message ?? `${method} ${path} answered ${response.status} without an error envelope`,
      failure?.details ?? {},
    );
  };
}
