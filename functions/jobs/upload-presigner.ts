/** A browser-style form upload: POST `fields` + the file (last) as multipart/form-data to `url`. */
export interface PresignedUpload {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  /** ISO time after which the storage service refuses the upload. */
  readonly expiresAt: string;
}

export interface PresignRequest {
  readonly key: string;
  /** Signed exactly: the upload must declare this Content-Type. */
  readonly contentType: string;
  /** Upper bound of the signed content-length-range (the lower bound is 1: empty uploads are refused). */
  readonly maxBytes: number;
  readonly expiresInSeconds: number;
}

/** Signs uploads straight to object storage, so audio never passes through a Lambda. */
export interface UploadPresigner {
  presign(request: PresignRequest): Promise<PresignedUpload>;
}
