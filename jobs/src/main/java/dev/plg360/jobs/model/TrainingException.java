package dev.plg360.jobs.model;

/** The rows given cannot make a model (empty, one class, a constant feature, ...). The message says which and why. */
public final class TrainingException extends RuntimeException {
  public TrainingException(String message) {
    super(message);
  }
}
