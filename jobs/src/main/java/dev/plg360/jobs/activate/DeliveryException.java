package dev.plg360.jobs.activate;

/** The target refused a delivery for good: the run fails, and the next one resumes from the last delivered version. */
public final class DeliveryException extends RuntimeException {
  public DeliveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
