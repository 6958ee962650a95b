/** Shorthands for the endpoints' OpenAPI declarations. */
type Obj = Record<string, unknown>;

export const schemaRef = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });

export const jsonBody = (schema: string, required = true): Obj => ({
  required,
  content: { 'application/json': { schema: schemaRef(schema) } },
});

export const ACCOUNT = ['AccountId'];
export const CONFIG = ['AccountId', 'ClickToCallId'];
export const PAGING = ['PageSize', 'StartKey', 'Paginate'];
/** A crossbar list's order and filters (README, List), besides its own created_from / created_to. */
export const CROSSBAR_FILTERS = [
  'Ascending',
  'Descending',
  'Filters',
  'HasKey',
  'KeyMissing',
  'HasValue',
  'ModifiedFrom',
  'ModifiedTo',
];
export const AUTHZ = [401, 403, 404];
export const BODY_ERRORS = [400, 413, 415];
export const TOKEN_OR_ANONYMOUS = [{ AuthToken: [] }, { AuthTokenQuery: [] }, { BearerToken: [] }, {}];
export const NO_AUTH: Obj[] = [];
