package dev.plg360.jobs.generate;

import java.io.Serializable;

/** A product plan and its caps, as configured under {@code plg360.plans.<name>}. */
public record Plan(String name, String stripePlanId, String product, long amountCents, String interval,
                   long seats, long projects, long apiCallsPerMonth) implements Serializable {

  public boolean isPaid() {
    return amountCents > 0;
  }
}
