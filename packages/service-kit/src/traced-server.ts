import {
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';

/**
 * An HTTP server whose every request runs inside its own SERVER span (the child of an incoming
 * W3C `traceparent`). Fastify handles the request within that context, so whatever it does —
 * publish an event, queue a job — joins the request's trace. With tracing off, the global
 * tracer is a no-op and this costs a few allocations per request.
 */
export function tracedServerFactory(service: string): (handler: RequestListener) => Server {
  const tracer = trace.getTracer(`@switchboard/${service}`);
  return (handler) =>
    createServer((request: IncomingMessage, response: ServerResponse) => {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const span = tracer.startSpan(
        `${request.method ?? 'HTTP'} ${path}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method ?? '', 'url.path': path },
        },
        parent,
      );
      // A span that records nothing (tracing off) needs no ending: no listeners, no closure.
      if (span.isRecording()) {
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          span.setAttribute('http.response.status_code', response.statusCode);
          if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        };
        response.once('finish', end);
        response.once('close', end);
      }
      context.with(trace.setSpan(parent, span), () => handler(request, response));
    });
}
