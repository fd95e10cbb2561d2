import { describe, expect, it } from 'vitest';
import { authorize } from '../../../functions/progress/authorize';

const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/$connect';

describe('WebSocket authorizer', () => {
  it('passes a well-formed ?apiKey= on as the usage identifier key with an allow policy for this route', async () => {
    const apiKey = 'k'.repeat(40);

    const result = await authorize({ methodArn, queryStringParameters: { apiKey } });

    expect(result.usageIdentifierKey).toBe(apiKey);
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }]);
  });

  it.each([
    ['no query string', null],
    ['no apiKey parameter', { other: 'x' }],
    ['an empty key', { apiKey: '' }],
    ['a key that is too short', { apiKey: 'short' }],
    ['a key with spaces', { apiKey: 'a key with spaces in it!!' }],
  ])('answers Unauthorized (401) for %s', async (_name, queryStringParameters) => {
    await expect(authorize({ methodArn, queryStringParameters })).rejects.toThrow('Unauthorized');
  });
});
