package dev.plg360.common.billing;

import com.typesafe.config.ConfigException;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.io.Serializable;
import java.util.List;

/**
 * Which subscription statuses of the billing export bill ({@code plg360.billing}): paid ones, and retrying ones that
 * bill only once the subscription has been paid (Stripe's past_due after a missed invoice; a trial that lapses to
 * past_due without a payment method never paid). A company's own billing export names its own.
 */
public record BillingStatuses(List<String> paid, List<String> retrying) implements Serializable {

  private static final String B = "plg360.billing.";

  public static BillingStatuses from(Settings settings) {
    try {
      List<String> paid = settings.config().getStringList(B + "paid-statuses");
      List<String> retrying = settings.config().getStringList(B + "retrying-statuses");
      if (paid.isEmpty()) {
        throw new SettingsException(B + "paid-statuses must name at least one status");
      }
      return new BillingStatuses(List.copyOf(paid), List.copyOf(retrying));
    } catch (ConfigException e) {
      throw new SettingsException("bad setting under " + B + ": " + e.getMessage(), e);
    }
  }
}
