/**
 * What both modes give the live view (view/): the `ui` section and the SLO tracker. THE place the
 * page is wired: the static-file handler (`staticFiles`, serving view/static under `/ui`) goes
 * here, once, for collector mode and embedded mode alike.
 */
import type { SloTracker } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { LiveViewOptions } from '../view/index.ts';

/** The view's options from the configuration (`ui`) and the agent's SLO tracker. */
export function liveViewOptions(
  config: ResolvedConfig,
  slos: SloTracker | undefined,
): Pick<LiveViewOptions, 'ui' | 'slos' | 'staticFiles'> {
  return { ui: config.ui, slos };
}
