import { describe, expect, it, vi } from 'vitest';
import type { JobRepository } from '../../../functions/jobs/job-repository';
import type { UploadPresigner } from '../../../functions/jobs/upload-presigner';
import { UploadService } from '../../../functions/jobs/upload-service';
import { awsLanguageEngines } from '../../../functions/languages/engines';
import { LanguageCatalog } from '../../../functions/languages/language-catalog';
import { QuotaExceededError } from '../../../functions/shared/errors';
import type { UsageService } from '../../../functions/usage/usage-service';
import { JOB_ID, NOW, OWNER } from './fixtures';

const upload = { url: 'https://uploads.example/', fields: { key: 'k' }, expiresAt: '2026-03-14T12:05:00.000Z' };

const awsLanguages = async () => {
  const { speech, translation } = await awsLanguageEngines();
  return new LanguageCatalog(speech, translation);
};

/** A deployment like the local stack: English speech only, Spanish direct, French through Spanish. */
const englishToSpanishAndFrench = async () =>
  new LanguageCatalog(
    { spokenLanguages: () => ['en'] },
    { routes: () => [{ source: 'en', target: 'es' }, { source: 'es', target: 'fr' }, { source: 'en', target: 'fr', via: 'es' }] },
  );

function setup(languages: () => Promise<LanguageCatalog> = awsLanguages) {
  const jobs = { create: vi.fn(async () => undefined) } as unknown as JobRepository & { create: ReturnType<typeof vi.fn> };
  const presigner = { presign: vi.fn(async () => upload) } satisfies UploadPresigner;
  const usage = {
    consume: vi.fn(async () => ({ apiKeyId: OWNER, day: '2026-03-14' })),
    refund: vi.fn(async () => undefined),
  } as unknown as UsageService & { consume: ReturnType<typeof vi.fn>; refund: ReturnType<typeof vi.fn> };
  const service = new UploadService({ jobs, presigner, usage, languages, now: () => NOW, newId: () => JOB_ID });
  return { jobs, presigner, usage, service };
}

const free = { apiKeyId: OWNER, tier: 'free' } as const;

