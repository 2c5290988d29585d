import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/app/settings.js';
import { readEnvironment } from '../../src/cli/environment.js';
import { renderLimits } from '../../src/engine/render-budget.js';

describe('the render limits', () => {
  it('are read from TEMPLATE_DRIFT_MAX_RENDER_MB and TEMPLATE_DRIFT_MAX_RENDER_S by the app and the CLI alike', () => {
    const env = { TEMPLATE_DRIFT_MAX_RENDER_MB: '3', TEMPLATE_DRIFT_MAX_RENDER_S: '0.25' };
    expect(readSettings(env).renderLimits).toEqual({ maxOutput: 3 * 1024 * 1024, maxMilliseconds: 250, maxDepth: 100 });
    expect(readEnvironment(env).renderLimits).toEqual(readSettings(env).renderLimits);
    expect(readSettings({}).renderLimits).toEqual(renderLimits());
  });
});
