import { ApiError, describeError } from '../api/api-error.js';

interface Props {
  error: unknown;
  /** Words for a 404 (an API this deployment does not have yet), instead of the raw message. */
  notFound?: string;
}

/** An error in words with its code, announced to screen readers. */
export function ErrorMessage({ error, notFound }: Props) {
  if (!error) return null;
  const { code, text, status } = describeError(error);
  const missing = notFound !== undefined && error instanceof ApiError && error.status === 404;
  return (
    <div role="alert" className="error">
      <strong>{missing ? notFound : text}</strong>{' '}
      <code>
        {code}
        {status ? ` · HTTP ${status}` : ''}
      </code>
    </div>
  );
}
