import '../../events/api-env';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as createUploadHandler } from '../../../functions/api/create-upload';
import { handler as getLanguagesHandler } from '../../../functions/api/get-languages';
import { awsLanguageEngines, setLanguageEnginesFactory } from '../../../functions/languages/engines';
import { SPOKEN_LANGUAGE_LOCALES, TRANSLATE_LANGUAGES } from '../../../lib/config/languages';
import { restEvent } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';
import { ALICE, ddb, givenKey, resetMocks, s3mock, writeCalls } from './aws-mocks';

const getLanguages = () => getLanguagesHandler(restEvent({ resource: '/languages', apiKeyId: null }), lambdaContext());

/** Engines like the local stack's: English speech, Spanish direct, French through Spanish. */
const englishToSpanishAndFrench = () =>
  setLanguageEnginesFactory(() => ({
    speech: { spokenLanguages: () => ['en'] },
    translation: { routes: () => [{ source: 'en', target: 'es' }, { source: 'en', target: 'fr', via: 'es' }, { source: 'es', target: 'en' }] },
  }));

beforeEach(() => resetMocks());
afterEach(() => setLanguageEnginesFactory(awsLanguageEngines));

describe('GET /languages', () => {
  it('on AWS: every language Transcribe recognises, each to every Amazon Translate language; public, cacheable, no AWS call', async () => {
    const response = await getLanguages();

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'public, max-age=300', 'Content-Type': 'application/json; charset=utf-8' });
    const body = JSON.parse(response.body);
    expect(body.spoken.map((s: { language: string }) => s.language)).toEqual(Object.keys(SPOKEN_LANGUAGE_LOCALES).sort());
    expect(body.spoken.find((s: { language: string }) => s.language === 'en')).toEqual({ language: 'en', targets: [...TRANSLATE_LANGUAGES].sort(), via: {} });
    expect(body.targets).toEqual([...TRANSLATE_LANGUAGES].sort());
    expect(ddb.calls()).toHaveLength(0);
    expect(s3mock.calls()).toHaveLength(0);
  });

  it('answers from the engines this process installed (the local stack’s), with each pivot', async () => {
    englishToSpanishAndFrench();

    const response = await getLanguages();

    expect(JSON.parse(response.body)).toEqual({
      spoken: [{ language: 'en', targets: ['en', 'es', 'fr'], via: { fr: 'es' } }],
      targets: ['en', 'es', 'fr'],
    });
  });
});

describe('POST /uploads with languages this deployment cannot deliver', () => {
  const post = (body: unknown) => createUploadHandler(restEvent({ method: 'POST', resource: '/uploads', body, apiKeyId: ALICE }), lambdaContext());

  beforeEach(() => {
    ddb.on(GetCommand).resolves({});
    givenKey(ALICE, 'free');
    ddb.on(UpdateCommand).resolves({ Attributes: { count: 1 } });
    ddb.on(PutCommand).resolves({});
    englishToSpanishAndFrench();
  });

  it('refuses an unreachable target with 400 UNSUPPORTED_LANGUAGE_PAIR naming what is available, unmetered', async () => {
    const response = await post({ contentType: 'audio/mp4', targetLanguage: 'ja' });

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error).toMatchObject({
      code: 'UNSUPPORTED_LANGUAGE_PAIR',
      message: expect.stringContaining('Available targets: en, es, fr.'),
    });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0); // the meter
    expect(writeCalls()).toBe(0);
  });

  it('accepts a target reached through a pivot', async () => {
    const response = await post({ contentType: 'audio/mp4', targetLanguage: 'fr' });

    expect(response.statusCode).toBe(201);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});
