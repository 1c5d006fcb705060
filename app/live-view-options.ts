/**
 * What both modes give the live view (view/): the `ui` section, the SLO tracker and the page: the
 * static-file handler serving view/static under `/ui` (read once here, for collector mode and
 * embedded mode alike).
 */
import type { SloTracker } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { createStaticFiles, type LiveViewOptions } from '../view/index.ts';

/** The view's options from the configuration (`ui`), the agent's SLO tracker and the page's files. */
export function liveViewOptions(
  config: ResolvedConfig,
  slos: SloTracker | undefined,
): Pick<LiveViewOptions, 'ui' | 'slos' | 'staticFiles'> {
  return { ui: config.ui, slos, staticFiles: createStaticFiles() };
}
