export { loadConfig, ConfigError, formatConfigError } from './load-config.js';
export { BaseEnv, type BaseConfig, type LogLevel } from './base-env.js';
export { exitOnConfigError } from './exit-on-config-error.js';
export { ProtectionEnv, type ProtectionConfig, protectionDefaults } from './protection-env.js';
export { LeaveRotationEnv, ServiceEnv, portEnv } from './service-env.js';
