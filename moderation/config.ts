// Moderation's rules from the validated configuration (see .env.example).
import type { Config } from '../core/config';
import type { AbuseRules } from './abuse';
import type { SignalRules } from './signals';

export function moderationRules(config: Config): {
  abuse: Partial<AbuseRules>;
  signals: Partial<SignalRules>;
} {
  return {
    abuse: {
      perHour: config.REPORTS_PER_HOUR,
      perDay: Math.max(config.REPORTS_PER_DAY, config.REPORTS_PER_HOUR),
      youngAccountHours: config.REPORT_YOUNG_ACCOUNT_HOURS,
      brigadeMinReports: config.REPORT_BRIGADE_MIN,
      brigadeWindowMinutes: config.REPORT_BRIGADE_WINDOW_MINUTES,
    },
    signals: { maxGpusPerIp: config.MODERATION_MAX_GPUS_PER_IP },
  };
}
