import {
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  type Registry,
} from 'prom-client';

/** A counter of the registry, registered the first time it is asked for (controllers are built per job). */
export function counterOf<L extends string>(registry: Registry, config: CounterConfiguration<L>): Counter<L> {
  return (
    (registry.getSingleMetric(config.name) as Counter<L> | undefined) ??
    new Counter({ ...config, registers: [registry] })
  );
}

/** A gauge of the registry, registered the first time it is asked for. */
export function gaugeOf<L extends string>(registry: Registry, config: GaugeConfiguration<L>): Gauge<L> {
  return (
    (registry.getSingleMetric(config.name) as Gauge<L> | undefined) ??
    new Gauge({ ...config, registers: [registry] })
  );
}
