package dev.plg360.bench;

import static org.apache.spark.sql.functions.lit;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.Activity;
import dev.plg360.common.tables.GoldTables.Billing;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.ProductEvents;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.jobs.c360.Build360Settings;
import dev.plg360.jobs.c360.Build360Settings.Measure;
import dev.plg360.jobs.c360.Build360Settings.Meter;
import java.net.URI;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;

/**
 * build360's core activity aggregates computed again by DuckDB, in process, from the Parquet files of the lake's
 * Delta tables, timed, and compared with the rows build360 wrote: one row per account of gold.account_360 and per
 * workspace of gold.workspace_360 of the as-of date.
 *
 * <p>DuckDB starts from bronze.product_events, not from silver.product_daily: one query rolls the events up per day
 * as resolve does ({@code ResolveTransforms.rollUpDaily}, events of workspaces no group call or subscription names
 * left out), picks the identity links that hold on the date from silver.identity_links ({@code IdentityAsOf}),
 * attributes the active calls to people and accounts ({@code Build360Job.activity}), and counts them per window
 * ({@code ActivityTransforms.countActivityPerWindow}, {@code BillingTransforms.measureMeters}). It reads each table's
 * live files only (a Delta folder also holds files that later commits removed).
 *
 * <p>What the comparison assumes: build360 ran with the build360 settings this process reads (passive events,
 * invite event, meters: {@code -D} system properties, {@code $PLG360_CONF} or {@code conf/application.conf}, then
 * reference.conf), and the days were rolled up by a resolve as of the compared date. A daily chain rolls each day up
 * with the workspaces known that day: events of a workspace that come before the first call naming it stay out of
 * silver.product_daily, while DuckDB, knowing the workspaces of the as-of date, counts them.
 */
public final class DuckDbComparison {
  private DuckDbComparison() {}

  private static final int EXAMPLES = 5;
  private static final String ACCOUNT = "account";
  private static final String WORKSPACE = "workspace";

  /** The columns compared for both grains: gold's activity columns that the query computes. */
  private static final List<Col> ACTIVITY = List.of(Activity.ACTIVE_USERS_1D, Activity.ACTIVE_USERS_7D,
      Activity.ACTIVE_USERS_28D, Activity.ACTIVE_DAYS_7D, Activity.ACTIVE_DAYS_28D, Activity.EVENTS_7D,
      Activity.EVENTS_PREV_7D, Activity.LAST_ACTIVE_DATE, Activity.DISTINCT_FEATURES_28D, Activity.FEATURE_USES_28D,
      Activity.INVITES_SENT_28D, Activity.INVITES_SENT_TOTAL);
  /** Compared for workspaces only. */
  private static final List<Col> METERED = List.of(Workspace360.MEMBERS, Billing.USAGE);

  /** What DuckDB computed and how it compared with plg360's rows. */
  public record Result(long eventsRead, long accounts, long workspaces, List<String> columns, long mismatchedRows,
                       List<String> mismatchExamples /* at most 5, readable */, double medianSeconds, List<Double> seconds) {
    public boolean equal() {
      return mismatchedRows == 0;
    }
  }

  /** One run's output: the events read, and the measured columns per grain and key. */
  private record Computed(long eventsRead, Map<String, Map<String, Map<String, Object>>> byGrain) {}

  /**
   * Runs the DuckDB query {@code repeats} times (each on a fresh in-memory DuckDB connection, timing from opening the
   * connection to having all rows in Java), then compares the last result with plg360's gold.account_360 and
   * gold.workspace_360 rows of the as-of date.
   */
  public static Result run(Lake lake, LocalDate asOf, int repeats) throws SQLException {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be at least 1, was " + repeats);
    }
    Build360Settings s = Build360Settings.from(Settings.load(Optional.empty(), Map.of()));
    String sql = query(lake, asOf, s);
    List<Double> seconds = new ArrayList<>();
    Computed last = null;
    for (int i = 0; i < repeats; i++) {
      long start = System.nanoTime();
      last = compute(sql);
      seconds.add((System.nanoTime() - start) / 1e9);
    }

