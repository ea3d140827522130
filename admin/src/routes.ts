import type { Area } from './access.ts';

// The console's routes, all under /admin (the service answers index.html for each of them).
export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'signin' }
  | { readonly name: 'callback' }
  | { readonly name: 'area'; readonly area: Area }
  | { readonly name: 'case'; readonly caseId: string }
  | { readonly name: 'standing'; readonly memberId: string }
  | { readonly name: 'group'; readonly groupId: string }
  | { readonly name: 'notFound'; readonly path: string };

export const BASE = '/admin';

const AREA_PATHS: Readonly<Record<Area, string>> = {
  moderation: 'moderation',
  members: 'members',
  groups: 'groups',
  training: 'training',
  certification: 'certification',
  myCertification: 'my-certification',
  ambassadors: 'ambassadors',
  agreements: 'agreements',
  privacy: 'privacy',
  myPrivacy: 'my-privacy',
  audit: 'audit',
  insights: 'insights',
  adoption: 'adoption',
  notifications: 'notifications',
  webhooks: 'webhooks',
};

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function parseRoute(pathname: string): Route {
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return { name: 'notFound', path: pathname };
  const segments = pathname.slice(BASE.length).split('/').filter(Boolean);
  const [first, second, third] = segments;
  if (!first) return { name: 'home' };
  if (first === 'signin' && segments.length === 1) return { name: 'signin' };
  if (first === 'callback' && segments.length === 1) return { name: 'callback' };
  if (first === 'moderation' && second === 'cases' && third && segments.length === 3) {
    const caseId = decode(third);
    if (caseId) return { name: 'case', caseId };
  }
  if (first === 'members' && second && third === 'standing' && segments.length === 3) {
    const memberId = decode(second);
    if (memberId) return { name: 'standing', memberId };
  }
  if (first === 'groups' && second && segments.length === 2) {
    const groupId = decode(second);
    if (groupId) return { name: 'group', groupId };
  }
  if (segments.length === 1) {
    const area = (Object.keys(AREA_PATHS) as Area[]).find((a) => AREA_PATHS[a] === first);
    if (area) return { name: 'area', area };
  }
  return { name: 'notFound', path: pathname };
}

export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'home':
      return `${BASE}/`;
    case 'signin':
      return `${BASE}/signin`;
    case 'callback':
      return `${BASE}/callback`;
    case 'area':
      return `${BASE}/${AREA_PATHS[route.area]}`;
    case 'case':
      return `${BASE}/moderation/cases/${encodeURIComponent(route.caseId)}`;
    case 'standing':
      return `${BASE}/members/${encodeURIComponent(route.memberId)}/standing`;
    case 'group':
      return `${BASE}/groups/${encodeURIComponent(route.groupId)}`;
    case 'notFound':
      return route.path;
  }
}
