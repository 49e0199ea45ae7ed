/** A failed call, from the SPEC error envelope (or what the console could tell without one). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A failure in words, with its code and status, for any error the views meet. */
export function describeError(error: unknown): { code: string; text: string; status?: number } {
  if (error instanceof ApiError)
    return { code: error.code, status: error.status, text: error.message };
  return { code: 'NETWORK_ERROR', text: error instanceof Error ? error.message : String(error) };
}
