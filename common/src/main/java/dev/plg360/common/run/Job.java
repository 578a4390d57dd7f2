package dev.plg360.common.run;

/** A plg360 job: reads its inputs through the context, writes its tables, and counts what it did. */
public interface Job {
  /** The subcommand and run-log name: ingest, resolve, build360, ... */
  String name();

  void run(JobContext ctx) throws Exception;
}
