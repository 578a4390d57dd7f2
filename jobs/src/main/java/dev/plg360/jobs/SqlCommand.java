package dev.plg360.jobs;

import com.univocity.parsers.csv.CsvWriter;
import dev.plg360.common.config.Settings;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.io.Csv;
import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.privacy.QueryGuard;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.common.tables.Tables;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code plg360 sql}: runs one Spark SQL query against the lake, with every table registered by its catalog name
 * ({@code gold.account_360}) and plg360's SQL functions, and prints the result: an aligned table for people, JSON
 * lines or CSV for scripts and notebooks. With {@code plg360.privacy.mask-personal-data} on, tables show their
 * personal columns masked, as BI tools see them ({@link PersonalData}), and only those can be read
 * ({@link QueryGuard}). Read-only unless {@code --write}; no reflection; values as bound parameters.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = "Run a Spark SQL query on the lake's tables (gold.account_360, silver.people, ...) and print the result.")
public final class SqlCommand implements Callable<Integer> {

  enum Format { table, json, csv }

  static final class Source {
    @Parameters(paramLabel = "QUERY", description = "The query, e.g. \"SELECT * FROM gold.signals LIMIT 5\".")
    String query;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the query from a file (one statement).")
    Path file;
  }

  @Spec
  CommandSpec spec;

  @Mixin
  ConfOptions conf = new ConfOptions();

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default), json (one object per line) or csv.")
  Format format = Format.table;

  @Option(names = "--limit", paramLabel = "N",
      description = "At most N rows. Default: 1000 printed; every row with --out.")
  Integer limit;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the result to this file (UTF-8) instead of printing it.")
  Path out;

  /** Rows printed when no --limit is given. */
  static final int PRINT_LIMIT = 1000;

  @Option(names = "--param", paramLabel = "NAME=VALUE",
      description = "A value for the named parameter :NAME in the query, bound as a value (never pasted into the text),"
          + " e.g. --param account_id=acme.com for WHERE account_id = :account_id. Repeatable.")
  Map<String, String> params = new java.util.LinkedHashMap<>();

  @Option(names = "--write",
      description = "Allow statements that change tables or settings (DELETE, UPDATE, MERGE, CREATE, SET, ...)."
          + " Without it only queries, SHOW, DESCRIBE and USE run. Not with masking on.")
  boolean write;

  @Override
  public Integer call() throws Exception {
    Settings settings = SettingsCheck.check(conf.settings(Map.of()));
    String query = stripTrailingSemicolon(source.query != null ? source.query : Files.readString(source.file));
    boolean mask = PersonalData.masking(settings);
    if (write && mask) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--write is not allowed with "
          + PersonalData.SETTING + " on: masked tables are views, shown for reading");
    }
    // With masking on, the published (masked) tables are all there is to read, as over serve-sql.
    QueryGuard.Policy policy = new QueryGuard.Policy(!write, mask);
    QueryGuard.checkText(query);
    SparkSession spark = SparkSessions.create(settings);
    Lake.of(spark, settings).publish(Tables.layers(), mask);
    IdentityRules.registerUdfs(spark);
    // Checked as parsed, before Spark resolves it: commands run as soon as they are planned.
    QueryGuard.checkParsed(spark.sessionState().sqlParser().parsePlan(query), policy,
        db -> spark.sessionState().catalog().databaseExists(db));
    Dataset<Row> result = params.isEmpty() ? spark.sql(query) : spark.sql(query, new java.util.HashMap<String, Object>(params));
    if (out == null) {
      print(result, format, limit != null ? limit : PRINT_LIMIT, spec.commandLine().getOut());
      return 0;
    }
    try (PrintWriter file = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
      print(result, format, limit != null ? limit : Integer.MAX_VALUE, file);
    }
    spec.commandLine().getOut().printf("wrote %s%n", out);
    spec.commandLine().getOut().flush();
    return 0;
  }

  static String stripTrailingSemicolon(String query) {
    return query.strip().replaceAll(";+$", "");
  }

  /** Prints up to {@code limit} rows of a result in the format. */
  public static void print(Dataset<Row> result, Format format, int limit, PrintWriter out) {
    switch (format) {
      case json -> limited(result, limit).toJSON().toLocalIterator().forEachRemaining(out::println);
      case csv -> {
        // Flushed, never closed: the writer may be the command's standard output.
        CsvWriter csv = new CsvWriter(out, Csv.settings("\n"));
        csv.writeHeaders(result.columns());
        Dataset<Row> text = result.select(java.util.Arrays.stream(result.columns())
            .map(c -> org.apache.spark.sql.functions.col("`" + c + "`").cast("string")).toArray(org.apache.spark.sql.Column[]::new));
        for (java.util.Iterator<Row> it = limited(text, limit).toLocalIterator(); it.hasNext(); ) {
          Row r = it.next();
          Object[] values = new Object[r.length()];
          for (int i = 0; i < values.length; i++) {
            values[i] = r.isNullAt(i) ? null : r.getString(i);
          }
          csv.writeRow(values);
        }
        csv.flush();
      }
      case table -> printTable(result, limit, out);
    }
    out.flush();
  }

  /** The first rows, streamed; no limit at all (not even a single-partition one) for Integer.MAX_VALUE. */
  private static Dataset<Row> limited(Dataset<Row> rows, int limit) {
    return limit == Integer.MAX_VALUE ? rows : rows.limit(limit);
  }

  private static void printTable(Dataset<Row> result, int limit, PrintWriter out) {
    String[] names = result.columns();
    Dataset<Row> text = result.select(java.util.Arrays.stream(names)
        .map(c -> org.apache.spark.sql.functions.col("`" + c + "`").cast("string")).toArray(org.apache.spark.sql.Column[]::new));
    List<Row> rows = text.takeAsList(limit);
    int[] width = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      width[i] = names[i].length();
      for (Row r : rows) {
        width[i] = Math.max(width[i], r.isNullAt(i) ? 4 : r.getString(i).length());
      }
    }
    StringBuilder header = new StringBuilder();
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      header.append(i == 0 ? "" : " | ").append(pad(names[i], width[i]));
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    out.println(header);
    out.println(rule);
    for (Row r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < names.length; i++) {
        line.append(i == 0 ? "" : " | ").append(pad(r.isNullAt(i) ? "null" : r.getString(i), width[i]));
      }
      out.println(line);
    }
    out.printf("(%d row%s%s)%n", rows.size(), rows.size() == 1 ? "" : "s", rows.size() == limit ? ", limited by --limit" : "");
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }
}
