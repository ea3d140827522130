import { EventSchemaDefinitionError, UnknownEventTypeError } from './errors.ts';
import type { Upcaster } from './upcasters.ts';

export interface PersonalDataDeclaration<Data> {
  /** Top-level data keys holding personal data; each is encrypted whole, whatever JSON value it holds. */
  readonly fields: readonly string[];
  /** The member whose key encrypts these fields: forgetting that member makes them read as "[redacted]". */
  subject(data: Data): string;
}

export interface EventSchemaDefinition<Data extends object = Record<string, unknown>> {
  /** The stored name; it never changes once events of this type exist. */
  readonly type: string;
  /** Version of the shape written now. Default 1. */
  readonly schemaVersion?: number;
  readonly personal?: PersonalDataDeclaration<Data>;
  /** Keyed by the version they read; each returns the data of the next version. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

export interface EventSchema {
  readonly type: string;
  readonly schemaVersion: number;
  readonly personal: PersonalDataDeclaration<Record<string, unknown>> | undefined;
  readonly upcasters: ReadonlyMap<number, Upcaster>;
}

interface MutableSchema {
  readonly type: string;
  readonly schemaVersion: number;
  readonly personal: PersonalDataDeclaration<Record<string, unknown>> | undefined;
  readonly upcasters: Map<number, Upcaster>;
}

/** What the serialisation layer knows about each event type: current version, personal fields, upcasters. */
export class EventSchemaRegistry {
  private readonly schemas = new Map<string, MutableSchema>();

  register<Data extends object>(definition: EventSchemaDefinition<Data>): this {
    const { type } = definition;
    if (typeof type !== 'string' || type.length === 0) throw new EventSchemaDefinitionError('event type must be a non-empty string');
    if (this.schemas.has(type)) throw new EventSchemaDefinitionError(`event type "${type}" is registered twice`);
    const schemaVersion = definition.schemaVersion ?? 1;
    if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
      throw new EventSchemaDefinitionError(`event type "${type}": schemaVersion must be a whole number >= 1`);
    }
    const personal = definition.personal as PersonalDataDeclaration<Record<string, unknown>> | undefined;
    if (personal) {
      if (personal.fields.length === 0 || personal.fields.some((f) => typeof f !== 'string' || f.length === 0)) {
        throw new EventSchemaDefinitionError(`event type "${type}": personal fields must be non-empty data keys`);
      }
      if (new Set(personal.fields).size !== personal.fields.length) {
        throw new EventSchemaDefinitionError(`event type "${type}": a personal field is listed twice`);
      }
      if (typeof personal.subject !== 'function')
        throw new EventSchemaDefinitionError(`event type "${type}": personal data needs a subject(data)`);
    }
    const schema: MutableSchema = { type, schemaVersion, personal, upcasters: new Map() };
    this.schemas.set(type, schema);
    for (const [from, upcaster] of Object.entries(definition.upcasters ?? {})) {
      this.registerUpcaster(type, Number(from), upcaster);
    }
    return this;
  }

  /** For upcasters kept beside the module that owns the old shape. */
  registerUpcaster(type: string, fromVersion: number, upcaster: Upcaster): this {
    const schema = this.schemas.get(type);
    if (!schema) throw new EventSchemaDefinitionError(`upcaster for unregistered event type "${type}"`);
    if (!Number.isSafeInteger(fromVersion) || fromVersion < 1 || fromVersion >= schema.schemaVersion) {
      throw new EventSchemaDefinitionError(
        `event type "${type}": an upcaster reads a version from 1 to ${schema.schemaVersion - 1}, not ${fromVersion}`,
      );
    }
    if (typeof upcaster !== 'function')
      throw new EventSchemaDefinitionError(`event type "${type}": upcaster from ${fromVersion} is not a function`);
    if (schema.upcasters.has(fromVersion))
      throw new EventSchemaDefinitionError(`event type "${type}": two upcasters from version ${fromVersion}`);
    schema.upcasters.set(fromVersion, upcaster);
    return this;
  }

  get(type: string): EventSchema | undefined {
    return this.schemas.get(type);
  }

  require(type: string): EventSchema {
    const schema = this.schemas.get(type);
    if (!schema) throw new UnknownEventTypeError(type);
    return schema;
  }

  types(): string[] {
    return [...this.schemas.keys()];
  }
}
