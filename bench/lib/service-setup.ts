/** What every bench row does first on a fresh service: a token, a configuration, a connect that goes through. */
import { api, type Service } from './proc';

/** An auth token from the api key the service printed at its first start. */
export async function login(svc: Service): Promise<string> {
  const { auth_token: token } = await api<{ auth_token: string }>(svc.base, 'PUT', '/v2/api_auth', {
    body: { data: { api_key: svc.apiKey } },
  });
  return token;
}

/** Creates a click-to-call configuration of the service's account; its id. */
export async function createConfig(svc: Service, token: string, data: object): Promise<string> {
  const accountId = svc.accountId ?? '';
  return (
    await api<{ data: { id: string } }>(svc.base, 'PUT', `/v2/accounts/${accountId}/clicktocall`, {
      token,
      body: { data },
    })
  ).data.id;
}

/** The connect path of a configuration (a fixed contact). */
export const connectPath = (accountId: string, id: string): string =>
  `/v2/accounts/${accountId}/clicktocall/${id}/connect?contact=%2B15551234567`;

/** Waits until a connect is accepted (202): the service is linked to a switch. */
export async function waitConnected(svc: Service, urlPath: string, token: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${svc.base}${urlPath}`, { headers: { 'X-Auth-Token': token } });
    await res.text();
    if (res.status === 202) return;
    if (Date.now() > deadline) throw new Error(`service never accepted a connect (${res.status})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
