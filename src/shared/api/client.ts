import { ApiError, ResultEnvelopeSchema } from './errors';
import { contract, type Input, type Method, type Output } from './contract';
import { EventSchema, type AppEvent } from './events';

/** How a client reaches the handlers: Electron IPC or HTTP. */
export interface Transport {
  call(method: string, input: unknown): Promise<unknown>;
  subscribe(listener: (event: unknown) => void): () => void;
}

export interface ApiClient {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  onEvent(listener: (event: AppEvent) => void): () => void;
}

export function createClient(transport: Transport): ApiClient {
  return {
    async call(method, input) {
      const envelope = ResultEnvelopeSchema.parse(await transport.call(method, input));
      if (!envelope.ok) throw ApiError.fromData(envelope.error);
      return contract[method].output.parse(envelope.result) as Output<typeof method>;
    },
    onEvent(listener) {
      return transport.subscribe((raw) => {
        const parsed = EventSchema.safeParse(raw);
        if (parsed.success) listener(parsed.data);
      });
    },
  };
}
