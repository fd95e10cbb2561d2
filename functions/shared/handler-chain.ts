import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { parseWith } from '../http/validation';
import { logger, metrics, tracer } from './powertools';

/** What varies between the kinds of handler (HTTP routes, WebSocket routes, pipeline tasks). */
export interface HandlerChainOptions<TEvent, TResult> {
  /** Turns the raw event into the handler's input (its `before` hook); a bad event throws here. */
  readonly input: MiddlewareObj<TEvent, TResult>;
  /**
   * Last in the chain, so its hooks run first on the way out and the others see the final response: maps an
   * error to a response (`onError`) or only reports it (then it is rethrown), and may finish responses (`after`).
   */
  readonly errors: MiddlewareObj<TEvent, TResult>;
  /**
   * Right after metrics, so what it records is flushed with the invocation, and before the input, so it sees
   * the raw event and, on the way out, the final response: observes each invocation (the API's request timing).
   * @default - nothing observes
   */
  readonly observe?: MiddlewareObj<TEvent, TResult>;
}

/**
 * The one middleware chain of every Lambda handler: tracer → logger → metrics → [observe] → input → errors.
 *
 * Responses stay out of traces (they carry transcripts and presigned POST credentials). Metrics are flushed
 * after every invocation, success or error, with a ColdStart metric on the first; an invocation that recorded
 * none prints nothing (the metrics' own "no metrics" warning is kept out of the logs in powertools.ts).
 */
export function handlerChain<TEvent, TInput, TResult>(
  options: HandlerChainOptions<TEvent, TResult>,
  handler: (input: TInput, context: Context) => Promise<TResult>,
) {
  const chain = middy<TEvent, TResult>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
  if (options.observe) chain.use(options.observe);
  return chain
    .use(options.input)
    .use(options.errors)
    .handler((event, context) => handler(event as unknown as TInput, context));
}

/**
 * An input middleware that validates the event with a zod schema (a 400 VALIDATION_ERROR listing every
 * problem otherwise) and appends the keys `logKeys` picks from it to every log line of the invocation.
 */
export function parsedEvent<S extends z.ZodType>(
  schema: S,
  what: string,
  logKeys: (input: z.output<S>) => Record<string, unknown> = () => ({}),
): MiddlewareObj {
  return {
    name: 'parsedEvent',
    before: (request) => {
      const input = parseWith(schema, request.event, what);
      logger.appendKeys(logKeys(input));
      request.event = input;
    },
  };
}
