package dev.plg360.jobs;

import java.util.concurrent.CountDownLatch;

/** For commands that serve until Ctrl-C (SIGINT) or SIGTERM: waits for it, then closes the server. */
final class UntilStopped {
  private UntilStopped() {}

  static void await(AutoCloseable server, String name) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("plg360: stopping " + name + " failed: " + e);
      } finally {
        stopped.countDown();
      }
    }, "stop-" + name));
    stopped.await();
  }
}
