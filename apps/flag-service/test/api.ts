import type { TypedFastify } from '@switchboard/service-kit';
import { tokenFor } from './helper.js';

export const admin = tokenFor('admin-1', 'd-admin', 'admin');
export const user = tokenFor('user-1', 'd1', 'user');

type Method = 'GET' | 'POST' | 'PUT';

/** app.inject with a bearer token and JSON body. */
export function call(
  app: TypedFastify,
  method: Method,
  url: string,
  body?: unknown,
  { token = admin, headers = {} }: { token?: string; headers?: Record<string, string> } = {},
) {
  return app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...headers },
    ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
  });
}
