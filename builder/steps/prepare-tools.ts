// Stage: the tools tree every later stage runs its tools in (cached; made with mmdebstrap on the first build).
import { note, toolOutput } from '../context.js';
import type { Step } from '../driver.js';
import { ensureToolsTree } from '../tools-tree.js';

export const prepareTools: Step = {
  name: 'prepare tools',
  async run(ctx) {
    const env: Record<string, string> = ctx.options.sourceDateEpoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(ctx.options.sourceDateEpoch) };
    const made = await ensureToolsTree(ctx.paths.cache, ctx.config, ctx.runner, env, toolOutput(ctx));
    if (made.missReason) note(ctx, `tools tree cache miss: ${made.missReason}`);
    ctx.state.tools = made.tree;
    return made.note;
  },
};
