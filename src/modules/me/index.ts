import { governanceModule } from '../../platform/manifest/governance-module.ts';
import { MeModule } from './me.resolver.ts';

/** The caller: who the token says they are, and the groups they own. */
export const meModule = governanceModule({ name: 'me', nestModule: MeModule });
