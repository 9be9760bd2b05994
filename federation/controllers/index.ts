import type { Controller } from '../controller/controller.js';
import { driftController } from './drift/index.js';
import { gcController } from './gc/index.js';
import { healthController } from './health/index.js';
import { inventoryController } from './inventory/index.js';
import { placementController } from './placement/index.js';
import { propagationController } from './propagation/index.js';
import { resyncController } from './resync/index.js';
import { serviceImportController } from './service-import/index.js';
import type { ControllerSettings } from './settings.js';
import { workloadWatchController } from './workload-watch/index.js';

export type { ControllerSettings } from './settings.js';

/** The controllers every worker runs. A new controller is a folder here and one line below. */
export function builtinControllers(s: ControllerSettings): Controller[] {
  return [
    placementController(s),
    propagationController(s),
    healthController(s),
    driftController(s),
    gcController(s),
    resyncController(s),
    workloadWatchController(),
    serviceImportController(),
    inventoryController(s.inventoryIntervalMs === undefined ? {} : { everyMs: s.inventoryIntervalMs }),
  ];
}
