package dev.plg360.common.run;

/** Another run of the job is alive: this one does not start (ops.job_runs is the lock). */
public final class RunLockedException extends RuntimeException {
  public RunLockedException(String message) {
    super(message);
  }
}
