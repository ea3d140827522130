import { REDACTED } from '#event-store';
import { noticeOf } from './erasure-notices.ts';

const work = { value: 'ada@work.example', type: 'work' as const, primary: false };
const home = { value: 'ada@home.example', type: 'home' as const, primary: true };

describe('noticeOf: the address an erasure keeps to say it is done', () => {
  it('keeps the primary address, as the delivery would choose it, with the language', () => {
    expect(noticeOf([work, home], 'nl-BE')).toEqual({ address: 'ada@home.example', language: 'nl-BE' });
  });

  it('keeps the first address when none is primary, and no language when none was given', () => {
    expect(noticeOf([work, { ...home, primary: false }], undefined)).toEqual({ address: 'ada@work.example', language: null });
  });

  it('keeps nothing for a member without an address (they are recorded as not told)', () => {
    expect(noticeOf([], 'en')).toBeNull();
    expect(noticeOf(undefined, 'en')).toBeNull();
  });

  it('keeps nothing once the key is destroyed (an erasure asked again reads "[redacted]"), so it never replaces the kept one', () => {
    expect(noticeOf(REDACTED, REDACTED)).toBeNull();
  });
});
