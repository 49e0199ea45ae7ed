import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  type SpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT; tracing stays off when unset (and no exporter is given). */
  endpoint?: string | undefined;
  /** For tests: an in-memory exporter, exported synchronously. */
  exporter?: SpanExporter;
}

export interface TracingHandle {
  enabled: boolean;
  shutdown(): Promise<void>;
}

/** Starts OpenTelemetry (W3C trace context) when an endpoint or exporter is given; a no-op otherwise. */
export function startTracing(options: TracingOptions): TracingHandle {
  if (!options.endpoint && !options.exporter)
    return { enabled: false, shutdown: async () => undefined };
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/$/, '')}/v1/traces` }),
      );
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [spanProcessor],
    // Host/process detectors resolve asynchronously and hold back exports until they do;
    // an injected (test) exporter wants each span the moment it ends.
    autoDetectResources: !options.exporter,
  });
  sdk.start();
  return {
    enabled: true,
    shutdown: async () => {
      await sdk.shutdown();
      trace.disable();
    },
  };
}
