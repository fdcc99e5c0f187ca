import type { Method, Output, ParsedInput } from '../../shared/api/contract';
import type { Context } from './context';

export type Handler<M extends Method> = (input: ParsedInput<M>, ctx: Context) => Promise<Output<M>> | Output<M>;
export type HandlerGroup<M extends Method> = { [K in M]: Handler<K> };
