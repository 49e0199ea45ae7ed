import { AppError, ErrorCode } from '@switchboard/errors';

/**
 * Metadata is stored with the sandbox and sent in every list page and status: bounded on the way
 * in (SANDBOX_METADATA_MAX_BYTES), measured as the JSON that is stored.
 */
export function assertMetadataSize(
  metadata: Record<string, unknown> | undefined,
  maxBytes: number,
): void {
  if (metadata === undefined) return;
  const size = Buffer.byteLength(JSON.stringify(metadata));
  if (size <= maxBytes) return;
  throw new AppError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `metadata is ${size} bytes as JSON; at most ${maxBytes} are allowed.`,
    { field: 'metadata', limit: maxBytes, size },
  );
}
