import { appRoutes } from './app.js';
import { checkRoutes } from './checks.js';
import type { Route } from './context.js';
import { gitRoutes } from './git-refs.js';
import { issueRoutes } from './issues.js';
import { pullRoutes } from './pulls.js';
import { repoRoutes } from './repos.js';

/** The operations the local GitHub implements, by GitHub's operationId (what the description calls them). */
export const routes: Readonly<Record<string, Route>> = { ...appRoutes, ...repoRoutes, ...gitRoutes, ...pullRoutes, ...issueRoutes, ...checkRoutes };
