// A failure said in the console's language. The API answers in English with extensions.code and sometimes details
// (the field refused, the revision a change conflicted with, whether it was saved, whether to retry): the headline is
// the console's own line for the code or the known case, and the service's English text follows it whenever it says
// more than the headline does (why a rule refused, which field, which revision), so nothing it said is lost.
import { ApiError } from './api/client.ts';
import { translate, type Language } from './i18n.ts';

export interface ErrorDescription {
  /** The console's own line, in the chosen language. */
  readonly headline: string;
  /** The service's (English) text, when it adds to the headline; shown after it, marked as English. */
  readonly detail: string | null;
  /** The API's code (FORBIDDEN, CONFLICT, …), for whoever reports the problem; null for a failure of the console's own. */
  readonly code: string | null;
}

/** The service's messages that say nothing its code's headline does not (format-error.ts answers these). */
const SAID_BY_HEADLINE: ReadonlySet<string> = new Set([
  'internal error',
  'the change was saved, but the views did not catch up in time; reload in a moment',
]);

export function describeError(language: Language, error: Error): ErrorDescription {
  if (!(error instanceof ApiError)) {
    // A failure outside the API's answers (the sign-in with the identity provider, a bug): its own text is all there is.
    return { headline: translate(language, 'error_UNKNOWN'), detail: error.message || null, code: null };
  }
  const detail = error.fromService && !SAID_BY_HEADLINE.has(error.message) ? error.message : null;
  return { headline: error.headline ?? headlineOf(language, error), detail, code: error.code };
}

function headlineOf(language: Language, error: ApiError): string {
  const { extensions } = error;
  switch (error.code) {
    case 'BAD_USER_INPUT':
      return error.field
        ? translate(language, 'error_BAD_USER_INPUT_field', { field: error.field })
        : translate(language, 'error_BAD_USER_INPUT');
    case 'CONFLICT':
      // A change made on a revision that is no longer the stream's (format-error.ts: WrongExpectedRevisionError).
      return typeof extensions['actualRevision'] === 'number'
        ? translate(language, 'error_CONFLICT_revision', { revision: extensions['actualRevision'] })
        : translate(language, 'error_CONFLICT');
    case 'INTERNAL_SERVER_ERROR':
      if (extensions['saved'] === true) return translate(language, 'error_saved');
      if (extensions['retryable'] === true) return translate(language, 'error_retryable');
      if (!error.fromService && error.status !== undefined) return translate(language, 'error_http', { status: error.status });
      return translate(language, 'error_INTERNAL_SERVER_ERROR');
    case 'UNKNOWN':
      if (!error.fromService && error.status !== undefined) return translate(language, 'error_http', { status: error.status });
      return translate(language, 'error_UNKNOWN');
    default:
      return translate(language, `error_${error.code}`);
  }
}

/** The same as one line of text, for where only text fits (the sign-in page's notice). */
export function errorLine(language: Language, error: Error): string {
  const { headline, detail, code } = describeError(language, error);
  const said = [detail ? `“${detail}”` : null, code].filter(Boolean).join(' ');
  return said ? `${headline} (${translate(language, 'errorServiceSaid')} ${said})` : headline;
}