    List<Col> workspaceColumns = Stream.concat(METERED.stream(), ACTIVITY.stream()).toList();
    List<String> examples = new ArrayList<>();
    List<Row> accounts = goldRows(lake, Account360.TABLE, Account360.ACCOUNT_ID, ACTIVITY, asOf);
    List<Row> workspaces = goldRows(lake, Workspace360.TABLE, Workspace360.WORKSPACE_ID, workspaceColumns, asOf);
    long mismatched = compare(ACCOUNT, accounts, ACTIVITY, last.byGrain().getOrDefault(ACCOUNT, Map.of()), examples)
        + compare(WORKSPACE, workspaces, workspaceColumns, last.byGrain().getOrDefault(WORKSPACE, Map.of()), examples);
    List<String> columns = workspaceColumns.stream().map(Col::name).toList();
    return new Result(last.eventsRead(), accounts.size(), workspaces.size(), columns, mismatched, List.copyOf(examples),
        Results.median(seconds), List.copyOf(seconds));
  }

  private static Computed compute(String sql) throws SQLException {
    List<Col> measured = Stream.concat(ACTIVITY.stream(), METERED.stream()).toList();
    Map<String, Map<String, Map<String, Object>>> byGrain = new HashMap<>();
    long eventsRead = 0;
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
         Statement st = duck.createStatement();
         ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        eventsRead = rs.getLong("events_read");
        Map<String, Object> values = new HashMap<>();
        for (Col c : measured) {
          values.put(c.name(), normalized(c, rs.getObject(c.name())));
        }
        byGrain.computeIfAbsent(rs.getString("grain"), g -> new HashMap<>()).put(rs.getString("key"), values);
      }
    }
    return new Computed(eventsRead, byGrain);
  }

  /**
   * The query: the daily rollup, the identity of the date, the activity frame, then every measure per account and
   * per workspace (grain, key), each row carrying the count of events read.
   */
  static String query(Lake lake, LocalDate asOf, Build360Settings s) {
    List<String> meterNames = new ArrayList<>();
    List<String> meterValues = new ArrayList<>();
    List<String> meterSums = new ArrayList<>();
    for (Meter m : s.meters().values()) {
      meterNames.add(literal(m.name()));
      if (m.measure() == Measure.MEMBERS) {
        meterValues.add("coalesce(p." + Workspace360.MEMBERS.name() + ", 0)");
        continue;
      }
      String column = "meter_" + meterSums.size();
      String counted = m.measure() == Measure.QUANTITY ? "quantity" : "events";
      String window = m.windowDays() == 0 ? "" : " AND d < " + m.windowDays();
      meterSums.add("coalesce(sum(" + counted + ") FILTER (WHERE event_name = " + literal(m.event()) + window
          + "), 0)::BIGINT AS " + column);
      meterValues.add("u." + column);
    }
    String passive = s.passiveEvents().isEmpty() ? "true"
        : "d.event_name NOT IN (" + s.passiveEvents().stream().map(DuckDbComparison::literal)
            .collect(Collectors.joining(", ")) + ")";
    List<String> subscriptionFiles = liveFiles(lake, SubscriptionEvents.TABLE);
    String subscriptionWorkspaces = subscriptionFiles.isEmpty() ? "SELECT NULL::VARCHAR WHERE false"
        : "SELECT map_extract(metadata, 'workspace_id')[1] FROM read_parquet(" + parquetList(subscriptionFiles) + ")"
            + " WHERE event_ts < DATE '" + asOf + "' + INTERVAL 1 DAY";
    String day = "DATE '" + asOf + "'";
    Map<String, String> values = new TreeMap<>();
    values.put("events", parquetList(partitionedFiles(lake, ProductEvents.TABLE, ProductEvents.EVENT_DATE)));
    values.put("partition", ProductEvents.EVENT_DATE.name());
    values.put("links", parquetList(requiredFiles(lake, IdentityLinks.TABLE)));
    values.put("subscriptionWorkspaces", subscriptionWorkspaces);
    values.put("day", day);
    values.put("passive", passive);
    values.put("invite", literal(s.inviteEvent()));
    values.put("meterSums", meterSums.stream().map(m -> ",\n    " + m).collect(Collectors.joining()));
    values.put("meters", "map([" + String.join(", ", meterNames) + "], [" + String.join(", ", meterValues) + "])");
    for (Col c : Stream.concat(ACTIVITY.stream(), METERED.stream()).toList()) {
      values.put(c.name(), c.name());
    }
    String sql = """
        WITH
        events AS (
          SELECT * FROM read_parquet(${events}, hive_partitioning = true, hive_types = {'${partition}': DATE})
          WHERE ${partition} <= ${day}
        ),
        -- Workspaces a group call or a subscription names: resolve rolls up no other workspace's events.
        known_workspaces AS (
          SELECT workspace_id FROM events WHERE event_type = 'group' AND workspace_id IS NOT NULL
          UNION
          ${subscriptionWorkspaces}
        ),
        -- silver.product_daily: one row per day, workspace, user or anonymous id, event and feature.
        daily AS MATERIALIZED (
          SELECT event_date, workspace_id, user_id, anonymous_id, daily_event_name AS event_name, feature,
                 count(*) AS events, sum(quantity)::BIGINT AS quantity
          FROM (
            SELECT ${partition} AS event_date, workspace_id, user_id,
                   CASE WHEN user_id IS NULL THEN anonymous_id END AS anonymous_id,
                   CASE WHEN event_type = 'track' THEN event_name
                        WHEN event_type = 'page' THEN 'Page: ' || coalesce(page_name, '(unnamed)')
                        ELSE event_type END AS daily_event_name,
                   CASE WHEN event_name = 'Feature Used' THEN map_extract(properties, 'feature')[1] END AS feature,
                   -- Spark's cast of text to a whole number: blanks around it and a fraction are ignored, a bare
                   -- fraction (".5") is 0, anything else is no number.
                   coalesce(TRY_CAST(regexp_extract(count_text, '^\\s*([+-]?[0-9]*)(\\.[0-9]*)?\\s*$', 1)
                       || CASE WHEN regexp_full_match(count_text, '\\s*[+-]?\\.[0-9]*\\s*') THEN '0' ELSE '' END
                       AS BIGINT), 1) AS quantity
            FROM (SELECT *, map_extract(properties, 'count')[1] AS count_text FROM events)
            WHERE workspace_id IS NULL OR workspace_id IN (SELECT workspace_id FROM known_workspaces)
          )
          GROUP BY ALL
        ),
        -- The link of each record that holds on the day (the latest recorded); else its first one made later.
        links AS MATERIALIZED (
          SELECT from_type, from_id, to_type, to_id
          FROM (
            SELECT *, row_number() OVER (
                       PARTITION BY from_type, from_id, to_type
                       ORDER BY standing, CASE WHEN standing = 1 THEN as_of_from END ASC NULLS FIRST,
                                valid_from DESC NULLS LAST) AS pick
            FROM (
              SELECT *, CASE WHEN as_of_from <= ${day} AND (as_of_to IS NULL OR as_of_to > ${day}) THEN 0
                             WHEN as_of_from > ${day} THEN 1 END AS standing
              FROM read_parquet(${links})
            )
            WHERE standing IS NOT NULL
          )
          WHERE pick = 1
        ),
        -- A visitor is stitched only to a user who had made a call (any call) by the day.
        stitches AS (
          SELECT from_id AS anonymous_id, to_id AS stitched_user FROM links
          WHERE from_type = 'anonymous' AND to_type = 'user'
            AND to_id IN (SELECT user_id FROM daily WHERE user_id IS NOT NULL)
        ),
        activity AS MATERIALIZED (
          SELECT d.event_date, d.workspace_id, person.to_id AS person_id,
                 coalesce(workspace_account.to_id, person_account.to_id) AS account_id,
                 d.event_name, d.feature, d.events, d.quantity
          FROM daily d
          LEFT JOIN stitches s ON s.anonymous_id = d.anonymous_id
          LEFT JOIN links person ON person.from_type = 'user' AND person.to_type = 'person'
                                AND person.from_id = coalesce(d.user_id, s.stitched_user)
          LEFT JOIN links workspace_account ON workspace_account.from_type = 'workspace'
                                           AND workspace_account.to_type = 'account'
                                           AND workspace_account.from_id = d.workspace_id
          LEFT JOIN links person_account ON person_account.from_type = 'person' AND person_account.to_type = 'account'
                                        AND person_account.from_id = person.to_id
          WHERE ${passive}
        ),
        grains AS (
          SELECT 'account' AS grain, account_id AS key, date_diff('day', event_date, ${day}) AS d, * FROM activity
          WHERE account_id IS NOT NULL
          UNION ALL
          SELECT 'workspace', workspace_id, date_diff('day', event_date, ${day}), * FROM activity
          WHERE workspace_id IS NOT NULL
        ),
        -- A person counts in every window that holds their last active day.
        people AS (
          SELECT grain, key,
                 count(*) FILTER (WHERE last_d = 0) AS ${active_users_1d},
                 count(*) FILTER (WHERE last_d < 7) AS ${active_users_7d},
                 count(*) FILTER (WHERE last_d < 28) AS ${active_users_28d},
                 count(*) AS ${members}
          FROM (SELECT grain, key, person_id, min(d) AS last_d FROM grains WHERE person_id IS NOT NULL GROUP BY ALL)
          GROUP BY ALL
        ),
        days AS (
          SELECT grain, key,
                 count(*) FILTER (WHERE d < 7) AS ${active_days_7d},
                 count(*) FILTER (WHERE d < 28) AS ${active_days_28d},
                 coalesce(sum(events) FILTER (WHERE d < 7), 0)::BIGINT AS ${events_7d},
                 coalesce(sum(events) FILTER (WHERE d >= 7 AND d < 14), 0)::BIGINT AS ${events_prev_7d},
                 max(event_date) AS ${last_active_date}
          FROM (SELECT grain, key, d, event_date, sum(events) AS events FROM grains GROUP BY ALL)
          GROUP BY ALL
        ),
        uses AS (
          SELECT grain, key,
                 count(DISTINCT feature) FILTER (WHERE d < 28) AS ${distinct_features_28d},
                 coalesce(sum(events) FILTER (WHERE event_name = ${invite} AND d < 28), 0)::BIGINT AS ${invites_sent_28d},
                 coalesce(sum(events) FILTER (WHERE event_name = ${invite}), 0)::BIGINT AS ${invites_sent_total}${meterSums}
          FROM grains
          GROUP BY ALL
        ),
        features AS (
          SELECT grain, key, map(list(feature ORDER BY feature), list(n ORDER BY feature)) AS ${feature_uses_28d}
          FROM (SELECT grain, key, feature, sum(events)::BIGINT AS n FROM grains WHERE feature IS NOT NULL AND d < 28
                GROUP BY ALL)
          GROUP BY ALL
        )
        SELECT grain, key, (SELECT count(*) FROM events) AS events_read,
               coalesce(p.${active_users_1d}, 0) AS ${active_users_1d},
               coalesce(p.${active_users_7d}, 0) AS ${active_users_7d},
               coalesce(p.${active_users_28d}, 0) AS ${active_users_28d},
               ${active_days_7d}, ${active_days_28d}, ${events_7d}, ${events_prev_7d}, ${last_active_date},
               ${distinct_features_28d}, ${feature_uses_28d}, ${invites_sent_28d}, ${invites_sent_total},
               CASE WHEN grain = 'workspace' THEN coalesce(p.${members}, 0) END AS ${members},
               CASE WHEN grain = 'workspace' THEN ${meters} END AS ${usage}
        FROM days
        LEFT JOIN people p USING (grain, key)
        LEFT JOIN uses u USING (grain, key)
        LEFT JOIN features f USING (grain, key)
        """;
    return fill(sql, values);
  }

  private static String fill(String template, Map<String, String> values) {
    String out = template;
    for (Map.Entry<String, String> e : values.entrySet()) {
      out = out.replace("${" + e.getKey() + "}", e.getValue());
    }
    if (out.contains("${")) {
      throw new IllegalStateException("unfilled placeholder in the DuckDB query: "
          + out.substring(out.indexOf("${"), Math.min(out.length(), out.indexOf("${") + 40)));
    }
    return out;
  }

  /** The table's live Parquet files, as local paths where the lake is local. */
  private static List<String> liveFiles(Lake lake, TableDef t) {
    return Stream.of(lake.read(t).inputFiles()).map(DuckDbComparison::localPath).sorted().toList();
  }

  private static List<String> requiredFiles(Lake lake, TableDef t) {
    List<String> files = liveFiles(lake, t);
    if (files.isEmpty()) {
      throw new IllegalStateException(t.qualifiedName() + " has no rows at " + lake.path(t) + ": nothing to compare");
    }
    return files;
  }

  /** The live files of a table partitioned by {@code partition}, whose value DuckDB reads from the folder name. */
  private static List<String> partitionedFiles(Lake lake, TableDef t, Col partition) {
    List<String> files = requiredFiles(lake, t);
    files.stream().filter(f -> !f.contains("/" + partition.name() + "=")).findFirst().ifPresent(f -> {
      throw new IllegalStateException(t.qualifiedName() + " has a file outside a " + partition.name()
          + "=<date> folder, so DuckDB cannot tell its " + partition.name() + ": " + f);
    });
    return files;
  }

  private static String localPath(String file) {
    URI uri = new Path(file).toUri();
    return "file".equals(uri.getScheme()) ? uri.getPath() : file;
  }

  private static String parquetList(List<String> files) {
    return files.stream().map(DuckDbComparison::literal).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /** plg360's rows of the date: the key, then the compared columns. */
  private static List<Row> goldRows(Lake lake, TableDef t, Col key, List<Col> columns, LocalDate asOf) {
    return lake.read(t).where(Snapshot.AS_OF.col().equalTo(lit(Date.valueOf(asOf))))
        .select(Stream.concat(Stream.of(key), columns.stream()).map(Col::col).toArray(Column[]::new))
        .collectAsList();
  }

  /**
   * Compares each of plg360's rows with DuckDB's row of its key; a key DuckDB found no activity for compares with what
   * build360 writes then (0 for counts, an empty map, no date). Returns the rows that differ.
   */
  private static long compare(String grain, List<Row> gold, List<Col> columns, Map<String, Map<String, Object>> duck,
                              List<String> examples) {
    long mismatched = 0;
    for (Row row : gold) {
      String key = row.getString(0);
      Map<String, Object> computed = duck.get(key);
      List<String> differences = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        Col c = columns.get(i);
        Object plg360 = normalized(c, row.isNullAt(i + 1) ? null
            : c.type() instanceof MapType ? row.getJavaMap(i + 1) : row.get(i + 1));
        Object duckdb = computed == null ? nothingHappened(c) : computed.get(c.name());
        if (!Objects.equals(plg360, duckdb)) {
          differences.add(c.name() + " plg360 " + plg360 + ", DuckDB " + duckdb);
        }
      }
      if (!differences.isEmpty()) {
        mismatched++;
        if (examples.size() < EXAMPLES) {
          examples.add(grain + " " + key + ": " + String.join("; ", differences));
        }
      }
    }
    return mismatched;
  }

  /** What build360 writes for a column when the key had no activity ({@code ActivityTransforms.orDefault}). */
  private static Object nothingHappened(Col c) {
    if (c.type().equals(DataTypes.LongType)) {
      return 0L;
    }
    return c.type() instanceof MapType ? new TreeMap<String, Object>() : null;
  }

  /** One form for either side: whole numbers as Long, dates as LocalDate, maps sorted by key, a missing map empty. */
  private static Object normalized(Col c, Object value) {
    if (c.type() instanceof MapType) {
      Map<String, Object> sorted = new TreeMap<>();
      if (value != null) {
        ((Map<?, ?>) value).forEach((k, v) -> sorted.put(String.valueOf(k), normalizedScalar(v)));
      }
      return sorted;
    }
    return normalizedScalar(value);
  }

  private static Object normalizedScalar(Object value) {
    if (value instanceof Date d) {
      return d.toLocalDate();
    }
    if (value instanceof Number n && !(value instanceof Double || value instanceof Float)) {
      return n.longValue();
    }
    return value;
  }
}
