import { governanceModule } from '../../platform/manifest/governance-module.ts';
import { ProvisioningModule } from './provisioning.module.ts';

/**
 * Provisioning (issue 20): members come from the organisation's directory over SCIM 2.0 (/scim/v2). It writes the
 * members' own streams (through the member decider), so it declares none of its own.
 */
export const provisioningModule = governanceModule({ name: 'provisioning', nestModule: ProvisioningModule });
export * from './scim/index.ts';
