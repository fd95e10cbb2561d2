import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isTierName, TIER_NAMES } from '../lib/config/tiers';
import { ENV } from '../lib/config/env-names';
import { AwsKeyProvisioner } from '../functions/keys/aws-key-provisioner';
import type { ApiKeyRecord, KeyProvisioner } from '../functions/keys/api-key';
import { DynamoApiKeyRepository } from '../functions/keys/dynamo-api-key-repository';
import { LocalKeyProvisioner } from '../local/gateway/local-key-provisioner';
import { DEFAULT_STATE_DIR, LOCAL } from '../local/config';
import { readAdminToken, stateLayout } from '../local/state-dir';

/**
 * Admin CLI for API keys (run through `npm run keys -- …`):
 *
 *   create --tier free|basic|premium --name <name>   prints the key value once
 *   list                                              every key with its tier and state
 *   revoke <apiKeyId>                                 disables the key and stamps its record
 *   sync                                              (aws) puts every active key in all its tier's plans
 *
 * Options: --target local|aws (default local), --api <url> (local stack, default http://127.0.0.1:3000),
 * --state-dir <dir> (the local stack's, for its admin token; default .local), --stage <name> (aws, default dev), --table <name> (aws; default: $TABLE_NAME, else the `TableName`
 * exported by the stateful stack `--stack`, default `VoiceNoteTranslator-<stage>-Stateful`), --json.
 */
export const USAGE = `Usage: npm run keys -- <command> [options]

Commands:
  create --tier ${TIER_NAMES.join('|')} --name <name>   create a key (its value is printed once)
  list                                          list keys
  revoke <apiKeyId>                             disable a key
  sync                                          put every active key in all usage plans of its tier
                                                (--target aws; once after a deploy that adds plans)

Options:
  --target local|aws   where the keys live (default: local)
  --api <url>          local stack URL (default: http://${LOCAL.host}:${LOCAL.defaultPort})
  --state-dir <dir>    local stack state directory holding its admin token (default: .local)
  --stage <name>       AWS stage whose usage plans keys join (default: dev)
  --table <name>       AWS table name (default: $${ENV.tableName} or the stateful stack's TableName export)
  --stack <name>       AWS stateful stack to read it from (default: VoiceNoteTranslator-<stage>-Stateful)
  --json               machine-readable output
`;

export interface CliOptions {
  readonly command: 'create' | 'list' | 'revoke' | 'sync';
  readonly target: 'local' | 'aws';
  readonly api: string;
  /** The local stack's state directory (its `admin-token`). */
  readonly stateDir: string;
  readonly stage: string;
  readonly table?: string;
  readonly stack?: string;
  readonly json: boolean;
  readonly tier?: (typeof TIER_NAMES)[number];
  readonly name?: string;
  readonly apiKeyId?: string;
}

export class UsageError extends Error {}

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        target: { type: 'string', default: 'local' },
        api: { type: 'string', default: `http://${LOCAL.host}:${LOCAL.defaultPort}` },
        'state-dir': { type: 'string', default: DEFAULT_STATE_DIR },
        stage: { type: 'string', default: 'dev' },
        table: { type: 'string' },
        stack: { type: 'string' },
        tier: { type: 'string' },
        name: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  const [command, ...rest] = positionals;
  if (command !== 'create' && command !== 'list' && command !== 'revoke' && command !== 'sync') {
    throw new UsageError(command === undefined ? 'Missing command.' : `Unknown command ${command}.`);
  }
  if (values.target !== 'local' && values.target !== 'aws') throw new UsageError('--target must be local or aws.');
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(values.stage)) throw new UsageError('--stage must be a short lower-case name.');
  const base = {
    command,
    target: values.target,
    api: values.api,
    stateDir: resolve(values['state-dir']),
    stage: values.stage,
    json: values.json,
    ...(values.table !== undefined ? { table: values.table } : {}),
    ...(values.stack !== undefined ? { stack: values.stack } : {}),
  } as const;

  if (command === 'create') {
    if (!isTierName(values.tier)) throw new UsageError(`--tier must be one of ${TIER_NAMES.join(', ')}.`);
    if (!values.name || !/^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/.test(values.name)) {
      throw new UsageError('--name is required: 1-64 letters, digits, space, . _ @ -');
    }
    if (rest.length > 0) throw new UsageError(`Unexpected argument ${rest[0]}.`);
    return { ...base, tier: values.tier, name: values.name };
  }
  if (command === 'revoke') {
    if (rest.length !== 1 || !rest[0]) throw new UsageError('revoke takes exactly one <apiKeyId>.');
    return { ...base, apiKeyId: rest[0] };
  }
  if (command === 'sync' && values.target !== 'aws') {
    throw new UsageError('sync is for --target aws: the local gateway applies plans by the key’s tier.');
  }
  if (rest.length > 0) throw new UsageError(`Unexpected argument ${rest[0]}.`);
  return base;
}

