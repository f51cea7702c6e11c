// The Ajv options fixtures/schema.json is compiled with: at build time into a standalone validator
// (scripts/build-fixture-validator.mjs), or at run time when that is missing (src/store/seed.ts).
export const AJV_OPTIONS = { allErrors: false, strict: true, strictRequired: false } as const;
