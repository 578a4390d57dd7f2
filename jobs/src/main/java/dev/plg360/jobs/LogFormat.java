package dev.plg360.jobs;

import java.net.URISyntaxException;
import java.util.Optional;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The form of plg360's log lines, from {@code PLG360_LOG_FORMAT}: {@code text} (the default: the lines of the
 * log4j2 configuration on the class path), or {@code json}: one JSON object a line for a log shipper, each with the
 * run id of the plg360 run it belongs to ({@code run_id}, from the logging context {@code JobRunner} sets), Spark's
 * lines included. An environment variable rather than a setting: {@code main} applies it first thing, before plg360
 * logs a line and before a run starts the threads that inherit the run id.
 */
final class LogFormat {
  static final String VARIABLE = "PLG360_LOG_FORMAT";
  /** In the jar beside the classes; ships log4j's JSON template layout with it. */
  static final String JSON_CONFIGURATION = "/log4j2-json.properties";

  private LogFormat() {}

  /** Applies the variable's format; empty when it is fine, else why it is not (the value is not known). */
  static Optional<String> apply(String value) {
    if (value == null || value.isBlank() || value.equals("text")) {
      return Optional.empty();
    }
    if (!value.equals("json")) {
      return Optional.of(VARIABLE + " must be text or json, was '" + value + "'");
    }
    // A run's pools (ingest's sources, build360's tables) log from threads the run started: they inherit its run id.
    System.setProperty("log4j2.isThreadContextMapInheritable", "true");
    try {
      Configurator.reconfigure(LogFormat.class.getResource(JSON_CONFIGURATION).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot read " + JSON_CONFIGURATION, e);
    }
    return Optional.empty();
  }
}