/** Runs one command against a provisioner and returns what to print. */
export async function runCommand(options: CliOptions, provisioner: KeyProvisioner): Promise<string> {
  switch (options.command) {
    case 'create': {
      const key = await provisioner.create(options.name!, options.tier!);
      if (options.json) return JSON.stringify(key, null, 2);
      return [
        `Created ${key.tier} key "${key.name}" (${key.apiKeyId}).`,
        `API key (shown once, send it as the x-api-key header): ${key.value}`,
      ].join('\n');
    }
    case 'list': {
      const keys = await provisioner.list();
      if (options.json) return JSON.stringify(keys, null, 2);
      return keys.length === 0 ? 'No keys.' : formatTable(keys);
    }
    case 'revoke':
      await provisioner.revoke(options.apiKeyId!);
      return options.json ? JSON.stringify({ revoked: options.apiKeyId }) : `Revoked ${options.apiKeyId}.`;
    case 'sync': {
      if (provisioner.syncPlans === undefined) throw new Error('These keys have no plan memberships to sync.');
      const sync = await provisioner.syncPlans();
      if (options.json) return JSON.stringify(sync);
      return `${sync.keys} active keys; ${sync.joined} usage plan memberships added.`;
    }
  }
}

function formatTable(keys: readonly ApiKeyRecord[]): string {
  const rows = [
    ['API KEY ID', 'NAME', 'TIER', 'CREATED', 'STATE'],
    ...keys.map((k) => [k.apiKeyId, k.name, k.tier, k.createdAt, k.revokedAt ? `revoked ${k.revokedAt}` : 'active']),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The stateful stack's name, as lib/stacks/deployment.ts names it. */
export function statefulStackName(stage: string): string {
  return `VoiceNoteTranslator-${stage}-Stateful`;
}

/** The table name on AWS: explicit, from the environment, or the stateful stack's `TableName` output. */
async function resolveTableName(options: CliOptions): Promise<string> {
  const explicit = options.table ?? process.env[ENV.tableName];
  if (explicit) return explicit;
  const stackName = options.stack ?? statefulStackName(options.stage);
  const cloudFormation = new CloudFormationClient({});
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    // The stateful stack exports its table name as `<stack>:TableName` (lib/stacks/stateful-exports.ts).
    const output = Stacks?.[0]?.Outputs?.find((o) => o.ExportName === `${stackName}:TableName`)?.OutputValue;
    if (!output) throw new Error(`Stack ${stackName} exports no ${stackName}:TableName; pass --table.`);
    return output;
  } finally {
    cloudFormation.destroy();
  }
}

/** The local provisioner, with the admin token of the stack that owns `--state-dir`. */
export async function localProvisioner(options: Pick<CliOptions, 'api' | 'stateDir'>): Promise<KeyProvisioner> {
  const adminToken = await readAdminToken(stateLayout(options.stateDir));
  if (adminToken === undefined) {
    throw new Error(`No admin token in ${options.stateDir}: start the local stack first, or pass its --state-dir.`);
  }
  return new LocalKeyProvisioner({ apiUrl: options.api, adminToken });
}

async function provisionerFor(options: CliOptions): Promise<KeyProvisioner> {
  if (options.target === 'local') return localProvisioner(options);
  const tableName = await resolveTableName(options);
  return new AwsKeyProvisioner({
    apiGateway: new APIGatewayClient({}),
    keys: new DynamoApiKeyRepository({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName }),
    stage: options.stage,
  });
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(`${error.message}\n`);
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  try {
    console.log(await runCommand(options, await provisionerFor(options)));
  } catch (error) {
    const { name, message } = error as Error;
    console.error(`keys ${options.command} failed: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
