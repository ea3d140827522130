import { globalId } from '../../platform/graphql/node.ts';
import type { LogSealView } from './integrity.graphql.ts';
import type { LogSeal } from './log-seal.ts';

export function sealView(seal: LogSeal): LogSealView {
  return {
    id: globalId('LogSeal', seal.position),
    position: seal.position,
    eventCount: seal.eventCount,
    rootHash: seal.rootHash,
    sealedAt: new Date(seal.sealedAt),
    keyId: seal.keyId,
    algorithm: seal.algorithm,
    signature: seal.signature,
  };
}
