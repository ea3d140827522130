import { useState, type FormEvent } from 'react';
import { ROLES, type Role } from '../access.ts';
import { beginOidcSignIn, developmentToken, storeToken, type SignInConfig } from '../auth/session.ts';
import { enumLabel, type Language, type MessageKey } from '../i18n.ts';

interface Props {
  readonly t: (key: MessageKey) => string;
  readonly language: Language;
  readonly config: SignInConfig | null;
  readonly problem: string | null;
  readonly returnTo: string;
  readonly onToken: (token: string) => void;
}

export function SignInPage({ t, language, config, problem, returnTo, onToken }: Props) {
  const [memberId, setMemberId] = useState('cm-1');
  const [roles, setRoles] = useState<Role[]>(['COMMUNITY_MANAGER']);
  const [pasted, setPasted] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const fail = (e: unknown) => {
    setError(`${t('signInFailed')}: ${e instanceof Error ? e.message : String(e)}`);
    setBusy(false);
  };

  const submitDevelopment = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    developmentToken(memberId.trim(), roles).then((token) => {
      storeToken(token);
      onToken(token);
    }, fail);
  };

  const submitToken = (event: FormEvent) => {
    event.preventDefault();
    const token = pasted.trim().replace(/^Bearer\s+/i, '');
    if (!token) return;
    storeToken(token);
    onToken(token);
  };

  return (
    <section aria-labelledby="signin-title" className="panel signin">
      <h1 id="signin-title">{t('signInTitle')}</h1>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {!config ? <p role="status">{t('loading')}</p> : null}
      {config?.mode === 'development' ? (
        <form onSubmit={submitDevelopment}>
          <p>{t('signInDevelopment')}</p>
          <div className="field">
            <label htmlFor="signin-member">{t('memberId')}</label>
            <input
              id="signin-member"
              value={memberId}
              onChange={(e) => setMemberId(e.target.value)}
              required
              autoComplete="username"
              pattern="[A-Za-z0-9._:@\-]{1,100}"
            />
          </div>
          <fieldset className="field">
            <legend>{t('chooseRoles')}</legend>
            {ROLES.map((role) => (
              <label key={role} className="check">
                <input
                  type="checkbox"
                  checked={roles.includes(role)}
                  onChange={(e) => setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))}
                />
                {enumLabel(language, role)} <code>{role}</code>
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={busy || roles.length === 0 || memberId.trim() === ''}>
            {t('signInButton')}
          </button>
        </form>
      ) : null}
      {config?.mode === 'oidc' ? (
        <div>
          <p>{t('signInOidc')}</p>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              beginOidcSignIn(config, returnTo).catch(fail);
            }}
          >
            {t('signInWithProvider')}
          </button>
        </div>
      ) : null}
      {config?.mode === 'token' ? (
        <form onSubmit={submitToken}>
          <p>{t('signInToken')}</p>
          <p className="muted">{config.reason}</p>
          <div className="field">
            <label htmlFor="signin-token">{t('accessToken')}</label>
            <textarea id="signin-token" rows={4} value={pasted} onChange={(e) => setPasted(e.target.value)} required spellCheck={false} />
          </div>
          <button type="submit" className="primary">
            {t('signInButton')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
