/**
 * The names a configuration defines, as types: budget contexts with their phases, the features the
 * degradation levels switch off, the budget modifiers. Here they are all `string`; a declaration
 * file written by `headroom types --config headroom.yaml` fills in {@link HeadroomNames} by
 * declaration merging (as i18next's `CustomTypeOptions`), and the API then takes string-literal
 * unions: a misspelt context, phase, feature or modifier is a compile error.
 */

/**
 * Filled in by the file `headroom types` writes; empty here, so every name is a `string`. Its
 * members, all optional as a group (without one, that kind of name stays `string`):
 * - `contexts`: each context name mapped to the union of its phase names (`never` when it has none)
 * - `features`: the union of the features `degradation.levels.*.disable` lists (`never` when none)
 * - `modifiers`: the union of the names under `adaptive.modifiers` (`never` when none)
 * @example
 * declare module 'headroom-otel' {
 *   interface HeadroomNames {
 *     contexts: { emergency: 'routing' | 'execution'; batch: never };
 *     features: 'recommendations';
 *     modifiers: 'black_friday';
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: declaration merging fills it in (module augmentation)
export interface HeadroomNames {}

/** A budget context name (`contexts` of the configuration); `string` without generated names. */
export type ContextName = HeadroomNames extends { contexts: infer Contexts }
  ? keyof Contexts & string
  : string;

/**
 * The context an `Operation` of `track(operation, context: C, fn)` carries: `C` with generated
 * names; `string` without, so that `op.context` stays a `string` as it always was.
 */
export type OperationContext<C extends string> = string extends ContextName ? string : C;

/**
 * A phase name of context `C` (its `phases`); of any context when `C` is the whole
 * {@link ContextName}; `string` without generated names.
 */
export type PhaseName<C extends string = ContextName> = HeadroomNames extends { contexts: infer Contexts }
  ? C extends keyof Contexts
    ? Contexts[C] & string
    : never
  : string;

/** A feature name (`degradation.levels.*.disable`); `string` without generated names. */
export type FeatureName = HeadroomNames extends { features: infer Features extends string }
  ? Features
  : string;

/** A budget modifier name (`adaptive.modifiers`); `string` without generated names. */
export type ModifierName = HeadroomNames extends { modifiers: infer Modifiers extends string }
  ? Modifiers
  : string;
