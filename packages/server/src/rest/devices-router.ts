/**
 * Device enrolment: join tokens (admin), enrolment with a join token (public: the token is the credential; failures
 * are throttled per address), the device list, and revocation (admin).
 */
import { parseMessage } from '@shoal/protocol';
import type { AuditLog } from '../auth/audit-log.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { audited, principalOf, setAuditTarget } from '../auth/rest-guard.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import type { DeviceRecord } from '../store/records.js';
import type { DevicesPort } from '../store/store.js';
import { toDeviceView, toJoinTokenView } from './admin-views.js';
import type { ApiRoutes } from './api-routes.js';
import { noBody } from './json-body.js';

export interface DevicesRouterDependencies {
  identity: DeviceIdentity;
  records: DevicesPort;
  audit: AuditLog;
  throttle: LoginThrottle;
  /** Revokes and disconnects (the coordinator core does both). */
  revokeDevice: (clientId: string, by: string) => DeviceRecord;
}

export function devicesRoutes(routes: ApiRoutes, deps: DevicesRouterDependencies): void {
  const { identity, records, audit, throttle } = deps;
  const labelsOf = (device: DeviceRecord) => records.getJoinToken(device.joinTokenId)?.labels ?? [];
  const actor = (response: Parameters<typeof principalOf>[0]) => principalOf(response)?.id ?? 'anonymous';

  routes.post('/join-tokens', 'admin-change', audited(audit, 'join-token.create'), (request, response) => {
    const body = parseMessage('create-join-token-request', request.body);
    const { record, token } = identity.issueJoinToken(body, actor(response));
    setAuditTarget(response, `join-token:${record.id}`);
    response.status(201).json({ ...toJoinTokenView(record), token });
  });

  routes.get('/join-tokens', 'admin-read', (_request, response) => {
    response.json({ items: records.listJoinTokens().map(toJoinTokenView) });
  });

  routes.delete('/join-tokens/:tokenId', 'admin-change', audited(audit, 'join-token.revoke', (request) => `join-token:${String(request.params['tokenId'])}`), noBody('DELETE /join-tokens/{tokenId}'), (request, response) => {
    response.json(toJoinTokenView(identity.revokeJoinToken(String(request.params['tokenId']))));
  });

  // Public: the join token in the body is the credential.
  routes.post('/devices', 'public', (request, response) => {
    const address = request.ip ?? 'unknown';
    throttle.check(address);
    let device: DeviceRecord;
    try {
      device = identity.enrol(parseMessage('enrol-device-request', request.body));
    } catch (error) {
      throttle.fail(address);
      throw error;
    }
    audit.record({ actor: `device:${device.clientId}`, action: 'device.enrol', target: `join-token:${device.joinTokenId}`, outcome: 'success', errorCode: undefined, address });
    response.status(201).json(toDeviceView(device, labelsOf(device)));
  });

  routes.get('/devices', 'read', (_request, response) => {
    response.json({ items: records.listDevices().map((device) => toDeviceView(device, labelsOf(device))) });
  });

  routes.post('/devices/:clientId/revoke', 'admin-change', audited(audit, 'device.revoke', (request) => `device:${String(request.params['clientId'])}`), noBody('POST /devices/{clientId}/revoke'), (request, response) => {
    const device = deps.revokeDevice(String(request.params['clientId']), actor(response));
    response.json(toDeviceView(device, labelsOf(device)));
  });
}
