import { FLAGS, withServiceFlags } from '@switchboard/flags';
import { runPlatformService } from '@switchboard/service-kit';
import { SERVICE_NAME, buildApp } from './app.js';
import { loadSandboxConfig } from './config.js';

await runPlatformService(SERVICE_NAME, loadSandboxConfig, (config, platform) => ({
  leaveRotationMs: config.DRAIN_MS,
  // Flags are read live from Redis through the in-process SDK (changes apply in milliseconds).
  build: () =>
    withServiceFlags(
      SERVICE_NAME,
      platform,
      [
        {
          key: FLAGS.SANDBOX_PAUSE_RESUME,
          enabled: config.FLAG_SANDBOX_PAUSE_RESUME,
          description: 'Gates sandbox pause, resume, bulk, pause-history and pause-settings.',
        },
      ],
      (flags) => buildApp({ ...platform, settings: config, flags }),
    ),
}));
