import crypto from 'node:crypto';
import { parseOriginate } from '../../fake-switch/originate-parser';
import type { ScenarioStep } from '../../fake-switch/scenario-types';
import { selectScenario } from '../../fake-switch/scenarios';
import type { ClickToCallDoc } from '../../src/domain';
import { buildOriginateRequest } from '../../src/clicktocall/originate-request';

/**
 * The events the fake switch (the recorded FreeSWITCH scenarios) plays for one connect of this
 * configuration: the service's own originate, parsed as FreeSWITCH parses it, then the chosen scenario's
 * steps with fresh leg uuids. Used by the tracker tests and the ingest bench.
 */
export function scenarioSteps(opts: {
  config: Partial<ClickToCallDoc> & { id: string; extension: string };
  contact: string;
  callId: string;
  accountId: string;
  startedAt: Date;
}): ScenarioStep[] {
  const { command } = buildOriginateRequest({
    config: { name: 'Sales', auth_required: true, custom_application_vars: {}, ...opts.config },
    account: { id: opts.accountId, name: 'A', realm: 'a.example.com', parent_id: null, context: null },
    context: 'default',
    contact: opts.contact,
    requestVars: {},
    callId: opts.callId,
  });
  const parsed = parseOriginate(command.slice('originate '.length));
  if ('error' in parsed) throw new Error(parsed.error);
  return selectScenario(parsed).steps({
    callId: opts.callId,
    jobUuid: crypto.randomUUID(),
    parsed,
    uuids: { loopbackB: crypto.randomUUID(), firstSip: crypto.randomUUID(), secondSip: crypto.randomUUID() },
    startedAt: opts.startedAt,
  });
}
