import { ALERTMANAGER_BIN } from './alertmanager.js';
import { requireTool, runs } from './require-tool.js';

/** Why a real Alertmanager cannot start here, or undefined; throws under CI (see requireTool). */
export function alertmanagerMissing(): string | undefined {
  return requireTool('alertmanager', {
    install: 'prometheus-alertmanager',
    check: runs(ALERTMANAGER_BIN, '--version'),
  });
}

/** amtool is its own binary (same package): suites that run it probe it, not the server. */
export function amtoolMissing(): string | undefined {
  return requireTool('amtool', { install: 'prometheus-alertmanager', check: runs('amtool', '--version') });
}