describe('UploadService.start', () => {
  it('meters, signs an upload bound to the exact key and records the job awaiting its upload', async () => {
    const { jobs, presigner, usage, service } = setup();

    const started = await service.start(free, { contentType: 'audio/mp4', sizeBytes: 1000, sourceLanguage: 'es' });

    expect(usage.consume).toHaveBeenCalledWith(OWNER, 'free', NOW);
    expect(presigner.presign).toHaveBeenCalledWith({
      key: `uploads/${OWNER}/${JOB_ID}`,
      contentType: 'audio/mp4',
      maxBytes: 5 * 1024 * 1024,
      expiresInSeconds: 300,
    });
    expect(jobs.create).toHaveBeenCalledWith({
      jobId: JOB_ID,
      ownerId: OWNER,
      tier: 'free',
      status: 'awaiting_upload',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      contentType: 'audio/mp4',
      uploadKey: `uploads/${OWNER}/${JOB_ID}`,
      targetLanguage: 'en',
      sourceLanguage: 'es',
      expiresAt: NOW.getTime() / 1000 + 7 * 86_400,
    });
    expect(started).toEqual({
      job: expect.objectContaining({ jobId: JOB_ID, status: 'awaiting_upload', progress: 0 }),
      upload,
    });
  });

  it('normalises the media type (case, parameters) before signing it', async () => {
    const { presigner, service } = setup();
    await service.start(free, { contentType: 'Audio/WebM; codecs=opus' });
    expect(presigner.presign).toHaveBeenCalledWith(expect.objectContaining({ contentType: 'audio/webm' }));
  });

  it("uses the tier's history retention and max upload size", async () => {
    const { jobs, presigner, service } = setup();
    await service.start({ apiKeyId: OWNER, tier: 'premium' }, { contentType: 'audio/mpeg', targetLanguage: 'es' });
    expect(presigner.presign).toHaveBeenCalledWith(expect.objectContaining({ maxBytes: 100 * 1024 * 1024 }));
    expect(jobs.create).toHaveBeenCalledWith(
      expect.objectContaining({ tier: 'premium', targetLanguage: 'es', expiresAt: NOW.getTime() / 1000 + 365 * 86_400 }),
    );
  });

  it.each([
    [{ contentType: 'video/mp4' }, 415, 'UNSUPPORTED_AUDIO_TYPE'],
    [{ contentType: 'audio/mp4', targetLanguage: 'klingon' }, 400, 'UNSUPPORTED_LANGUAGE'],
    [{ contentType: 'audio/mp4', sourceLanguage: 'xx' }, 400, 'UNSUPPORTED_LANGUAGE'],
    [{ contentType: 'audio/mp4', sourceLanguage: 'bs' }, 400, 'UNSUPPORTED_LANGUAGE'], // translatable, not recognisable
    [{ contentType: 'audio/mp4', sizeBytes: 5 * 1024 * 1024 + 1 }, 413, 'UPLOAD_TOO_LARGE'],
  ])('refuses %j with %i %s before touching the quota', async (request, status, code) => {
    const { jobs, presigner, usage, service } = setup();
    await expect(service.start(free, request)).rejects.toMatchObject({ httpStatus: status, code });
    expect(usage.consume).not.toHaveBeenCalled();
    expect(presigner.presign).not.toHaveBeenCalled();
    expect(jobs.create).not.toHaveBeenCalled();
  });

  it.each([
    [{ targetLanguage: 'ja' }, 'UNSUPPORTED_LANGUAGE_PAIR', /available targets: en, es, fr\./i], // the recogniser knows one language
    [{ targetLanguage: 'ja', sourceLanguage: 'en' }, 'UNSUPPORTED_LANGUAGE_PAIR', /from en: en, es, fr\./i],
    [{ targetLanguage: 'es', sourceLanguage: 'fr' }, 'UNSUPPORTED_LANGUAGE', /recognises: en\./i], // known to AWS, not here
  ])('refuses %j when this deployment cannot deliver it (%s), before touching the quota', async (languages, code, message) => {
    const { jobs, presigner, usage, service } = setup(englishToSpanishAndFrench);

    await expect(service.start(free, { contentType: 'audio/mp4', ...languages })).rejects.toMatchObject({ httpStatus: 400, code, message: expect.stringMatching(message) });

    expect(usage.consume).not.toHaveBeenCalled();
    expect(presigner.presign).not.toHaveBeenCalled();
    expect(jobs.create).not.toHaveBeenCalled();
  });

  it.each([
    [{ targetLanguage: 'fr' }], // through the pivot
    [{ targetLanguage: 'es', sourceLanguage: 'en' }],
    [{}], // the default target, English: the transcript alone
  ])('accepts %j when this deployment can deliver it', async (languages) => {
    const { usage, service } = setup(englishToSpanishAndFrench);

    await expect(service.start(free, { contentType: 'audio/mp4', ...languages })).resolves.toBeDefined();

    expect(usage.consume).toHaveBeenCalledTimes(1);
  });

  it('accepts exactly the max size of the tier', async () => {
    const { service } = setup();
    await expect(service.start(free, { contentType: 'audio/mp4', sizeBytes: 5 * 1024 * 1024 })).resolves.toBeDefined();
  });

  it('creates nothing when the quota is used up', async () => {
    const { jobs, usage, service } = setup();
    usage.consume.mockRejectedValueOnce(new QuotaExceededError('used up', 10));
    await expect(service.start(free, { contentType: 'audio/mp4' })).rejects.toBeInstanceOf(QuotaExceededError);
    expect(jobs.create).not.toHaveBeenCalled();
    expect(usage.refund).not.toHaveBeenCalled();
  });

  it('refunds the quota unit when recording the job fails', async () => {
    const { jobs, usage, service } = setup();
    jobs.create.mockRejectedValueOnce(new Error('table down'));
    await expect(service.start(free, { contentType: 'audio/mp4' })).rejects.toThrow('table down');
    expect(usage.refund).toHaveBeenCalledWith({ apiKeyId: OWNER, day: '2026-03-14' });
  });

  it('refunds when signing fails, and keeps the original error if the refund fails too', async () => {
    const { presigner, usage, service } = setup();
    presigner.presign.mockRejectedValueOnce(new Error('no credentials'));
    usage.refund.mockRejectedValueOnce(new Error('refund failed'));
    await expect(service.start(free, { contentType: 'audio/mp4' })).rejects.toThrow('no credentials');
  });
});
