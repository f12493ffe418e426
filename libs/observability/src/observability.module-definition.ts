import { ConfigurableModuleBuilder } from '@nestjs/common';
import type {
  ObservabilityModuleOptions,
  ObservabilityParts,
} from './interfaces/observability-module-options.interface';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: OBSERVABILITY_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ObservabilityModuleOptions>({ moduleName: 'Observability' })
  .setClassMethodName('forRoot')
  .setExtras<{ isGlobal?: boolean; parts?: ObservabilityParts }>(
    { isGlobal: false, parts: undefined },
    (definition, extras) => ({ ...definition, global: extras.isGlobal }),
  )
  .build();
