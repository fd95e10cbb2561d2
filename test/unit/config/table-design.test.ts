import { describe, expect, it } from 'vitest';
import { matchesIamPattern } from '../../helpers/iam-pattern';
import { GSI1_PARTITIONS, type ItemType, keys, leadingKeyPattern, PARTITIONS } from '../../../lib/config/table-design';

/** One real partition key value of every item type, from the key builders the repositories use. */
const SAMPLES: Readonly<Record<ItemType, string>> = {
  job: keys.job('j1').pk,
  transcriptionCallback: keys.transcriptionCallback('j1').pk,
  subscription: keys.subscription('j1', 'c1').pk,
  connection: keys.connection('c1', 'j1').pk,
  audioResult: keys.audioResult('a'.repeat(64), 'es', null).pk,
  textTranslation: keys.textTranslation('b'.repeat(64)).pk,
  usage: keys.usage('k1', '2026-01-01').pk,
  apiKey: keys.apiKey('k1').pk,
  stats: keys.stats().pk,
};

describe('table design: one partition per item type, which is what IAM can scope', () => {
  it('puts every item type in its own partition, matched by its LeadingKeys pattern and by no other', () => {
    for (const [type, pk] of Object.entries(SAMPLES) as [ItemType, string][]) {
      const matching = (Object.keys(PARTITIONS) as ItemType[]).filter((other) => matchesIamPattern(leadingKeyPattern(PARTITIONS[other]), pk));
      expect(matching, `${type} (${pk})`).toEqual([type]);
    }
    expect(keys.connectionOwner('c1').pk).toBe(SAMPLES.connection);
  });

  it('keeps a job’s subscriptions and transcription callback out of the job’s partition (no sort-key condition in IAM)', () => {
    const jobPattern = leadingKeyPattern(PARTITIONS.job);
    expect(matchesIamPattern(jobPattern, keys.subscription('j1', 'c1').pk)).toBe(false);
    expect(matchesIamPattern(jobPattern, keys.transcriptionCallback('j1').pk)).toBe(false);
    // Still found by the job id: the publisher, the callback handler and DELETE /jobs need no scan.
    expect(keys.subscription('j1', 'c1').pk).toBe(keys.subscriptionPartition('j1'));
    expect(keys.transcriptionCallback('j1').pk).toContain('j1');
  });

  it('keeps GSI1’s partitions apart too (history by owner, the operator’s key listing)', () => {
    expect(matchesIamPattern(leadingKeyPattern(GSI1_PARTITIONS.ownerHistory), keys.ownerHistory('k1'))).toBe(true);
    expect(matchesIamPattern(leadingKeyPattern(GSI1_PARTITIONS.ownerHistory), keys.apiKeyListing('t', 'k1').gsi1pk)).toBe(false);
    expect(matchesIamPattern(leadingKeyPattern(GSI1_PARTITIONS.apiKeyListing), keys.ownerHistory('k1'))).toBe(false);
  });
});
