import { createContext, useContext } from 'react';
import type { Capabilities, GraphQLClient } from './api/client.ts';
import type { Language, MessageKey } from './i18n.ts';
import type { Route } from './routes.ts';

/** The signed-in person: their token's roles, and the groups they own (governance state, read at sign-in). */
export interface Me {
  readonly id: string;
  readonly roles: readonly string[];
  readonly ownedGroups: readonly { readonly id: string; readonly name: string; readonly requiresCertification: boolean }[];
}

export interface ConsoleContext {
  readonly language: Language;
  readonly setLanguage: (language: Language) => void;
  readonly t: (key: MessageKey, values?: Readonly<Record<string, string | number | null>>) => string;
  /** An enum value (status, outcome, role) in words. */
  readonly e: (value: string | null | undefined) => string;
  readonly date: (value: string | null | undefined) => string;
  readonly dateTime: (value: string | null | undefined) => string;
  readonly client: GraphQLClient;
  readonly me: Me;
  readonly capabilities: Capabilities;
  readonly token: () => string | null;
  readonly navigate: (route: Route) => void;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (!context) throw new Error('useConsole outside the console');
  return context;
}
