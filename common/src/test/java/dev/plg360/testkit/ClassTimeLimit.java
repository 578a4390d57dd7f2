package dev.plg360.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A limit on each test class's whole run (its set-up, every test and its tear-down), for every test of every module
 * (registered through META-INF/services and junit-platform.properties). JUnit's own timeouts limit one method at a
 * time and only interrupt it; a class stuck where an interrupt does not reach (a socket read, a child's pipe) would
 * hold the build until CI's limit. Past the limit, the JVM prints every thread's stack, naming the class, and halts:
 * the build fails at once, with what was stuck.
 */
public final class ClassTimeLimit implements BeforeAllCallback, AfterAllCallback {
  static final String LIMIT = "plg360-tests.class-time-limit";

  private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "class-time-limit");
    t.setDaemon(true);
    return t;
  });
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ClassTimeLimit.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    Duration limit = context.getConfigurationParameter(LIMIT).map(Duration::parse).orElse(Duration.ofMinutes(30));
    String name = context.getRequiredTestClass().getName();
    ScheduledFuture<?> halt = WATCH.schedule(() -> halt(name, limit), limit.toMillis(), TimeUnit.MILLISECONDS);
    context.getStore(NS).put(name, halt);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    String name = context.getRequiredTestClass().getName();
    ScheduledFuture<?> halt = context.getStore(NS).remove(name, ScheduledFuture.class);
    if (halt != null) {
      halt.cancel(false);
    }
  }

  private static void halt(String testClass, Duration limit) {
    StringBuilder sb = new StringBuilder(testClass + " ran longer than " + LIMIT + " (" + limit
        + "): the test JVM stops here. Its threads:\n");
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      sb.append('\n').append(e.getKey()).append('\n');
      for (StackTraceElement frame : e.getValue()) {
        sb.append("    at ").append(frame).append('\n');
      }
    }
    System.err.println(sb);
    System.err.flush();
    Runtime.getRuntime().halt(3);
  }
}
