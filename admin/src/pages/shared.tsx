import { useEffect, useState } from 'react';
import { supports } from '../api/client.ts';
import { AGREEMENT, MY_PENDING_AGREEMENTS, STREAMS_OF_CATEGORY } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { idsOfStreams } from '../moderation.ts';

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

const KNOWN_KEY = (category: string) => `governance-console.known.${category}`;

/** Ids looked up by hand before (the API has no list of agreements or programmes), kept in this browser. */
export function rememberId(category: string, id: string): void {
  const known = knownIds(category);
  if (!known.includes(id)) localStorage.setItem(KNOWN_KEY(category), JSON.stringify([...known, id].slice(-50)));
}

export function knownIds(category: string): string[] {
  try {
    const value = JSON.parse(localStorage.getItem(KNOWN_KEY(category)) ?? '[]') as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The ids of the streams of a category that the caller can discover: from the governance history when the service
 * offers it and the caller may read it, plus the ids remembered in this browser.
 */
export function useStreamIds(category: string, eventType: string, extra: readonly string[] = []): { ids: string[]; loading: boolean } {
  const { client, capabilities, me } = useConsole();
  const [ids, setIds] = useState<string[]>(() => [...new Set([...extra, ...knownIds(category)])]);
  const [loading, setLoading] = useState(true);
  const extraKey = extra.join('\n');
  useEffect(() => {
    let cancelled = false;
    const readers = ['AUDITOR', 'COMMUNITY_MANAGER'];
    const base = [...new Set([...(extraKey ? extraKey.split('\n') : []), ...knownIds(category)])];
    if (!supports(capabilities, STREAMS_OF_CATEGORY) || !me.roles.some((r) => readers.includes(r))) {
      setIds(base);
      setLoading(false);
      return;
    }
    client
      .request<{ governanceHistory: { edges: { node: { streamId: string } }[] } }>(STREAMS_OF_CATEGORY, {
        filter: { category, eventTypes: [eventType] },
        first: 100,
      })
      .then(
        (answer) => {
          if (cancelled) return;
          const fromHistory = idsOfStreams(
            category,
            answer.governanceHistory.edges.map((e) => e.node.streamId),
          );
          setIds([...new Set([...fromHistory, ...base])]);
          setLoading(false);
        },
        () => {
          if (cancelled) return;
          setIds(base);
          setLoading(false);
        },
      );
    return () => {
      cancelled = true;
    };
  }, [client, capabilities, me.roles, category, eventType, extraKey]);
  return { ids, loading };
}

/** The agreements the caller can find (see useStreamIds), each read through `agreement(id)`. */
export function useAgreements(): { agreements: Agreement[]; loading: boolean; reload: () => void } {
  const { client } = useConsole();
  const [pending, setPending] = useState<string[]>([]);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    client.request<{ myPendingAgreements: { id: string }[] }>(MY_PENDING_AGREEMENTS).then(
      (answer) => setPending(answer.myPendingAgreements.map((a) => a.id)),
      () => setPending([]),
    );
  }, [client, generation]);
  const { ids, loading } = useStreamIds('agreement', 'AgreementVersionPublished', pending);
  const [agreements, setAgreements] = useState<Agreement[]>([]);
  const [fetching, setFetching] = useState(false);
  const idsKey = ids.join('\n');
  useEffect(() => {
    let cancelled = false;
    const list = idsKey ? idsKey.split('\n') : [];
    setFetching(true);
    Promise.all(
      list.map((id) =>
        client.request<{ agreement: Agreement | null }>(AGREEMENT, { id }).then(
          (a) => a.agreement,
          () => null,
        ),
      ),
    ).then((found) => {
      if (cancelled) return;
      setAgreements(found.filter((a): a is Agreement => a !== null).sort((a, b) => a.id.localeCompare(b.id)));
      setFetching(false);
    });
    return () => {
      cancelled = true;
    };
  }, [client, idsKey, generation]);
  return { agreements, loading: loading || fetching, reload: () => setGeneration((g) => g + 1) };
}
