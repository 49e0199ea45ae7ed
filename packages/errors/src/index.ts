export { ErrorCode, errorCatalog, statusOf, isErrorCode, type ErrorDefinition } from './catalog.js';
export { AppError, isAppError, type ErrorDetails } from './app-error.js';
export {
  ok,
  failure,
  type SuccessEnvelope,
  type FailureEnvelope,
  type ErrorBody,
} from './envelope.js';
export { currentTraceId } from './trace-id.js';
export { errorEnvelopeSchema, errorResponses } from './schemas.js';
export {
  errorHandlerPlugin,
  notFoundError,
  toAppError,
  type ErrorHandlerOptions,
} from './error-handler-plugin.js';
export { sendFailure } from './send-failure.js';
export { appErrorResponse, errorBody, failureResponse } from './raw-response.js';
export { rateLimitError } from './rate-limit.js';
export {
  clientErrorHandler,
  frameworkErrorHandler,
  clientFailure,
  frameworkFailure,
} from './transport-errors.js';
export {
  isDependencyUnavailable,
  dependencyUnavailableError,
  DEPENDENCY_RETRY_AFTER_SECONDS,
} from './dependency-unavailable.js';
