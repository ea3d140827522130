import { AGREEMENTS } from '../api/documents.ts';
import { useQuery, type Connection } from '../ui.tsx';

export interface AgreementVersion {
  version: number;
  title: string;
  body: string;
  bodySha256: string;
  publishedAt: string;
  publishedBy: string;
  requiresReacceptance: boolean;
}

export interface Agreement {
  id: string;
  revision: number;
  bindingVersion: number;
  acceptedCount: number;
  pendingCount: number;
  currentVersion: { version: number; title: string; publishedAt: string };
  versions: AgreementVersion[];
}

/** Every agreement (the first 100, by id), as `agreements` lists them for any signed-in member. */
export function useAgreements(): { agreements: Agreement[]; loading: boolean; reload: () => void } {
  const state = useQuery<{ agreements: Connection<Agreement> }>(AGREEMENTS, { first: 100 });
  return {
    agreements: state.data?.agreements.edges.map(({ node }) => node) ?? [],
    loading: state.loading,
    reload: state.reload,
  };
}
