import { roomLogSettings } from '@switchboard/room-log';
import { runPlatformService } from '@switchboard/service-kit';
import { SERVICE_NAME, buildApp } from './app.js';
import { loadFlagsConfig } from './config.js';

await runPlatformService(SERVICE_NAME, loadFlagsConfig, (config, platform) => ({
  leaveRotationMs: config.DRAIN_MS,
  build: () => buildApp({ ...platform, roomLog: roomLogSettings(config) }),
}));
