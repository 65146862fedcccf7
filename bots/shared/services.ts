// What command handlers may use. Grows as domain modules land; adapters build it once.
import type { Logger } from '../../core/logger';
import type { IdentityService } from '../../accounts/identity';

export interface Services {
  identities: IdentityService;
  logger: Logger;
}
