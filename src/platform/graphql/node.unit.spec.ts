import { globalId, parseGlobalId } from './node.ts';

describe('global ids', () => {
  test('name the type and the key parts, and read back as they were made', () => {
    expect(globalId('TrainingEnrolment', 'prog-1', 'm@example.com')).toBe('TrainingEnrolment/prog-1/m@example.com');
    expect(globalId('TrainingModule', 'prog-1', 3, 'intro')).toBe('TrainingModule/prog-1/3/intro');
    expect(parseGlobalId('TrainingEnrolment/prog-1/m@example.com')).toEqual({
      typename: 'TrainingEnrolment',
      keys: ['prog-1', 'm@example.com'],
    });
  });

  test("a key holding '/' or '%' (a consent purpose is free text) stays one part", () => {
    const id = globalId('Consent', 'm-1', 'news/letter 100%');
    expect(id).toBe('Consent/m-1/news%2Fletter 100%25');
    expect(parseGlobalId(id)).toEqual({ typename: 'Consent', keys: ['m-1', 'news/letter 100%'] });
  });

  test('the same key under two types gives two ids', () => {
    expect(globalId('Certification', 'm-1')).not.toBe(globalId('PrivacySettings', 'm-1'));
  });

  test('anything globalId could not have made is no id: no type, no key, a bad or non-canonical escape', () => {
    for (const id of ['', 'm-1', '/m-1', 'Certification/', 'Consent/m-1/%zz', 'Consent/m-1/%2f', 'Consent/m-1/%41']) {
      expect(parseGlobalId(id)).toBeNull();
    }
  });
});
