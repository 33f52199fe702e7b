import type {
  DynamicPartitionsReader,
  PartitionsContext,
} from '../partitions/partitions-definition.js';

/** A partitions context whose `now` is fixed, so every call made while mapping sees the same instant. */
export interface ResolvedContext extends PartitionsContext {
  now: Date;
  dynamic?: DynamicPartitionsReader;
}

/**
 * Picks `now` and `dynamic` out of mapping arguments. `now` is resolved once here because a
 * mapping asks its definitions several questions (count, indexOf, slice) and each would otherwise
 * read its own clock, which can disagree across an hour boundary.
 */
export function resolveContext(args: PartitionsContext): ResolvedContext {
  const ctx: ResolvedContext = { now: args.now ?? new Date() };
  if (args.dynamic !== undefined) ctx.dynamic = args.dynamic;
  return ctx;
}
