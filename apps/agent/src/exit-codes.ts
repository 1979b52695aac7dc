/** The agent's exit codes, one table for the process, `--help` and the README: supervisors stop restarting on 2–5. */
import type { ShoalError } from '@shoal/protocol';

export const EXIT_CODES = {
  stopped: { code: 0, meaning: 'stopped by SIGINT or SIGTERM' },
  failed: { code: 1, meaning: 'an unexpected failure (restarting may help)' },
  badConfiguration: { code: 2, meaning: 'bad configuration: an option, the coordinator URL or a file it names' },
  revoked: { code: 3, meaning: 'an administrator revoked this device' },
  tlsUnverified: { code: 4, meaning: "the coordinator's certificate does not verify against the --ca certificate" },
  incompatible: { code: 5, meaning: 'the coordinator speaks another protocol version' },
} as const;

/** The exit code for the error that stopped the agent. */
export function exitCodeFor(error: ShoalError): number {
  switch (error.code) {
    case 'VALIDATION_FAILED':
      return EXIT_CODES.badConfiguration.code;
    case 'DEVICE_REVOKED':
      return EXIT_CODES.revoked.code;
    case 'PROTOCOL_VERSION_MISMATCH':
      return EXIT_CODES.incompatible.code;
    case 'UNAUTHENTICATED':
      return error.details?.['tls'] === undefined ? EXIT_CODES.failed.code : EXIT_CODES.tlsUnverified.code;
    default:
      return EXIT_CODES.failed.code;
  }
}

export function exitCodesHelp(): string {
  const rows = Object.values(EXIT_CODES).map(({ code, meaning }) => `  ${code}  ${meaning}`);
  return ['Exit codes (a supervisor should not restart on 2-5, e.g. systemd RestartPreventExitStatus=2 3 4 5):', ...rows].join('\n');
}
