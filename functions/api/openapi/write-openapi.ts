import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from './openapi-document';

/** Writes docs/openapi.json from the document module (a unit test fails when the two differ). */
export const OPENAPI_JSON_PATH = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

export function renderOpenApiJson(): string {
  return `${JSON.stringify(openApiDocument, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_JSON_PATH, renderOpenApiJson());
  console.log(`wrote ${OPENAPI_JSON_PATH}`);
}
