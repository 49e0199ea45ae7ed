export { loggerOptions, redactUrl, type LoggerSettings } from './logger.js';
export { metricsPlugin, type MetricsPluginOptions } from './metrics-plugin.js';
export {
  healthPlugin,
  type HealthPluginOptions,
  type HealthCheck,
  type HealthReport,
} from './health-plugin.js';
export { startTracing, type TracingHandle, type TracingOptions } from './tracing.js';
export { injectTraceContext, extractTraceContext, type TraceCarrier } from './trace-propagation.js';
