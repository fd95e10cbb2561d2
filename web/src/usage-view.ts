import type { UsageReport, VoiceNoteClient } from '../../client';
import { byId, clearError, formatDate, formatNumber, showError } from './dom';

/** The key's usage against its tier's daily quota (GET /usage). */
export class UsagePanel {
  private readonly box = byId('usage');
  private readonly meter = byId<HTMLMeterElement>('usage-meter');
  private readonly text = byId('usage-text');
  private readonly errors = byId('key-error');

  constructor(private readonly api: VoiceNoteClient) {}

  /** Resolves false when the call failed (the error is shown), so callers can tell a bad key early. */
  async refresh(): Promise<boolean> {
    try {
      this.render(await this.api.getUsage());
      clearError(this.errors);
      return true;
    } catch (error) {
      this.box.hidden = true;
      showError(this.errors, error);
      return false;
    }
  }

  hide(): void {
    this.box.hidden = true;
    clearError(this.errors);
  }

  private render(usage: UsageReport): void {
    this.meter.max = usage.dailyQuota;
    this.meter.value = usage.used;
    // Amber from 80 %, red when spent: the meter's native low/high/optimum colouring.
    this.meter.low = Math.floor(usage.dailyQuota * 0.8);
    this.meter.high = Math.max(usage.dailyQuota - 1, 0);
    this.meter.optimum = 0;
    this.text.textContent =
      `${formatNumber(usage.used)} of ${formatNumber(usage.dailyQuota)} used today on the ${usage.tier} plan; ` +
      `${formatNumber(usage.remaining)} left. Resets ${formatDate(usage.resetsAt)}.`;
    this.box.hidden = false;
  }
}
