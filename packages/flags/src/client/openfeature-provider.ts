import {
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  ErrorCode,
} from '@openfeature/server-sdk';
import type { FlagContext } from '../flag-reader.js';
import type { FlagsClient } from './flags-client.js';

/**
 * An OpenFeature server provider over the in-process client, so a service can use the
 * OpenFeature API (`OpenFeature.getClient().getBooleanValue(...)`) with local evaluation.
 * Emits PROVIDER_CONFIGURATION_CHANGED with the flag key on every change.
 */
export class SwitchboardFlagsProvider implements Provider {
  readonly metadata = { name: 'switchboard-in-process' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();

  constructor(
    private readonly client: FlagsClient,
    /** Start and close the client with the provider (default: the caller manages it). */
    private readonly manageClient = false,
  ) {
    client.on('change', (change) =>
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [change.key] }),
    );
  }

  async initialize(): Promise<void> {
    if (this.manageClient) await this.client.start();
  }

  async onClose(): Promise<void> {
    if (this.manageClient) await this.client.close();
  }

  private resolve<T>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    const result = this.client.evaluate(flagKey, context as FlagContext);
    if (result.errorCode) {
      return {
        value: defaultValue,
        reason: 'ERROR',
        errorCode: ErrorCode[result.errorCode as keyof typeof ErrorCode] ?? ErrorCode.GENERAL,
        ...(result.errorMessage ? { errorMessage: result.errorMessage } : {}),
        flagMetadata: { version: result.version },
      };
    }
    const matches =
      typeof result.value === typeof defaultValue &&
      (typeof defaultValue !== 'object' || result.value !== null);
    if (!matches) {
      return {
        value: defaultValue,
        reason: 'ERROR',
        errorCode: ErrorCode.TYPE_MISMATCH,
        errorMessage: `flag ${flagKey} is not a ${typeof defaultValue}`,
      };
    }
    return {
      value: result.value as T,
      reason: result.reason,
      ...(result.variant ? { variant: result.variant } : {}),
      flagMetadata: { version: result.version },
    };
  }

  async resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return this.resolve(flagKey, defaultValue, context);
  }

  async resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return this.resolve(flagKey, defaultValue, context);
  }

  async resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return this.resolve(flagKey, defaultValue, context);
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return this.resolve(flagKey, defaultValue, context);
  }
}
