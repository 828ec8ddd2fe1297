import { describe, expect, it } from 'vitest';
import { splitNotesBody } from '../../../src/adapters/openreview/notes-body.js';
import { noteFingerprint } from '../../../src/adapters/openreview/note-fingerprint.js';
import { generateNotes } from '../../support/openreview-notes.js';
import { recordedResponse } from '../../support/recorded-fixture.js';

const ICLR_2025 = 'ICLR.cc/2025/Conference';

/** The body as bytes, and each note cut from it back as text. */
function split(body: string) {
  const cut = splitNotesBody(Buffer.from(body, 'utf8'));
  return cut && { envelope: cut.envelope, notes: cut.notes.map((note) => note.toString('utf8')) };
}

describe('a /notes body cut into its envelope and each note as text', () => {
  it('gives back each note exactly as sent, compact or indented, and the envelope without them', () => {
    const notes = generateNotes({ venue: 'ICLR', year: 2025, venueId: ICLR_2025, count: 3 });
    for (const body of [JSON.stringify({ notes, count: 3 }), JSON.stringify({ count: 3, notes }, null, 2)]) {
      const cut = split(body);
      expect(cut?.envelope).toEqual({ count: 3, notes: [] });
      expect(cut?.notes.map((text) => JSON.parse(text) as unknown)).toEqual(notes);
      for (const text of cut!.notes) expect(body).toContain(text);
    }
  });

  it('reads the recorded real listing', () => {
    const json = recordedResponse('openreview-v2-iclr2025-notes-accepted-scrubbed.json').response.json;
    const body = JSON.stringify(json);
    const cut = split(body);
    expect(cut?.notes.length).toBeGreaterThan(0);
    expect(cut?.notes.map((text) => JSON.parse(text) as unknown)).toEqual(
      (json as { notes: unknown[] }).notes,
    );
  });

  it('is not fooled by quotes, backslashes and brackets inside strings', () => {
    const tricky = [
      { id: 'a', content: { title: { value: 'Braces } ] and [ { in "quotes"' } } },
      { id: 'b', content: { title: { value: 'ends in a backslash \\' }, list: [[1, 2], { x: '\\"' }] } },
      { id: 'c', content: { title: { value: 'Ünïcödé → 注意 😀' } } },
    ];
    const body = JSON.stringify({ notes: tricky, count: 3, extra: { notes: ['not these'] } });
    const cut = split(body);
    expect(cut?.notes.map((text) => JSON.parse(text) as unknown)).toEqual(tricky);
    expect(cut?.envelope).toEqual({ notes: [], count: 3, extra: { notes: ['not these'] } });
    expect(split('{"count": 0, "notes": [ ]}')).toEqual({
      envelope: { count: 0, notes: [] },
      notes: [],
    });
  });

  it('answers undefined for what it does not expect, so the caller parses the body whole', () => {
    for (const body of [
      '',
      '[]',
      '{"count": 1}',
      '{"notes": {"a": 1}}',
      '{"notes": [1, 2]}',
      '{"notes": [{"id": "a"} {"id": "b"}]}',
      '{"notes": [{"id": "a"}], "count": }',
      '{"notes": [{"id": "a}]}',
      '{"notes": [{"id": "a"}',
      '<html><title>Just a moment...</title></html>',
    ]) {
      expect(split(body), body).toBeUndefined();
    }
  });
});

describe('note fingerprints', () => {
  const context = { venue: 'ICLR', year: 2025, status: 'accepted' } as const;

  it('change with the note text and with the listing it came from', () => {
    const text = Buffer.from('{"id":"a","content":{"title":{"value":"A"}}}');
    const same = noteFingerprint(text, context);
    expect(noteFingerprint(text, { ...context })).toBe(same);
    expect(noteFingerprint(Buffer.from(text.toString().replace('"A"', '"B"')), context)).not.toBe(same);
    expect(noteFingerprint(text, { ...context, status: 'rejected' })).not.toBe(same);
    expect(noteFingerprint(text, { ...context, year: 2026 })).not.toBe(same);
  });
});
