import { describeBasicHealth } from '@switchboard/test-kit';
import { build, useRedis } from './helper.js';

const redis = useRedis();
describeBasicHealth('flag-service', () => build(redis.server.url));
