import { isolateGit } from './support/git-env.js';

isolateGit();
